package com.exitbrain.stream;

import com.exitbrain.app.Daemon;

import static com.exitbrain.testing.Streams.DLQ;
import static com.exitbrain.testing.Streams.FILLS;
import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.PLANS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static com.exitbrain.testing.Streams.STATS;
import static com.exitbrain.testing.Streams.TRADES;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.plan.ExitPlan;
import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.Streams;
import com.exitbrain.testing.WorkerHarness;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SPEC §9 through the worker: plans created with the levels, fills applied, the closed trade recorded. */
class ExitPlanWorkerTest {
    RedisProcess server;
    Streams streams;
    Daemon worker;

    @BeforeEach
    void start() {
        server = RedisProcess.start();
        streams = new Streams(server);
    }

    @AfterEach
    void stop() {
        if (worker != null) {
            worker.close();
        }
        streams.close();
        server.close();
    }

    /** 10x long at 100 with tick 0.01, lot 1: the worked check's stages 3/3/4 (harvest 30/30/40). */
    private Map<String, String> openPosition(String id) {
        String source = streams.add(POSITIONS, "position_id", id, "symbol", "BTCUSDT", "leverage", "10",
                "side", "long", "entry_price", "100", "quantity", "10", "tick_size", "0.01", "lot_size", "1");
        return streams.awaitEntry(LEVELS, "source_id", source);
    }

    private String fill(String position, String order, String quantity, String price, String... more) {
        String[] pairs = new String[8 + more.length];
        String[] base = {"position_id", position, "order", order, "quantity", quantity, "price", price};
        System.arraycopy(base, 0, pairs, 0, 8);
        System.arraycopy(more, 0, pairs, 8, more.length);
        return streams.add(FILLS, pairs);
    }

    private Map<String, String> planEntry(String source) {
        return streams.awaitEntry(PLANS, "source_id", source);
    }

    private Map<String, String> deadLetter(String source) {
        return streams.awaitEntry(DLQ, "source_id", source);
    }

    private void awaitNothingPending() {
        await().atMost(Duration.ofSeconds(15)).until(() -> streams.pending(FILLS) == 0 && streams.pending(POSITIONS) == 0
                && streams.pending(TRADES) == 0 && streams.length(FILLS) > 0);
    }

    @Test
    void theWorkedCheckOfSpecSectionNine() {
        worker = WorkerHarness.start(server);
        Map<String, String> levels = openPosition("P1");
        assertEquals("created", levels.get("plan"));
        String tp1Price = levels.get("tp1_price");
        assertEquals("3", levels.get("tp1_qty"));

        Map<String, String> first = planEntry(fill("P1", "tp1", "3", tp1Price, "fee", "0.1", "fill_id", "f1"));
        assertEquals("7", first.get("open_quantity"));
        assertEquals(List.of("0", "3", "4"), List.of(first.get("tp1_qty"), first.get("tp2_qty"), first.get("tp3_qty")));
        assertEquals("100", first.get("sl_price"));
        assertEquals("breakeven", first.get("stop_reason"));
        assertEquals("true", first.get("stop_moved"));
        assertEquals("7", first.get("sl_qty"));
        assertEquals("open", first.get("status"));
        String expectedRealized = new java.math.BigDecimal(tp1Price).subtract(new java.math.BigDecimal("100"))
                .multiply(new java.math.BigDecimal("3")).subtract(new java.math.BigDecimal("0.1")).stripTrailingZeros()
                .toPlainString();
        assertEquals(expectedRealized, first.get("realized_pnl"));
        assertEquals("0.1", first.get("fees"));

        Map<String, String> second = planEntry(fill("P1", "tp2", "1", "102", "fill_id", "f2"));
        assertEquals("6", second.get("open_quantity"));
        assertEquals(List.of("0", "2", "4"), List.of(second.get("tp1_qty"), second.get("tp2_qty"), second.get("tp3_qty")));
        assertEquals("false", second.get("stop_moved"));
        assertEquals("100", second.get("sl_price"));

        Map<String, String> last = planEntry(fill("P1", "sl", "6", "100", "fill_id", "f3"));
        assertEquals("0", last.get("open_quantity"));
        assertEquals(List.of("0", "0", "0"), List.of(last.get("tp1_qty"), last.get("tp2_qty"), last.get("tp3_qty")));
        assertEquals("closed", last.get("status"));
        assertEquals("true", last.get("trade_recorded"));
        Map<String, String> stats = streams.awaitEntry(STATS, "trade_id", "P1");
        assertEquals(last.get("pnl"), stats.get("pnl"));
        assertEquals("BTCUSDT", stats.get("symbol"));
        assertEquals("10", stats.get("leverage"));
        assertEquals("1", stats.get("total_trades"));
        // the plan and its fill ids expire: closed plans after a day
        long ttl = streams.redis.ttl("exitbrain:plan:P1");
        assertTrue(ttl > 0 && ttl <= 86_400, "closed plan ttl " + ttl);
    }

