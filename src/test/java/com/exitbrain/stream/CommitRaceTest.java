package com.exitbrain.stream;

import static com.exitbrain.testing.Streams.FILLS;
import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.PLANS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static com.exitbrain.testing.Streams.STATS;
import static com.exitbrain.testing.Streams.TRADES;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.exitbrain.config.Settings;
import com.exitbrain.health.WorkerMetrics;
import com.exitbrain.plan.ExitPlan;
import com.exitbrain.redis.Pipeline;
import com.exitbrain.redis.Script;
import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.Streams;
import com.exitbrain.testing.WorkerHarness;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Batches whose entries depend on each other, committed by two workers stepped by hand (found by a
 * review of the batch commit): no entry may commit on a prediction an earlier entry did not make true.
 */
class CommitRaceTest {
    /** One worker's batch processor and its reads, without the consume loop. */
    private static final class Worker implements AutoCloseable {
        private final RedisClient client;
        private final StatefulRedisConnection<String, String> reader;
        private final BatchProcessor processor;
        private final Settings settings;
        private final String name;

        Worker(RedisProcess server, String name) {
            this.name = name;
            settings = WorkerHarness.settings(WorkerHarness.env(server, "EXITBRAIN_CONSUMER", name));
            client = RedisClient.create(server.url());
            reader = client.connect();
            Script commit = Script.resource("commit.lua", ScriptOutputType.MULTI);
            Pipeline pipeline = new Pipeline(com.exitbrain.redis.Connection.of(client.connect()), Duration.ofSeconds(5),
                    List.of(commit));
            for (String stream : List.of(POSITIONS, TRADES, FILLS)) {
                GroupSetup.ensure(reader.sync(), stream, settings.group(), "0");
            }
            pipeline.loadScripts();
            processor = new BatchProcessor(settings, pipeline, new WorkerMetrics(), Clock.systemUTC(), commit);
        }

        /** Reads what is new on the three inputs and processes it as one batch. */
        void step() {
            List<Inbound> batch = new ArrayList<>();
            @SuppressWarnings("unchecked")
            List<StreamMessage<String, String>> messages = reader.sync().xreadgroup(
                    Consumer.from(settings.group(), name), XReadArgs.Builder.count(100),
                    XReadArgs.StreamOffset.lastConsumed(POSITIONS), XReadArgs.StreamOffset.lastConsumed(TRADES),
                    XReadArgs.StreamOffset.lastConsumed(FILLS));
            for (StreamMessage<String, String> m : messages) {
                InputKind kind = m.getStream().equals(POSITIONS) ? InputKind.POSITION_OPENED
                        : m.getStream().equals(TRADES) ? InputKind.TRADE_CLOSED : InputKind.FILL;
                batch.add(new Inbound(kind, m.getStream(), m.getId(), m.getBody(), 1));
            }
            processor.process(batch);
        }

        @Override
        public void close() {
            client.shutdown();
        }
    }

    private static void add(Streams streams, String stream, String id, String... pairs) {
        Map<String, String> body = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            body.put(pairs[i], pairs[i + 1]);
        }
        streams.redis.xadd(stream, new io.lettuce.core.XAddArgs().id(id), body);
    }

    private static ExitPlan plan(Streams streams, String id) {
        String key = "exitbrain:plan:" + id;
        return ExitPlan.decode(id, streams.redis.hget(key, "state"), streams.redis.hget(key, "v"));
    }

    @Test
    void aFillComputedAfterARefusedOneOfTheSamePlanIsRefusedToo() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server);
             Worker a = new Worker(server, "a"); Worker b = new Worker(server, "b")) {
            streams.add(POSITIONS, "position_id", "x", "symbol", "BTCUSDT", "leverage", "10", "side", "long",
                    "entry_price", "100", "quantity", "10");
            a.step(); // a remembers plan x as it created it
            streams.add(FILLS, "position_id", "x", "order", "tp1", "quantity", "3", "price", "101", "fill_id", "G");
            b.step(); // b applies G: the plan moves on without a knowing
            streams.add(FILLS, "position_id", "x", "order", "sl", "quantity", "2", "price", "99", "fill_id", "F1");
            streams.add(FILLS, "position_id", "x", "order", "sl", "quantity", "1", "price", "99", "fill_id", "F2");
            a.step(); // F1 from a's stale memory is refused; F2, computed on F1's prediction, must be too

            ExitPlan x = plan(streams, "x");
            assertEquals(0, new BigDecimal("4").compareTo(x.openQuantity()), "10 − 3 − 2 − 1: " + x);
            assertEquals(0, BigDecimal.ZERO.compareTo(x.realizedPnl()), "3·1 − 2·1 − 1·1: " + x);
            assertEquals(0, new BigDecimal("100").compareTo(x.slPrice()), "the breakeven stop of G stays: " + x);
            assertEquals(List.of("G", "F1", "F2"), streams.entries(PLANS).stream().map(e -> e.get("fill_id")).toList());
            assertEquals(0, streams.pending(FILLS));
        }
    }

    @Test
    void aPositionAndTheFillThatClosesItInOneBatchCommitInOrder() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server);
             Worker a = new Worker(server, "a")) {
            // explicit ids: in one millisecond two streams give the same id, and then either order is right
            add(streams, POSITIONS, "1000-1", "position_id", "x", "symbol", "BTCUSDT", "leverage", "10", "side", "long",
                    "entry_price", "100", "quantity", "1");
            add(streams, FILLS, "1000-2", "position_id", "x", "order", "sl", "quantity", "1", "price", "99");
            add(streams, POSITIONS, "1000-3", "position_id", "y", "symbol", "BTCUSDT", "leverage", "10");
            a.step(); // must not throw: the closing fill needs the scope no read had fetched

            assertEquals(List.of("x", "y"), streams.entries(LEVELS).stream().map(e -> e.get("position_id")).toList());
            Map<String, String> closed = streams.entries(PLANS).get(0);
            assertEquals("closed", closed.get("status"));
            assertEquals("true", closed.get("trade_recorded"));
            assertEquals(1, streams.length(STATS));
            // y came after the close: its levels use the recorded trade (pnl −0.1 → adjustment 0.9)
            assertEquals("0.9", streams.entries(LEVELS).get(1).get("adjustment"));
            assertEquals(0, streams.pending(POSITIONS) + streams.pending(FILLS));
        }
    }
}
