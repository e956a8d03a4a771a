package com.exitbrain.stream;

import static com.exitbrain.testing.Streams.DLQ;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A batch whose entries cannot all be written: the others still land, the one that cannot stays
 * pending with nothing written for it, and it is committed exactly once when it can be.
 */
class CommitFailureTest {

    @Test
    void anEntryWhoseOutputCannotBeWrittenStaysPendingWhileTheOthersLand() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            // the dead-letter stream's key holds a string: a dead letter cannot be written there
            streams.redis.set(DLQ, "not a stream");
            streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "10");
            String bad = streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "500");
            streams.add(POSITIONS, "symbol", "ETHUSDT", "leverage", "20");
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_CLAIM_MIN_IDLE_MS", "200")) {
                await().atMost(Duration.ofSeconds(10)).until(() -> streams.length(LEVELS) == 2);
                await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                        .until(() -> streams.pending(POSITIONS) == 1);
                assertEquals(bad, streams.redis.xpending(POSITIONS, "exitbrain").getMessageIds().getLower()
                        .getValue());
                // the operator removes the key: the dead letter is written once
                streams.redis.del(DLQ);
                await().atMost(Duration.ofSeconds(15)).until(() -> streams.pending(POSITIONS) == 0);
                List<Map<String, String>> letters = streams.entries(DLQ);
                assertEquals(1, letters.size(), letters.toString());
                assertEquals("out_of_range", letters.get(0).get("error"));
                assertEquals(2, streams.length(LEVELS));
            }
        }
    }

    @Test
    void aTradeWhoseScopeKeyHasTheWrongTypeWritesNothingAndIsRecordedOnceLater() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            streams.redis.set("exitbrain:pnl:global:window", "damaged");
            streams.add(TRADES, "trade_id", "t1", "symbol", "BTCUSDT", "leverage", "10", "pnl", "0.02");
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_CLAIM_MIN_IDLE_MS", "200")) {
                await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5))
                        .until(() -> streams.pending(TRADES) == 1 && streams.length(STATS) == 0
                                && streams.redis.exists("exitbrain:trade:t1") == 0);
                streams.redis.del("exitbrain:pnl:global:window");
                await().atMost(Duration.ofSeconds(15)).until(() -> streams.pending(TRADES) == 0);
                assertEquals(1, streams.length(STATS));
                assertEquals("t1", streams.entries(STATS).get(0).get("trade_id"));
                assertTrue(streams.redis.exists("exitbrain:trade:t1") == 1);
            }
        }
    }
}
