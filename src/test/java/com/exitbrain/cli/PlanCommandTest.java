package com.exitbrain.cli;

import static com.exitbrain.cli.Cli.execute;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.cli.Cli.Run;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code exitbrain plan} (SPEC §9 on the command line): a position and its fills from flags, the
 * plan after each fill as the worker publishes it, in process through {@link Main#execute}.
 */
class PlanCommandTest {
    /** SPEC §9's worked check position: long, entry 100, quantity 10, leverage 10, tick 0.01, lot 1. */
    private static final String[] WORKED = {"plan", "--side", "long", "--entry", "100", "--quantity", "10",
            "--leverage", "10", "--tick", "0.01", "--lot", "1"};
    private static final String[] WORKED_FILLS = {"--fill", "tp1:3@101.00:fee=0.1", "--fill", "tp2:1@102.00",
            "--fill", "sl:6@100.00"};

    /** SPEC §9 "Plan entry" fields, in its order; {@code pnl} and {@code trade_recorded} only when closed. */
    private static final List<String> PLAN_ENTRY = List.of("position_id", "symbol", "side", "fill_id", "order",
            "fill_quantity", "fill_price", "fee", "open_quantity", "tp1_qty", "tp2_qty", "tp3_qty", "tp1_price",
            "tp2_price", "tp3_price", "sl_price", "sl_qty", "stop_reason", "stop_moved", "realized_pnl", "fees",
            "status", "source_id", "timestamp");

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String[] args(String[] base, String... more) {
        return Stream.concat(Arrays.stream(base), Arrays.stream(more)).toArray(String[]::new);
    }

    /** Every line of stdout parsed as a JSON object of strings (fails on a line that is not one). */
    private static List<Map<String, String>> lines(Run run) throws Exception {
        List<Map<String, String>> lines = new ArrayList<>();
        for (String line : run.out().split("\n")) {
            lines.add(JSON.readValue(line, new TypeReference<Map<String, String>>() { }));
        }
        return lines;
    }

    @Test
    void specNinesWorkedCheckThroughTheCommandLine() throws Exception {
        Run run = execute(args(WORKED, args(WORKED_FILLS, "--json")));

        assertEquals(0, run.status(), run.err());
        List<Map<String, String>> lines = lines(run);
        assertEquals(4, lines.size(), run.out());
        Map<String, String> levels = lines.get(0);
        assertEquals("created", levels.get("plan"));
        assertEquals("p1", levels.get("position_id"));
        assertEquals(List.of("3", "3", "4"), List.of(levels.get("tp1_qty"), levels.get("tp2_qty"), levels.get("tp3_qty")));
        String initialStop = levels.get("sl_price");
        assertTrue(Double.parseDouble(initialStop) < 100, initialStop);

        Map<String, String> tp1 = lines.get(1);
        assertEquals("f1", tp1.get("fill_id"));
        assertEquals("7", tp1.get("open_quantity"));
        assertEquals(List.of("0", "3", "4"), stages(tp1));
        assertEquals("100", tp1.get("sl_price"), "stage 1 reached: the stop to breakeven");
        assertEquals("breakeven", tp1.get("stop_reason"));
        assertEquals("true", tp1.get("stop_moved"));
        assertEquals("7", tp1.get("sl_qty"));
        assertEquals("2.9", tp1.get("realized_pnl"));
        assertEquals("0.1", tp1.get("fees"));
        assertEquals("open", tp1.get("status"));

        Map<String, String> tp2 = lines.get(2);
        assertEquals("6", tp2.get("open_quantity"));
        assertEquals(List.of("0", "2", "4"), stages(tp2));
        assertEquals("100", tp2.get("sl_price"));
        assertEquals("false", tp2.get("stop_moved"), "stage 2 not reached: the stop stays");
        assertEquals("6", tp2.get("sl_qty"));
        assertEquals("4.9", tp2.get("realized_pnl"));

        Map<String, String> sl = lines.get(3);
        assertEquals("0", sl.get("open_quantity"));
        assertEquals(List.of("0", "0", "0"), stages(sl));
        assertEquals("0", sl.get("sl_qty"));
        assertEquals("closed", sl.get("status"));
        assertEquals("4.9", sl.get("realized_pnl"));
        assertEquals("0.049", sl.get("pnl"));
        assertEquals("true", sl.get("trade_recorded"));
        // the prices the plan started from are the levels entry's
        for (String price : List.of("tp1_price", "tp2_price", "tp3_price")) {
            assertEquals(levels.get(price), sl.get(price), price);
        }
    }

    private static List<String> stages(Map<String, String> entry) {
        return List.of(entry.get("tp1_qty"), entry.get("tp2_qty"), entry.get("tp3_qty"));
    }

    @Test
    void theHumanTableShowsEachStepForATrader() {
        Run run = execute(args(WORKED, WORKED_FILLS));

        assertEquals(0, run.status(), run.err());
        String out = run.out();
        assertTrue(out.contains("f1: tp1 3 @ 101, fee 0.1\n  open quantity 7\n  tp1           0 @ 101.25  (reached)\n"), out);
        assertTrue(out.contains("  stop          100 x 7  (breakeven, moved)\n  realized PnL  2.9  (fees 0.1)\n"), out);
        assertTrue(out.contains("  stop          100 x 6  (breakeven, not moved)\n  realized PnL  4.9  (fees 0.1)\n"), out);
        assertTrue(out.contains("  status        closed: pnl 0.049 on the initial margin; the trade would be recorded "
                + "as trade_id p1\n"), out);
        assertTrue(out.startsWith("Plan p1: long 10 BTCUSDT @ 100, leverage 10"), out);
    }

    @Test
    void jsonLinesCarryExactlyThePlanEntryFieldsOfSpecNine() throws Exception {
        Run run = execute(args(WORKED, args(WORKED_FILLS, "--json", "--position-id", "pos-7", "--symbol", "ETHUSDT")));

        List<Map<String, String>> lines = lines(run);
        for (Map<String, String> entry : lines.subList(1, 3)) {
            assertEquals(PLAN_ENTRY, List.copyOf(entry.keySet()));
        }
        List<String> closed = new ArrayList<>(PLAN_ENTRY);
        closed.addAll(List.of("pnl", "trade_recorded"));
        assertEquals(closed, List.copyOf(lines.get(3).keySet()));
        assertEquals("pos-7", lines.get(3).get("position_id"));
        assertEquals("ETHUSDT", lines.get(3).get("symbol"));
        assertEquals("cli:3", lines.get(3).get("source_id"));
        assertEquals("f3", lines.get(3).get("fill_id"));
        assertTrue(lines.get(0).keySet().containsAll(List.of("tp1_price", "sl_price", "tp1_qty", "plan", "timestamp")));
    }

    @Test
    void aBadFillIsAUsageErrorNamingTheFlagValue() {
        for (String bad : List.of("tp4:1@101", "tp1:1", "tp1", "tp1:0@101", "tp1:1@-5", "tp1:1@101:fee=abc",
                "tp1:1@101:size=2", "tp1:1@101:fee=0.1:fee=0.2", "tp1:1@101:id=")) {
            Run run = execute(args(WORKED, "--fill", "tp1:3@101", "--fill", bad));

            assertEquals(2, run.status(), bad + ": " + run.out());
            assertTrue(run.err().contains("--fill " + bad + ":"), run.err());
            assertEquals("", run.out(), "nothing is printed before the fills are all read");
        }
    }

    @Test
    void anOverfillIsPrintedInTheSequenceAndLaterFillsStillApply() throws Exception {
        Run run = execute(args(WORKED, "--json", "--fill", "tp1:3@101", "--fill", "sl:8@99", "--fill", "sl:7@99",
                "--fill", "close:1@99"));

        assertEquals(0, run.status(), run.err());
        List<Map<String, String>> lines = lines(run);
        assertEquals(5, lines.size(), run.out());
        assertEquals("7", lines.get(1).get("open_quantity"));
        assertEquals(Map.of("error", "overfill", "reason", "fill f2 quantity 8 is above the open quantity 7 of position "
                + "p1; the plan is unchanged."), lines.get(2));
        assertEquals("f3", lines.get(3).get("fill_id"));
        assertEquals("0", lines.get(3).get("open_quantity"), "applied to the plan the overfill left unchanged");
        assertEquals("closed", lines.get(3).get("status"));
        assertEquals("-4", lines.get(3).get("realized_pnl")); // 3·(101−100) + 7·(99−100)
        assertEquals("position_closed", lines.get(4).get("error"));

        Run human = execute(args(WORKED, "--fill", "tp1:3@101", "--fill", "sl:8@99", "--fill", "sl:7@99"));
        assertTrue(human.out().contains("f2: sl 8 @ 99: refused, dead letter overfill: fill f2 quantity 8 is above"),
                human.out());
        assertTrue(human.out().contains("f3: sl 7 @ 99\n  open quantity 0\n"), human.out());
    }

    @Test
    void aFillIdAppliedBeforeChangesNothing() throws Exception {
        Run run = execute(args(WORKED, "--json", "--fill", "tp1:3@101:id=a", "--fill", "tp2:1@102:id=a",
                "--fill", "tp2:1@102:id=b"));

        List<Map<String, String>> lines = lines(run);
        assertEquals(3, lines.size(), "no entry for the repeated id: " + run.out());
        assertEquals("b", lines.get(2).get("fill_id"));
        assertEquals("6", lines.get(2).get("open_quantity"));
    }

    @Test
    void stopRulesFromFlags() throws Exception {
        Run keep = execute(args(WORKED, "--json", "--after-tp1", "keep", "--fill", "tp1:3@101"));
        assertEquals("false", lines(keep).get(1).get("stop_moved"));
        assertEquals("initial", lines(keep).get(1).get("stop_reason"));

        Run offset = execute(args(WORKED, "--json", "--breakeven-offset", "0.001", "--fill", "tp1:3@101"));
        assertEquals("100.1", lines(offset).get(1).get("sl_price"));

        // stage 2 reached: the after-tp2 rule, tp1's price by default, breakeven with the flag
        Run tp1 = execute(args(WORKED, "--json", "--fill", "tp2:3@102"));
        Map<String, String> moved = lines(tp1).get(1);
        assertEquals(moved.get("tp1_price"), moved.get("sl_price"));
        assertEquals("tp1", moved.get("stop_reason"));
        Run breakeven = execute(args(WORKED, "--json", "--after-tp2", "breakeven", "--fill", "tp2:3@102"));
        assertEquals("100", lines(breakeven).get(1).get("sl_price"));

        Run bad = execute(args(WORKED, "--after-tp1", "tp1"));
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("--after-tp1 is \"tp1\", expected one of breakeven, keep"), bad.err());
        Run far = execute(args(WORKED, "--breakeven-offset", "0.02"));
        assertEquals(2, far.status());
        assertTrue(far.err().contains("--breakeven-offset"), far.err());
    }

    @Test
    void aPlanNeedsSideEntryAndQuantity() {
        Run run = execute("plan", "--leverage", "10", "--entry", "100", "--fill", "tp1:1@101");

        assertEquals(2, run.status());
        assertTrue(run.err().contains("a plan needs a position with --side, --entry and --quantity; missing: --side, "
                + "--quantity"), run.err());
        assertEquals("", run.out());
        assertEquals(2, execute("plan", "--side", "long", "--entry", "100", "--quantity", "1").status(),
                "--leverage is required, as for levels");
    }

    @Test
    void aPositionTheWorkerRefusesIsAUsageError() {
        Run run = execute("plan", "--leverage", "79.1", "--side", "long", "--entry", "28.5", "--quantity", "1",
                "--tick", "0.5");

        assertEquals(2, run.status(), run.out());
        assertTrue(run.err().contains("exitbrain plan: liquidation: tick_size 0.5"), run.err());
        assertFalse(run.out().contains("stop"), run.out());
    }
}
