package com.exitbrain.cli;

import com.exitbrain.config.SettingsLoader;
import com.exitbrain.config.SymbolDefaults;
import com.exitbrain.engine.InputNumbers;
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
    String leverage;
    @Option(names = "--volatility", defaultValue = "1.0", description = "Volatility factor 0..10 (default ${DEFAULT-VALUE}).")
    String volatility;
    @Option(names = "--confidence", defaultValue = "0.5", description = "Signal confidence 0..1 (default ${DEFAULT-VALUE}).")
    String confidence;
    @Option(names = "--avg-pnl", defaultValue = "0",
            description = "Rolling average PnL as a fraction, -10..10 (default ${DEFAULT-VALUE}).")
    String averagePnl;
    @Option(names = "--side", description = "long, short, buy or sell.")
    String side;
    @Option(names = "--entry", description = "Entry price, for level prices (needs --side).")
    String entry;
    @Option(names = "--quantity", description = "Position quantity, for stage quantities.")
    String quantity;
    @Option(names = "--tick", description = "Tick size: prices are rounded to it, toward the entry.")
    String tick;
    @Option(names = "--lot", description = "Lot size: stages 1 and 2 are floored to it.")
    String lot;
    @Option(names = "--mmr", description = "Maintenance margin rate 0..0.5 (default 0).")
    String mmr;
    @Option(names = "--symbol", defaultValue = "BTCUSDT", description = "Symbol: its levels.symbols defaults apply, and --json echoes it (default ${DEFAULT-VALUE}).")
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
        BigDecimal entryPrice;
        BigDecimal qty;
        BigDecimal tickSize;
        BigDecimal lotSize;
        Double mmrValue;
        try {
            // read exactly as the worker reads an event's fields, so both answer alike
            double l = InputNumbers.number("leverage", leverage, 1, settings.tuning().maxLeverage());
            double v = settings.tuning().crossExchangeEnabled() ? InputNumbers.number("volatility", volatility, 0, 10) : 1.0;
            double c = InputNumbers.number("confidence", confidence, 0, 1);
            double a = InputNumbers.number("avg-pnl", averagePnl, -10, 10);
            // as in the worker: a flag wins over the symbol's configured default (levels.symbols)
            SymbolDefaults defaults = settings.symbolDefaults(symbol.trim());
            mmrValue = mmr == null ? defaults.maintenanceMarginRate()
                    : Double.valueOf(InputNumbers.number("mmr", mmr, 0, 0.5));
            parsedSide = Side.parseOptional(side);
            entryPrice = InputNumbers.positive("entry", entry);
            qty = InputNumbers.positive("quantity", quantity);
            tickSize = tick == null ? defaults.tickSize() : InputNumbers.positive("tick", tick);
            lotSize = lot == null ? defaults.lotSize() : InputNumbers.positive("lot", lot);
            set = engine.compute(new PositionRequest(l, v, c, a, parsedSide, entryPrice, qty, tickSize, lotSize,
                    mmrValue == null ? 0 : mmrValue));
        } catch (InvalidInputException e) {
            spec.commandLine().getErr().println("exitbrain levels: " + e.code().wire() + ": " + e.reason());
            return CommandLine.ExitCode.USAGE;
        }
        PrintWriter err = spec.commandLine().getErr();
        if (entryPrice != null && parsedSide.isEmpty()) {
            err.println("exitbrain levels: note: --entry without --side: no prices (a price needs the side)");
        }
        if (tickSize != null && (entryPrice == null || parsedSide.isEmpty())) {
            err.println("exitbrain levels: note: --tick without prices: not used");
        }
        if (lotSize != null && qty == null) {
            err.println("exitbrain levels: note: --lot without --quantity: not used");
        }
        err.flush();
        if (json) {
            var context = new LevelsRecord.Context(symbol, null, null, parsedSide.orElse(null), entryPrice, qty,
                    tickSize, lotSize, mmrValue);
            out.println(new ObjectMapper().writeValueAsString(
                    LevelsRecord.fields(set, context, Instant.now().getEpochSecond())));
        } else {
            out.print(Working.explain(set, settings.tuning()));
        }
        out.flush();
        return 0;
    }
}
