package com.exitbrain.stream;

import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static com.exitbrain.testing.Streams.STATS;
import static com.exitbrain.testing.Streams.TRADES;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.exitbrain.app.Daemon;
import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.Streams;
import com.exitbrain.testing.WorkerHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A batch is computed while the batch before it still runs in Redis, from what that batch predicts
 * (BatchProcessor#pipelined): the levels of a position read right after trades are computed with
 * the average those trades make, not the one stored before them, and no entry has to be computed
 * twice for it; every output still exactly once.
 */
class PipelinedBatchesTest {
    @Test
    void positionsAfterTradesStillInFlightUseTheAverageTheyMakeWithoutBeingComputedAgain() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            drainAndCheck(server, streams);
        }
    }

    private static void drainAndCheck(RedisProcess server, Streams streams) {
        // Given a backlog of trades and positions of one scope, alternating, read 7 of each at a time
        int pairs = 150;
        TreeMap<String, String> tradeIds = new TreeMap<>(GroupSetup::compare);
        List<String> positionIds = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            String pnl = Double.toString(((i * 37) % 21 - 10) / 1000.0);
            tradeIds.put(streams.add(TRADES, "trade_id", "t" + i, "symbol", "BTCUSDT", "leverage", "20", "pnl", pnl),
                    "t" + i);
            positionIds.add(streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "20", "position_id", "p" + i));
        }

        // When one worker drains it
        try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_BATCH_SIZE", "7")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> streams.length(LEVELS) >= pairs
                    && streams.length(STATS) >= pairs && streams.pending(POSITIONS) == 0 && streams.pending(TRADES) == 0);

            // Then each position's levels carry the average of the trades before it, as their stats say
            Map<String, String> averageAfterTrade = new HashMap<>();
            for (Map<String, String> stats : streams.entries(STATS)) {
                averageAfterTrade.put(stats.get("trade_id"), stats.get("avg_pnl_last_20"));
            }
            Map<String, Map<String, String>> levelsBySource = new HashMap<>();
            for (Map<String, String> levels : streams.entries(LEVELS)) {
                levelsBySource.put(levels.get("source_id"), levels);
            }
            assertEquals(pairs, levelsBySource.size());
            for (String positionId : positionIds) {
                Map<String, String> levels = levelsBySource.get(positionId);
                assertNotNull(levels, "levels of " + positionId);
                var before = tradeIds.lowerEntry(positionId);
                double expected = before == null ? 0 : Double.parseDouble(averageAfterTrade.get(before.getValue()));
                assertEquals(expected, Double.parseDouble(levels.get("avg_pnl_last_20")), 0.0,
                        "average in the levels of " + positionId + " (after trade " + before + ")");
            }
            // and none was refused as computed from a stale average: the batch in flight's prediction was used
            String metrics = worker.metrics().scrape();
            assertFalse(metrics.lines().anyMatch(l -> l.startsWith("exitbrain_pnl_conflicts_total") && !l.endsWith(" 0.0")),
                    metrics);
            assertEquals(Integer.toString(pairs), streams.redis.hget("exitbrain:pnl:global", "total_trades"));
        }
    }
}
