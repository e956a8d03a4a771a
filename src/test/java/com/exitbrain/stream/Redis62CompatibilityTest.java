package com.exitbrain.stream;

import com.exitbrain.app.Daemon;

import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static com.exitbrain.testing.Streams.STATS;
import static com.exitbrain.testing.Streams.TRADES;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.testing.Http;
import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.Streams;
import com.exitbrain.testing.WorkerHarness;
import io.lettuce.core.Consumer;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Redis 6.2 is the oldest supported server: XAUTOCLAIM exists, XINFO GROUPS has no lag yet. */
class Redis62CompatibilityTest {

    @Test
    void workerRunsOnRedis62IncludingClaimsAndHealth() throws Exception {
        try (RedisProcess server = RedisProcess.startRedis62(); Streams streams = new Streams(server)) {
            assertTrue(streams.redis.info("server").contains("redis_version:6.2"), "not a 6.2 server");
            streams.redis.xgroupCreate(StreamOffset.from(POSITIONS, "0"), "exitbrain", XGroupCreateArgs.Builder.mkstream(true));
            for (int i = 0; i < 20; i++) {
                streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "20", "position_id", "p" + i);
            }
            streams.redis.xreadgroup(Consumer.from("exitbrain", "dead"), XReadArgs.Builder.count(5),
                    StreamOffset.lastConsumed(POSITIONS));
            streams.add(TRADES, "trade_id", "t1", "symbol", "BTCUSDT", "leverage", "20", "pnl", "0.01");
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_CLAIM_MIN_IDLE_MS", "200")) {
                await().atMost(Duration.ofSeconds(30)).until(() -> streams.length(LEVELS) == 20
                        && streams.length(STATS) == 1 && streams.pending(POSITIONS) == 0);
                await().atMost(Duration.ofSeconds(10)).until(() -> streams.pending(TRADES) == 0);
                Http.Response health = Http.health(worker.healthPort());
                assertEquals(200, health.status(), health.body());
                // 6.2's XINFO GROUPS has no lag: the worker works it out from the last-delivered id
                assertEquals(Http.CAUGHT_UP, health.stream(POSITIONS), health.body());
                assertEquals(Http.CAUGHT_UP, health.stream(TRADES), health.body());
            }
            assertEquals(20, streams.entries(LEVELS).stream().map(e -> e.get("position_id")).distinct().count());
        }
    }
}
