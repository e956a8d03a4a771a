package com.exitbrain.cli;

import com.exitbrain.config.SettingsLoader;
import com.exitbrain.engine.InvalidInputException;
import com.exitbrain.engine.LevelEngine;
import com.exitbrain.engine.LevelSet;
import com.exitbrain.engine.PositionRequest;
import com.exitbrain.engine.Side;
import com.exitbrain.stream.LevelsRecord;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Computes one level set from flags and shows the working, step by step (SPEC §7). */
@Command(name = "levels", mixinStandardHelpOptions = true,
        description = "Compute one level set and print every intermediate step (or --json).")
final class LevelsCommand implements Callable<Integer> {
    @Option(names = "--leverage", required = true, description = "Leverage, 1..max-leverage (fractions allowed).")
    double leverage;
    @Option(names = "--volatility", defaultValue = "1.0", description = "Volatility factor 0..10 (default ${DEFAULT-VALUE}).")
    double volatility;
    @Option(names = "--confidence", defaultValue = "0.5", description = "Signal confidence 0..1 (default ${DEFAULT-VALUE}).")
    double confidence;
    @Option(names = "--avg-pnl", defaultValue = "0", description = "Rolling average PnL as a fraction (default ${DEFAULT-VALUE}).")
    double averagePnl;
    @Option(names = "--side", description = "long, short, buy or sell.")
    String side;
    @Option(names = "--entry", description = "Entry price, for level prices (needs --side).")
    BigDecimal entry;
    @Option(names = "--quantity", description = "Position quantity, for stage quantities.")
    BigDecimal quantity;
    @Option(names = "--tick", description = "Tick size: prices are rounded to it, toward the entry.")
    BigDecimal tick;
    @Option(names = "--lot", description = "Lot size: stages 1 and 2 are floored to it.")
    BigDecimal lot;
    @Option(names = "--mmr", defaultValue = "0", description = "Maintenance margin rate 0..0.5 (default ${DEFAULT-VALUE}).")
    double mmr;
    @Option(names = "--symbol", defaultValue = "BTCUSDT", description = "Symbol echoed in --json (default ${DEFAULT-VALUE}).")
    String symbol;
    @Option(names = "--json", description = "Print one JSON object with the levels stream's fields.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        var settings = SettingsLoader.fromEnvironment();
        LevelEngine engine = new LevelEngine(settings.tuning());
        LevelSet set;
        Optional<Side> parsedSide;
        try {
            parsedSide = Side.parseOptional(side);
            set = engine.compute(new PositionRequest(leverage, volatility, confidence, averagePnl, parsedSide,
                    entry, quantity, tick, lot, mmr));
        } catch (InvalidInputException e) {
            spec.commandLine().getErr().println("exitbrain levels: " + e.code().wire() + ": " + e.reason());
            return CommandLine.ExitCode.USAGE;
        }
        if (json) {
            var context = new LevelsRecord.Context(symbol, null, null, parsedSide.orElse(null), entry, quantity,
                    tick, lot, mmr);
            out.println(new ObjectMapper().writeValueAsString(
                    LevelsRecord.fields(set, context, Instant.now().getEpochSecond())));
        } else {
            out.print(Working.explain(set, settings.tuning()));
        }
        out.flush();
        return 0;
    }
}