    @Test
    void theSpecWorkedCheckPnlIsExact() {
        worker = WorkerHarness.start(server);
        // levels are what the engine gives; the worked check's own prices are forced through the plan hash
        openPosition("W");
        awaitNothingPendingOn(POSITIONS);
        ExitPlan p = storedPlan("W");
        streams.redis.hset("exitbrain:plan:W", "state", new ExitPlan(p.positionId(), p.symbol(), p.side(), p.leverage(),
                p.entryPrice(), p.quantity(), p.tickSize(), List.of(new BigDecimal("101.00"), new BigDecimal("102.00"),
                new BigDecimal("103.00")), new BigDecimal("99.00"), p.remaining(), p.reached(), p.openQuantity(),
                p.realizedPnl(), p.fees(), p.stopReason(), p.closed(), p.version()).encode());
        planEntry(fill("W", "tp1", "3", "101.00", "fee", "0.1"));
        planEntry(fill("W", "tp2", "1", "102.00"));
        Map<String, String> last = planEntry(fill("W", "sl", "6", "100.00"));
        assertEquals("4.9", last.get("realized_pnl"));
        assertEquals("0.049", last.get("pnl"));
        assertEquals("0.049", streams.awaitEntry(STATS, "trade_id", "W").get("pnl"));
    }

    private ExitPlan storedPlan(String id) {
        String key = "exitbrain:plan:" + id;
        return ExitPlan.decode(id, streams.redis.hget(key, "state"), streams.redis.hget(key, "v"));
    }

    private void awaitNothingPendingOn(String stream) {
        await().atMost(Duration.ofSeconds(15)).until(() -> streams.pending(stream) == 0 && streams.length(stream) > 0);
    }

    @Test
    void aFillIdAppliedBeforeChangesNothingEvenWithAnotherQuantityOrAfterARestart() {
        worker = WorkerHarness.start(server);
        openPosition("P2");
        planEntry(fill("P2", "tp1", "3", "101", "fill_id", "same"));
        fill("P2", "tp1", "3", "101", "fill_id", "same");
        fill("P2", "tp2", "1", "102", "fill_id", "same");
        awaitNothingPending();
        worker.close();
        worker = WorkerHarness.start(server);
        fill("P2", "sl", "2", "99", "fill_id", "same");
        String marker = fill("P2", "tp2", "1", "102", "fill_id", "other");
        planEntry(marker);
        awaitNothingPending();
        assertEquals(2, streams.length(PLANS), streams.entries(PLANS).toString());
        assertEquals(0, streams.length(DLQ), streams.entries(DLQ).toString());
    }

