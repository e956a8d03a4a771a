package com.exitbrain.stream;

import com.exitbrain.app.Daemon;

import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static com.exitbrain.testing.Streams.STATS;
import static com.exitbrain.testing.Streams.TRADES;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.Streams;
import com.exitbrain.testing.WorkerHarness;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rolling PnL in Redis tunes the levels (SPEC §1 step 4, §2), and its stats are published. */
class PnlFeedbackTest {
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

    private Map<String, String> levelsFor(String sourceId) {
        return streams.awaitEntry(LEVELS, "source_id", sourceId);
    }

    private void awaitStats(int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> streams.length(STATS) == count);
    }

    @Test
    void losingTradesTightenTheLevels() {
        worker = WorkerHarness.start(server);
        streams.add(TRADES, "trade_id", "a", "symbol", "BTCUSDT", "leverage", "20", "pnl", "-0.02");
        streams.add(TRADES, "trade_id", "b", "symbol", "ETHUSDT", "leverage", "5", "pnl", "0.01");
        awaitStats(2);
        Map<String, String> confident = levelsFor(streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "10",
                "confidence", "0.75"));
        assertEquals("0.9", confident.get("adjustment"));
        assertEquals("-0.005", confident.get("avg_pnl_last_20"));
        Map<String, String> unsure = levelsFor(streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "10",
                "confidence", "0.4"));
        assertEquals("0.855", unsure.get("adjustment"));
        // SPEC §1: every level is multiplied by the adjustment
        double lsf = 1 / (1 + Math.log(11));
        assertEquals(0.01 * (0.6 + lsf) * 1.4 * 0.855, Double.parseDouble(unsure.get("tp1")), 1e-15);
    }

    @Test
    void strongProfitsWidenTheLevels() {
        worker = WorkerHarness.start(server);
        streams.add(TRADES, "trade_id", "w1", "symbol", "BTCUSDT", "leverage", "50", "pnl", "0.5");
        streams.add(TRADES, "trade_id", "w2", "symbol", "BTCUSDT", "leverage", "50", "pnl", "0.2");
        awaitStats(2);
        Map<String, String> e = levelsFor(streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "10",
                "confidence", "0.9"));
        assertEquals("0.35", e.get("avg_pnl_last_20"));
        assertEquals("1.1", e.get("adjustment"));
    }

    @Test
    void statsEntryCarriesTheWindowAndBuckets() throws Exception {
        worker = WorkerHarness.start(server);
        streams.add(TRADES, "trade_id", "t1", "symbol", "BTCUSDT", "leverage", "5", "pnl", "0.01");
        streams.add(TRADES, "trade_id", "t2", "symbol", "BTCUSDT", "leverage", "20", "pnl", "-0.03");
        streams.add(TRADES, "trade_id", "t3", "symbol", "ETHUSDT", "leverage", "50", "pnl", "0.05",
                "closed_at", "2026-11-24T10:00:00Z");
        awaitStats(3);
        List<Map<String, String>> stats = streams.entries(STATS);
        Map<String, String> last = stats.get(2);
        assertEquals("global", last.get("scope"));
        assertEquals("t3", last.get("trade_id"));
        assertEquals("ETHUSDT", last.get("symbol"));
        assertEquals("50", last.get("leverage"));
        assertEquals("0.05", last.get("pnl"));
        assertEquals("0.01", last.get("avg_pnl_last_20"));
        assertEquals("0.6666666666666667", last.get("win_rate"));
        assertEquals("3", last.get("window_trades"));
        assertEquals("3", last.get("total_trades"));
        assertEquals("2026-11-24T10:00:00Z", last.get("closed_at"));
        JsonNode buckets = new ObjectMapper().readTree(last.get("by_leverage"));
        assertEquals(1, buckets.get("le10").get("count").asInt());
        assertEquals("0.01", buckets.get("le10").get("avg_pnl").decimalValue().toPlainString());
        assertEquals(1, buckets.get("10to30").get("count").asInt());
        assertEquals(0, buckets.get("10to30").get("win_rate").asInt());
        assertEquals(1, buckets.get("gt30").get("count").asInt());
        assertEquals("1", stats.get(0).get("total_trades"));
    }

    @Test
    void windowKeepsOnlyTheLastNTrades() {
        worker = WorkerHarness.start(server, "EXITBRAIN_PNL_WINDOW", "3");
        for (int i = 1; i <= 5; i++) {
            streams.add(TRADES, "trade_id", "t" + i, "symbol", "BTCUSDT", "leverage", "5", "pnl", "0.0" + i);
        }
        awaitStats(5);
        Map<String, String> last = streams.entries(STATS).get(4);
        assertEquals("3", last.get("window_trades"));
        assertEquals("5", last.get("total_trades"));
        assertEquals("0.04", last.get("avg_pnl_last_20"), "mean of 0.03, 0.04, 0.05");
    }

    @Test
    void symbolScopeKeepsSymbolsApart() {
        worker = WorkerHarness.start(server, "EXITBRAIN_PNL_SCOPE", "symbol");
        streams.add(TRADES, "trade_id", "l1", "symbol", "BTCUSDT", "leverage", "20", "pnl", "-0.04");
        streams.add(TRADES, "trade_id", "p1", "symbol", "ETHUSDT", "leverage", "20", "pnl", "0.4");
        awaitStats(2);
        List<Map<String, String>> stats = streams.entries(STATS);
        assertEquals("symbol:BTCUSDT", stats.get(0).get("scope"));
        assertEquals("symbol:ETHUSDT", stats.get(1).get("scope"));
        assertEquals("1", stats.get(1).get("total_trades"));
        assertEquals("0.9", levelsFor(streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "10",
                "confidence", "0.6")).get("adjustment"));
        assertEquals("1.1", levelsFor(streams.add(POSITIONS, "symbol", "ETHUSDT", "leverage", "10",
                "confidence", "0.6")).get("adjustment"));
        assertEquals("1", levelsFor(streams.add(POSITIONS, "symbol", "SOLUSDT", "leverage", "10",
                "confidence", "0.6")).get("adjustment"), "a symbol with no trades has average 0");
    }

    @Test
    void symbolScopesExpireAfterTheirLastTradeAndTheGlobalOneDoesNot() {
        worker = WorkerHarness.start(server, "EXITBRAIN_PNL_SCOPE", "symbol", "EXITBRAIN_PNL_SCOPE_TTL_SECONDS", "2");
        streams.add(TRADES, "trade_id", "x1", "symbol", "RANDOMUSDT", "leverage", "20", "pnl", "-0.04");
        awaitStats(1);
        long ttl = streams.redis.ttl("exitbrain:pnl:symbol:RANDOMUSDT");
        assertTrue(ttl > 0 && ttl <= 2, "scope ttl " + ttl);
        assertTrue(streams.redis.ttl("exitbrain:pnl:symbol:RANDOMUSDT:window") > 0);
        assertEquals(-1, streams.redis.ttl("exitbrain:pnl:global"), "the global scope never expires");
        assertEquals("0.9", levelsFor(streams.add(POSITIONS, "symbol", "RANDOMUSDT", "leverage", "10",
                "confidence", "0.6")).get("adjustment"));
        await().atMost(Duration.ofSeconds(10)).until(() -> streams.redis.exists("exitbrain:pnl:symbol:RANDOMUSDT",
                "exitbrain:pnl:symbol:RANDOMUSDT:window") == 0);
        // the worker's own memory of the scope is verified by the commit script: the expired scope counts as empty
        assertEquals("1", levelsFor(streams.add(POSITIONS, "symbol", "RANDOMUSDT", "leverage", "10",
                "confidence", "0.6")).get("adjustment"));
        streams.add(TRADES, "trade_id", "x2", "symbol", "RANDOMUSDT", "leverage", "20", "pnl", "0.04");
        awaitStats(2);
        assertEquals("1", streams.entries(STATS).get(1).get("total_trades"), "a fresh window after expiry");
    }

    @Test
    void tradeSentThreeTimesIsCountedOnce() {
        worker = WorkerHarness.start(server);
        for (int i = 0; i < 3; i++) {
            streams.add(TRADES, "trade_id", "same", "symbol", "BTCUSDT", "leverage", "20", "pnl", "0.02");
        }
        streams.add(TRADES, "position_id", "same", "symbol", "BTCUSDT", "leverage", "20", "pnl", "0.02");
        streams.add(TRADES, "trade_id", "other", "symbol", "BTCUSDT", "leverage", "20", "pnl", "0.04");
        awaitStats(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> streams.pending(TRADES) == 0);
        List<Map<String, String>> stats = streams.entries(STATS);
        assertEquals(2, stats.size());
        assertEquals("2", stats.get(1).get("total_trades"));
        assertEquals("0.03", stats.get(1).get("avg_pnl_last_20"));
    }

    @Test
    void recordedTradeIsNotCountedAgainAfterARestart() {
        worker = WorkerHarness.start(server);
        streams.add(TRADES, "trade_id", "once", "symbol", "BTCUSDT", "leverage", "20", "pnl", "0.02");
        awaitStats(1);
        worker.close();
        worker = WorkerHarness.start(server, "EXITBRAIN_CONSUMER", "another");
        streams.add(TRADES, "trade_id", "once", "symbol", "BTCUSDT", "leverage", "20", "pnl", "0.02");
        streams.add(TRADES, "trade_id", "twice", "symbol", "BTCUSDT", "leverage", "20", "pnl", "0.02");
        // every trade read and acked: a second count of "once" would be there by now
        await().atMost(Duration.ofSeconds(10)).until(() -> streams.handled(TRADES));
        List<Map<String, String>> stats = streams.entries(STATS);
        assertEquals(List.of("once", "twice"), stats.stream().map(e -> e.get("trade_id")).toList());
        assertEquals(List.of("1", "2"), stats.stream().map(e -> e.get("total_trades")).toList());
        assertEquals("2", streams.redis.hget("exitbrain:pnl:global", "total_trades"));
    }

    /**
     * A worker remembers each scope's average between batches and the publish script checks it:
     * a trade recorded by another worker in between (its script writes the scope's avg_pnl, as
     * here) must be seen by the very next levels, not by some later ones.
     */
    /** The avg_pnl_last_20 of the levels of a new leverage-10 position on {@code symbol}. */
    private String averageOfNewLevels(String symbol) {
        return levelsFor(streams.add(POSITIONS, "symbol", symbol, "leverage", "10")).get("avg_pnl_last_20");
    }

    @Test
    void anAverageChangedByAnotherWorkerIsUsedByTheNextLevels() {
        worker = WorkerHarness.start(server);
        assertEquals("0", levelsFor(streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "10")).get("avg_pnl_last_20"));
        streams.redis.hset("exitbrain:pnl:global", "avg_pnl", "-0.01");
        Map<String, String> after = levelsFor(streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "10",
                "confidence", "0.4"));
        assertEquals("-0.01", after.get("avg_pnl_last_20"));
        assertEquals("0.855", after.get("adjustment"));

        streams.add(TRADES, "trade_id", "own", "symbol", "BTCUSDT", "leverage", "10", "pnl", "0.05");
        awaitStats(1);
        assertEquals("0.05", averageOfNewLevels("BTCUSDT"));
        streams.redis.hset("exitbrain:pnl:global", "avg_pnl", "0.3");
        assertEquals("0.3", averageOfNewLevels("BTCUSDT"));
        await().atMost(Duration.ofSeconds(5)).until(() -> streams.pending(POSITIONS) == 0);
        assertEquals(4, streams.length(LEVELS));
    }

    @Test
    void anAverageChangedByAnotherWorkerIsUsedInSymbolScopeToo() {
        worker = WorkerHarness.start(server, "EXITBRAIN_PNL_SCOPE", "symbol");
        streams.add(TRADES, "trade_id", "e1", "symbol", "ETHUSDT", "leverage", "10", "pnl", "0.04");
        awaitStats(1);
        assertEquals("0.04", averageOfNewLevels("ETHUSDT"));
        streams.redis.hset("exitbrain:pnl:symbol:ETHUSDT", "avg_pnl", "-0.02");
        assertEquals("-0.02", averageOfNewLevels("ETHUSDT"));
        assertEquals("0", averageOfNewLevels("BTCUSDT"));
        assertEquals(3, streams.length(LEVELS));
    }

    /**
     * A worker takes its own last recording for the scope's state and every id for new; a resent
     * trade in the same batch as new ones (one MULTI: one delivery) proves both guesses wrong at
     * once, and must still be counted once, with the new ones counted in order after it.
     */
    @Test
    void aResentTradeAmongNewOnesInOneBatchIsCountedOnce() {
        worker = WorkerHarness.start(server);
        streams.add(TRADES, "trade_id", "t1", "symbol", "BTCUSDT", "leverage", "20", "pnl", "0.01");
        awaitStats(1);
        streams.redis.multi();
        streams.add(TRADES, "trade_id", "t1", "symbol", "BTCUSDT", "leverage", "20", "pnl", "0.01");
        streams.add(TRADES, "trade_id", "t2", "symbol", "BTCUSDT", "leverage", "20", "pnl", "0.02");
        streams.add(TRADES, "trade_id", "t3", "symbol", "BTCUSDT", "leverage", "20", "pnl", "0.06");
        streams.redis.exec();
        awaitStats(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> streams.pending(TRADES) == 0);
        List<Map<String, String>> stats = streams.entries(STATS);
        assertEquals(List.of("t1", "t2", "t3"), stats.stream().map(e -> e.get("trade_id")).toList());
        assertEquals(List.of("1", "2", "3"), stats.stream().map(e -> e.get("total_trades")).toList());
        assertEquals("0.03", stats.get(2).get("avg_pnl_last_20"));
        assertEquals("0.03", levelsFor(streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "10"))
                .get("avg_pnl_last_20"));
    }

    /**
     * One trade id under two symbols in one batch, with the first one's scope changed by another
     * worker: the worker takes the second for a duplicate of the first, but the first is refused
     * (stale version) and not recorded. The second must then not be recorded with stats that leave
     * it out (it was, under symbol scope: window and stats disagreed); the first recording wins.
     */
    @Test
    void aTradeIdTakenForADuplicateOfOneThatLostARaceIsNotRecordedWithStaleStats() {
        worker = WorkerHarness.start(server, "EXITBRAIN_PNL_SCOPE", "symbol");
        streams.add(TRADES, "trade_id", "e1", "symbol", "ETHUSDT", "leverage", "10", "pnl", "0.1");
        streams.add(TRADES, "trade_id", "s1", "symbol", "SOLUSDT", "leverage", "10", "pnl", "0.2");
        awaitStats(2);
        streams.redis.hincrby("exitbrain:pnl:symbol:ETHUSDT", "total_trades", 1); // another worker
        streams.redis.multi();
        streams.add(TRADES, "trade_id", "Y", "symbol", "ETHUSDT", "leverage", "10", "pnl", "0.3");
        streams.add(TRADES, "trade_id", "Y", "symbol", "SOLUSDT", "leverage", "10", "pnl", "0.4");
        streams.redis.exec();
        awaitStats(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> streams.pending(TRADES) == 0);
        assertEquals(3, streams.length(STATS));
        Map<String, String> y = streams.entries(STATS).get(2);
        assertEquals("symbol:ETHUSDT", y.get("scope"));
        assertEquals("0.2", y.get("avg_pnl_last_20"));
        assertEquals(1, streams.redis.llen("exitbrain:pnl:symbol:SOLUSDT:window"));
        assertEquals("1", streams.redis.hget("exitbrain:pnl:symbol:SOLUSDT", "total_trades"));
        assertEquals("0.2", averageOfNewLevels("SOLUSDT"));
    }
}
