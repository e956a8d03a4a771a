package com.exitbrain.cli;

import com.exitbrain.config.Settings;
import com.exitbrain.config.SettingsLoader;
import com.exitbrain.app.Daemon;
import com.exitbrain.app.WarmUp;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/** Starts the daemon (SPEC §7); returns when it was asked to stop. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the worker: consume the input streams until SIGTERM.")
final class RunCommand implements Callable<Integer> {
    /** Above this the JVM was left to size its heap from the host: the unit gives it 128 MiB. */
    private static final long UNIT_HEAP_BYTES = 256L << 20;

    @Override
    public Integer call() throws Exception {
        Settings settings = SettingsLoader.fromEnvironment();
        // warms the hot path while the JVM and the daemon start; the daemon waits for it before consuming
        WarmUp.start(settings);
        long maxHeap = Runtime.getRuntime().maxMemory();
        if (maxHeap > UNIT_HEAP_BYTES) {
            LoggerFactory.getLogger(RunCommand.class).warn("the JVM sized its heap from the host ({} MiB at most):"
                    + " memory grows to several hundred MB under load; scripts/exitbrain run (or the JVM flags of"
                    + " deploy/exitbrain.service, -Xmx128m and the rest) keeps it near 190 MB", maxHeap >> 20);
        }
        return Daemon.run(settings);
    }
}
