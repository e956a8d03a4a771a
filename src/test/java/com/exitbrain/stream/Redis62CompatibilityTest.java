package com.exitbrain.stream;

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
import io.lettuce.core.Consumer;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
                HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + worker.healthPort() + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode(), health.body());
                assertTrue(health.body().contains("\"pending\":0"), health.body());
            }
            assertEquals(20, streams.entries(LEVELS).stream().map(e -> e.get("position_id")).distinct().count());
        }
    }
}
