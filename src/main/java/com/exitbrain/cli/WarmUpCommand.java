package com.exitbrain.cli;

import com.exitbrain.config.SettingsLoader;
import com.exitbrain.app.WarmUp;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * Runs the daemon's warm-up once and prints what it did (hidden: for measuring it, and as the
 * training run of the AppCDS archive, which then holds the classes of the worker's hot path).
 */
@Command(name = "warm-up", hidden = true, mixinStandardHelpOptions = true,
        description = "Run the worker's warm-up (no Redis needed) and print what it did.")
final class WarmUpCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        WarmUp.Result r = WarmUp.runNow(SettingsLoader.fromEnvironment());
        System.out.printf("warm-up: %d positions, %d trades, %d fills, %d dead letters, %d bytes encoded, %d ms%n",
                r.positions(), r.trades(), r.fills(), r.deadLetters(), r.encodedBytes(), r.millis());
        return 0;
    }
}
