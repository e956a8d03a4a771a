package com.exitbrain.stream;

import com.exitbrain.app.Daemon;

import static com.exitbrain.testing.Streams.DLQ;
import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.Streams;
import com.exitbrain.testing.WorkerHarness;
import io.lettuce.core.XAddArgs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A group recreated after Redis lost its data skips nothing of the new stream (issue 13). */
class LostRedisDataTest {

    private static void position(Streams streams, String id, String positionId) {
        Map<String, String> body = Map.of("symbol", "BTCUSDT", "leverage", "20", "position_id", positionId);
        if (id == null) {
            streams.redis.xadd(POSITIONS, body);
        } else {
            streams.redis.xadd(POSITIONS, new XAddArgs().id(id), body);
        }
    }

    private static List<String> published(Streams streams) {
        return streams.entries(LEVELS).stream().map(e -> e.get("position_id")).sorted().toList();
    }

    @Test
    void aFreshStreamWithLowerIdsThanTheLastProcessedIsProcessedWhole() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server);
             Daemon worker = WorkerHarness.start(server)) {
            // Given a worker that processed entries with ids far ahead of the clock (a producer whose clock ran fast)
            long ahead = System.currentTimeMillis() + Duration.ofDays(365).toMillis();
            position(streams, ahead + "-0", "old-1");
            position(streams, ahead + "-1", "old-2");
            await().atMost(Duration.ofSeconds(15)).until(() -> published(streams).equals(List.of("old-1", "old-2")));

            // When Redis loses its data and the stream starts again with ids below the ones processed
            streams.redis.flushall();
            position(streams, null, "new-1");
            position(streams, null, "new-2");

            // Then the group is recreated where nothing of the new stream is skipped
            await().atMost(Duration.ofSeconds(15)).until(() -> published(streams).equals(List.of("new-1", "new-2"))
                    && streams.pending(POSITIONS) == 0);
            assertEquals(0, streams.length(DLQ));
        }
    }
}