    @Test
    void fillsThatCannotApplyAreDeadLettersWithTheirReason() {
        worker = WorkerHarness.start(server);
        Map<String, String> unknown = deadLetter(fill("nobody", "tp1", "1", "100"));
        assertEquals("unknown_position", unknown.get("error"));
        assertTrue(unknown.get("reason").contains("nobody"), unknown.get("reason"));

        openPosition("P3");
        Map<String, String> over = deadLetter(fill("P3", "sl", "10.5", "99"));
        assertEquals("overfill", over.get("error"));
        assertTrue(over.get("reason").contains("10.5") && over.get("reason").contains("P3"), over.get("reason"));

        planEntry(fill("P3", "close", "10", "100.5"));
        Map<String, String> closed = deadLetter(fill("P3", "tp1", "1", "101"));
        assertEquals("position_closed", closed.get("error"));

        assertEquals("out_of_range", deadLetter(fill("P3", "tp1", "0", "101")).get("error"));
        assertEquals("out_of_range", deadLetter(fill("P3", "tp1", "1", "-1")).get("error"));
        assertEquals("invalid_value", deadLetter(fill("P3", "tp4", "1", "101")).get("error"));
        assertEquals("missing_field", deadLetter(streams.add(FILLS, "order", "tp1", "quantity", "1", "price", "1"))
                .get("error"));
        assertEquals("invalid_number", deadLetter(fill("P3", "tp1", "1", "101", "fee", "abc")).get("error"));
        // a dead-lettered fill id was not applied: sent again with a fitting quantity to a new plan, it is
        openPosition("P4");
        String overfill = fill("P4", "sl", "11", "99", "fill_id", "retry");
        assertEquals("overfill", deadLetter(overfill).get("error"));
        assertEquals("0", planEntry(fill("P4", "sl", "10", "99", "fill_id", "retry")).get("open_quantity"));
    }

