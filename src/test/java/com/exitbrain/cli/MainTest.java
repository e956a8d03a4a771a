package com.exitbrain.cli;

import static com.exitbrain.cli.Cli.execute;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.cli.Cli.Run;
import org.junit.jupiter.api.Test;

/**
 * Exit statuses of the command line (SPEC §7), in process through {@link Main#execute} ({@link Cli}).
 * The packaged jar, its JSON and exit status 78 are checked by {@link CommandLineIT}.
 */
class MainTest {
    @Test
    void validatePassesEveryWorkedExample() {
        Run run = execute("validate");

        assertEquals(0, run.status(), run.out() + run.err());
        assertTrue(run.out().contains(" 0 failed"), run.out());
        assertFalse(run.out().contains("FAIL "), run.out());
        assertTrue(WorkedExamples.run().stream().allMatch(WorkedExamples.Check::passed));
    }

    @Test
    void leverageAboveTheMaximumIsAUsageError() {
        Run run = execute("levels", "--leverage", "500");

        assertEquals(2, run.status());
        assertTrue(run.err().contains("out_of_range: leverage is 500"), run.err());
        assertEquals("", run.out());
    }

    @Test
    void numbersAreReadExactlyAsTheWorkerReadsAnEventsFields() {
        Run over = execute("levels", "--leverage", "125.00000000000000001");
        assertEquals(2, over.status());
        assertTrue(over.err().contains("out_of_range: leverage is 125.00000000000000001"), over.err());
        Run huge = execute("levels", "--leverage", "1e400");
        assertTrue(huge.err().contains("out_of_range"), huge.err());
        Run avg = execute("levels", "--leverage", "10", "--avg-pnl", "11");
        assertTrue(avg.err().contains("out_of_range: avg-pnl"), avg.err());
        Run notNumber = execute("levels", "--leverage", "10", "--avg-pnl", "nan");
        assertTrue(notNumber.err().contains("invalid_number: avg-pnl"), notNumber.err());

        Run edge = execute("levels", "--leverage", "10.000000000000000001", "--confidence", "0.49999999999999999999",
                "--json");
        assertEquals(0, edge.status(), edge.err());
        assertTrue(edge.out().contains("\"adjustment\":\"0.95\""), edge.out());
        assertTrue(edge.out().contains("\"harvest_scheme\":\"[0.4,0.4,0.2]\""), edge.out());
        assertFalse(edge.out().contains("maintenance_margin_rate"), "only when given, as in a stream entry");
    }

    @Test
    void theWorkingSaysWhetherTheStopWasClamped() {
        Run clamped = execute("levels", "--leverage", "1", "--volatility", "10", "--avg-pnl", "0.5");
        assertTrue(clamped.out().contains("SL clamped to [0.1%, 2%]: 2.190% -> 2.000%"), clamped.out());
        Run unchanged = execute("levels", "--leverage", "10");
        assertTrue(unchanged.out().contains("(unchanged)"), unchanged.out());
    }

    @Test
    void flagsThatCannotBeUsedAreNamed() {
        Run run = execute("levels", "--leverage", "10", "--entry", "100", "--tick", "0.1", "--lot", "0.01");

        assertEquals(0, run.status(), run.err());
        assertTrue(run.err().contains("--entry without --side"), run.err());
        assertTrue(run.err().contains("--tick without prices"), run.err());
        assertTrue(run.err().contains("--lot without --quantity"), run.err());
        assertTrue(execute("levels", "--leverage", "10", "--entry", "100", "--side", "long").err().isEmpty());
    }

    @Test
    void unknownSideIsAUsageError() {
        Run run = execute("levels", "--leverage", "10", "--side", "up");

        assertEquals(2, run.status());
        assertTrue(run.err().contains("invalid_value: side"), run.err());
    }

    @Test
    void aTickTooCoarseForTheLeverageIsRefusedWithStatusTwo() {
        Run run = execute("levels", "--leverage", "79.1", "--side", "long", "--entry", "28.5", "--tick", "0.5");

        assertEquals(2, run.status(), run.out());
        assertTrue(run.err().contains("liquidation: tick_size 0.5"), run.err());
        assertTrue(run.out().isEmpty(), "no stop may be printed: " + run.out());
    }

    @Test
    void unknownFlagIsAUsageError() {
        Run run = execute("levels", "--leverage", "10", "--no-such-flag");

        assertEquals(2, run.status());
        assertTrue(run.err().contains("--no-such-flag"), run.err());
    }

    @Test
    void missingLeverageIsAUsageError() {
        assertEquals(2, execute("levels").status());
    }

    @Test
    void helpCommandListsTheCommandsAndHelpsWithOne() {
        Run all = execute("help");
        assertEquals(0, all.status(), all.err());
        assertTrue(all.out().contains("levels") && all.out().contains("validate") && all.out().contains("run")
                && all.out().contains("plan"), all.out());
        Run levels = execute("help", "levels");
        assertEquals(0, levels.status(), levels.err());
        assertTrue(levels.out().contains("--leverage"), levels.out());
    }

    @Test
    void missingCommandIsAUsageError() {
        Run run = execute();

        assertEquals(2, run.status());
        assertTrue(run.err().contains("a command is required: run, levels, plan or validate"), run.err());
    }

    @Test
    void helpExitsZeroAndListsTheFlags() {
        Run run = execute("levels", "--help");

        assertEquals(0, run.status());
        for (String flag : new String[] {"--leverage", "--volatility", "--confidence", "--avg-pnl", "--side",
                "--entry", "--quantity", "--tick", "--lot", "--mmr", "--json"}) {
            assertTrue(run.out().contains(flag), flag + " in\n" + run.out());
        }
    }

    @Test
    void levelsShowsTheWorkingLikeTheSourceExample() {
        Run run = execute("levels", "--leverage", "10", "--volatility", "1.0", "--confidence", "0.75",
                "--avg-pnl", "0.15");

        assertEquals(0, run.status(), run.err());
        String out = run.out();
        assertTrue(out.contains("LSF = 1 / (1 + ln(11)) = 0.2943"), out);
        assertTrue(out.contains("Final Levels (mode adaptive):"), out);
        assertTrue(out.contains("TP1 = 1.252% (harvest 30%"), out);
        assertTrue(out.contains("TP3 = 2.623% (harvest 40%"), out);
        assertTrue(out.contains("SL  = 0.939%"), out);
    }
}
