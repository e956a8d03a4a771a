package com.exitbrain.stream;

import com.exitbrain.redis.Script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.testing.RedisProcess;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which consumers the sweep removes or takes over, against a real Redis. */
class ConsumerSweepTest {
    private static final String STREAM = "sweep:in";
    private static final String GROUP = "g";

    private static List<String> consumers(RedisCommands<String, String> redis) {
        return redis.xinfoConsumers(STREAM, GROUP).stream().map(c -> String.valueOf(((List<?>) c).get(1))).toList();
    }

    private static void read(RedisCommands<String, String> redis, String consumer, int count) {
        redis.xreadgroup(Consumer.from(GROUP, consumer), XReadArgs.Builder.count(count),
                StreamOffset.lastConsumed(STREAM));
    }

    @Test
    void onlyEmptyConsumersIdleLongEnoughAreRemovedAndOnlyDeadOnesOfThisHostAreTakenOver() throws Exception {
        try (RedisProcess server = RedisProcess.start()) {
            RedisClient client = RedisClient.create(server.url());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisCommands<String, String> redis = connection.sync();
                redis.xgroupCreate(StreamOffset.from(STREAM, "0"), GROUP, XGroupCreateArgs.Builder.mkstream(true));
                for (int i = 0; i < 7; i++) {
                    redis.xadd(STREAM, Map.of("n", Integer.toString(i)));
                }
                redis.xgroupCreateconsumer(STREAM, Consumer.from(GROUP, "elsewhere-empty")); // nothing pending
                read(redis, "elsewhere-busy", 2);           // 2 pending, another host: left to XAUTOCLAIM
                read(redis, "box-41", 3);                   // this host, process gone: taken over
                read(redis, "box-42", 2);                   // this host, process alive: left alone
                Thread.sleep(300);

                List<StreamMessage<String, String>> handled = new ArrayList<>();
                ConsumerSweep sweep = new ConsumerSweep(redis, Consumer.from(GROUP, "me"), "box",
                        pid -> pid == 42, Duration.ofMillis(200));
                sweep.sweep(List.of(STREAM), handled::addAll);

                assertEquals(3, handled.size(), "box-41's three entries are handed to the worker");
                assertEquals(List.of("box-42", "elsewhere-busy", "me"), consumers(redis).stream().sorted().toList());
                assertEquals(3, redis.xpending(STREAM, Consumer.from(GROUP, "me"),
                        io.lettuce.core.Range.create("-", "+"), io.lettuce.core.Limit.from(10)).size());

                // an empty consumer not yet idle long enough stays
                redis.xgroupCreateconsumer(STREAM, Consumer.from(GROUP, "elsewhere-fresh"));
                new ConsumerSweep(redis, Consumer.from(GROUP, "me"), "box", pid -> true, Duration.ofHours(1))
                        .sweep(List.of(STREAM), handled::addAll);
                assertTrue(consumers(redis).contains("elsewhere-fresh"));
                assertEquals(3, handled.size());

                // the removal script itself refuses a consumer holding entries, whatever the caller thought
                Script forget = Script.resource("forget_consumer.lua", io.lettuce.core.ScriptOutputType.INTEGER);
                assertEquals(0L, (Long) forget.callNow(redis, new String[] {STREAM}, GROUP, "box-42", "0"));
                assertTrue(consumers(redis).contains("box-42"));
                assertEquals(0L, (Long) forget.callNow(redis, new String[] {STREAM}, GROUP, "elsewhere-fresh", "3600000"));
                assertEquals(1L, (Long) forget.callNow(redis, new String[] {STREAM}, GROUP, "elsewhere-fresh", "0"));
                assertTrue(!consumers(redis).contains("elsewhere-fresh"));
            } finally {
                client.shutdown();
            }
        }
    }
}