    @Test
    void aPositionIdSeenBeforeKeepsItsPlanAndPositionsWithoutTheFourFieldsGetNone() {
        worker = WorkerHarness.start(server);
        openPosition("P5");
        planEntry(fill("P5", "tp1", "3", "101"));
        assertEquals("exists", openPosition("P5").get("plan"));
        assertEquals(0, new BigDecimal("7").compareTo(storedPlan("P5").openQuantity()), "the plan was left unchanged");
        String noSide = streams.add(POSITIONS, "position_id", "P6", "symbol", "BTCUSDT", "leverage", "10",
                "entry_price", "100", "quantity", "1");
        assertEquals("none", streams.awaitEntry(LEVELS, "source_id", noSide).get("plan"));
        String noId = streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "10", "side", "short",
                "entry_price", "100", "quantity", "1");
        assertEquals("none", streams.awaitEntry(LEVELS, "source_id", noId).get("plan"));
        long ttl = streams.redis.ttl("exitbrain:plan:P5");
        assertTrue(ttl > 86_400 && ttl <= 2_592_000, "open plan ttl " + ttl);
    }

    @Test
    void aTradeClosedWithThePositionIdBeforeTheCloseMakesTheCloseRecordNothing() {
        worker = WorkerHarness.start(server);
        openPosition("P7");
        streams.add(TRADES, "trade_id", "P7", "symbol", "BTCUSDT", "leverage", "10", "pnl", "0.01");
        streams.awaitEntry(STATS, "trade_id", "P7");
        Map<String, String> closed = planEntry(fill("P7", "sl", "10", "99"));
        assertEquals("closed", closed.get("status"));
        assertEquals("false", closed.get("trade_recorded"));
        awaitNothingPending();
        assertEquals(1, streams.length(STATS));

        openPosition("P8");
        planEntry(fill("P8", "sl", "10", "99"));
        streams.awaitEntry(STATS, "trade_id", "P8");
        streams.add(TRADES, "trade_id", "P8", "symbol", "BTCUSDT", "leverage", "10", "pnl", "0.01");
        awaitNothingPending();
        await().atMost(Duration.ofSeconds(5)).until(() -> streams.pending(TRADES) == 0 && streams.length(TRADES) == 2);
        assertEquals(2, streams.length(STATS), "the later trade-closed with the same id is a duplicate");
    }

    @Test
    void plansDisabledCreateNoPlanAndRefuseFills() {
        worker = WorkerHarness.start(server, "EXITBRAIN_PLAN_ENABLED", "false");
        assertEquals("none", openPosition("P9").get("plan"));
        assertEquals("unknown_position", deadLetter(fill("P9", "tp1", "3", "101")).get("error"));
        assertEquals(0, streams.redis.exists("exitbrain:plan:P9"));
    }

    @Test
    void recordTradesOffClosesThePlanWithoutAStatsEntry() {
        worker = WorkerHarness.start(server, "EXITBRAIN_PLAN_RECORD_TRADES", "false");
        openPosition("P10");
        Map<String, String> closed = planEntry(fill("P10", "close", "10", "101"));
        assertEquals("closed", closed.get("status"));
        assertEquals("false", closed.get("trade_recorded"));
        assertEquals("0.1", closed.get("pnl"));
        awaitNothingPending();
        assertEquals(0, streams.length(STATS));
    }

    @Test
    void stopRulesFromTheSettings() {
        worker = WorkerHarness.start(server, "EXITBRAIN_PLAN_AFTER_TP1", "keep", "EXITBRAIN_PLAN_AFTER_TP2", "breakeven",
                "EXITBRAIN_PLAN_BREAKEVEN_OFFSET", "0.001");
        Map<String, String> levels = openPosition("P11");
        Map<String, String> tp1 = planEntry(fill("P11", "tp1", "3", levels.get("tp1_price")));
        assertEquals("false", tp1.get("stop_moved"));
        assertEquals(levels.get("sl_price"), tp1.get("sl_price"));
        Map<String, String> tp2 = planEntry(fill("P11", "tp2", "3", levels.get("tp2_price")));
        assertEquals("true", tp2.get("stop_moved"));
        assertEquals("100.1", tp2.get("sl_price"), "entry × 1.001 on the tick");
        assertEquals("breakeven", tp2.get("stop_reason"));
    }

    @Test
    void aPositionAndItsFillsInOneBatchAreAppliedInTimeOrder() throws Exception {
        // written before the worker starts: one batch holds the position and all its fills
        openPositionEntry("P12");
        fill("P12", "tp1", "3", "101.5");
        fill("P12", "tp2", "3", "102.5");
        String last = fill("P12", "tp3", "4", "103.5");
        worker = WorkerHarness.start(server);
        Map<String, String> closed = planEntry(last);
        assertEquals("closed", closed.get("status"));
        assertEquals(3, streams.length(PLANS));
        assertEquals(0, streams.length(DLQ), streams.entries(DLQ).toString());
    }

    private void openPositionEntry(String id) {
        streams.add(POSITIONS, "position_id", id, "symbol", "BTCUSDT", "leverage", "10", "side", "long",
                "entry_price", "100", "quantity", "10", "tick_size", "0.01", "lot_size", "1");
    }

    @Test
    void twoWorkersOverInterleavedFillsOfDistinctPositionsApplyEachOnce() {
        com.exitbrain.testing.Backlog.addPlans(streams, 500);
        try (Daemon a = WorkerHarness.start(server, "EXITBRAIN_CONSUMER", "a", "EXITBRAIN_BATCH_SIZE", "20");
             Daemon b = WorkerHarness.start(server, "EXITBRAIN_CONSUMER", "b", "EXITBRAIN_BATCH_SIZE", "20")) {
            com.exitbrain.testing.Backlog.assertPlansExactlyOnce(streams, 500, Duration.ofSeconds(60));
        }
    }

    @Test
    void healthListsTheFillsStreamAndMetricsCountFillsStopMovesAndClosedPlans() {
        worker = WorkerHarness.start(server);
        openPosition("H1");
        planEntry(fill("H1", "tp1", "3", "101.5", "fill_id", "h1"));
        fill("H1", "tp1", "3", "101.5", "fill_id", "h1");
        planEntry(fill("H1", "sl", "7", "100", "fill_id", "h-close"));
        deadLetter(fill("nobody", "sl", "1", "1"));
        awaitNothingPending();
        await().atMost(Duration.ofSeconds(10)).until(() -> com.exitbrain.testing.Http.CAUGHT_UP.equals(
                com.exitbrain.testing.Http.get(worker.healthPort(), "/health").stream(FILLS)));
        String metrics = com.exitbrain.testing.Http.get(worker.healthPort(), "/metrics").body();
        for (String line : List.of("exitbrain_events_total{outcome=\"applied\",type=\"fill\"} 2.0",
                "exitbrain_events_total{outcome=\"duplicate\",type=\"fill\"} 1.0",
                "exitbrain_events_total{outcome=\"dead_letter\",type=\"fill\"} 1.0",
                "exitbrain_plan_stop_moves_total{reason=\"breakeven\"} 1.0",
                "exitbrain_plan_closed_total{trade_recorded=\"true\"} 1.0",
                "exitbrain_dead_letters_total{error=\"unknown_position\"} 1.0")) {
            assertTrue(metrics.contains(line), line + " in\n" + metrics);
        }
    }
}
