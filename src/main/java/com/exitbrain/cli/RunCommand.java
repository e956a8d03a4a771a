package com.exitbrain.cli;

import com.exitbrain.config.Settings;
import com.exitbrain.config.SettingsLoader;
import com.exitbrain.stream.Daemon;
import com.exitbrain.stream.WarmUp;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Starts the daemon (SPEC §7); returns when it was asked to stop. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the worker: consume the input streams until SIGTERM.")
final class RunCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        Settings settings = SettingsLoader.fromEnvironment();
        // warms the hot path while the JVM and the daemon start; the daemon waits for it before consuming
        WarmUp.start(settings);
        return Daemon.run(settings);
    }
}
