package com.exitbrain.cli;

import com.exitbrain.config.SettingsLoader;
import com.exitbrain.app.Daemon;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Starts the daemon (SPEC §7); returns when it was asked to stop. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the worker: consume the input streams until SIGTERM.")
final class RunCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        return Daemon.run(SettingsLoader.fromEnvironment());
    }
}
