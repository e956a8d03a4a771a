package com.exitbrain.cli;

import com.exitbrain.config.SettingsLoader;
import com.exitbrain.engine.InvalidInputException;
import com.exitbrain.engine.LevelEngine;
import com.exitbrain.engine.LevelSet;
import com.exitbrain.engine.Side;
import com.exitbrain.output.LevelsRecord;
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
    @CommandLine.Mixin
    PositionOptions position;
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
        PositionOptions.Position p;
        try {
            p = position.read(settings);
            set = engine.compute(p.request());
        } catch (InvalidInputException e) {
            spec.commandLine().getErr().println("exitbrain levels: " + e.code().wire() + ": " + e.reason());
            return CommandLine.ExitCode.USAGE;
        }
        Optional<Side> parsedSide = p.side();
        BigDecimal entryPrice = p.entryPrice();
        BigDecimal qty = p.quantity();
        BigDecimal tickSize = p.tickSize();
        BigDecimal lotSize = p.lotSize();
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
            out.println(new ObjectMapper().writeValueAsString(
                    LevelsRecord.fields(set, p.context(null), Instant.now().getEpochSecond())));
        } else {
            out.print(Working.explain(set, settings.tuning()));
        }
        out.flush();
        return 0;
    }
}
