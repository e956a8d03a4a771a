package com.exitbrain.stream;

import com.exitbrain.app.Daemon;

import static com.exitbrain.testing.Streams.DLQ;
import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static com.exitbrain.testing.Streams.STATS;
import static com.exitbrain.testing.Streams.TRADES;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.Streams;
import com.exitbrain.testing.WorkerHarness;
import io.lettuce.core.XAddArgs;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Two workers in one group share the load: one output per input, each trade id counted once. */
class TwoWorkersTest {

    private record Produced(int positions, Set<String> tradeIds) {
    }

    /** 10,000 seeded inputs, positions and trades at random; about one trade in five repeats an earlier id. */
    private static Produced produce(Streams streams) {
        Random random = new Random(42);
        int positions = 0;
        Set<String> tradeIds = new HashSet<>();
        List<String> recordedOrder = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            if (random.nextBoolean()) {
                streams.redis.xadd(POSITIONS, XAddArgs.Builder.maxlen(1_000_000), Map.of("symbol", "BTCUSDT",
                        "leverage", Integer.toString(1 + random.nextInt(100)), "position_id", "p" + i));
                positions++;
            } else {
                // as a producer retrying would
                String id = !recordedOrder.isEmpty() && random.nextInt(5) == 0
                        ? recordedOrder.get(random.nextInt(recordedOrder.size())) : "t" + i;
                if (tradeIds.add(id)) {
                    recordedOrder.add(id);
                }
                streams.redis.xadd(TRADES, Map.of("trade_id", id, "symbol", "BTCUSDT",
                        "leverage", Integer.toString(1 + random.nextInt(100)),
                        "pnl", BigDecimal.valueOf(random.nextInt(2001) - 1000, 4).toPlainString()));
            }
        }
        return new Produced(positions, tradeIds);
    }

    @Test
    void twoWorkersProduceExactlyOneOutputPerInput() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            Produced produced;
            try (Daemon a = WorkerHarness.start(server, "EXITBRAIN_CONSUMER", "a", "EXITBRAIN_BATCH_SIZE", "50");
                 Daemon b = WorkerHarness.start(server, "EXITBRAIN_CONSUMER", "b", "EXITBRAIN_BATCH_SIZE", "50")) {
                produced = produce(streams);
                await().atMost(Duration.ofSeconds(120)).until(() -> streams.length(LEVELS) == produced.positions()
                        && streams.pending(POSITIONS) == 0 && streams.pending(TRADES) == 0
                        && streams.length(STATS) == produced.tradeIds().size());
            }
            int expectedPositions = produced.positions();
            Set<String> tradeIds = produced.tradeIds();

            assertEquals(expectedPositions, streams.length(LEVELS));
            assertEquals(expectedPositions, streams.entries(LEVELS).stream().map(e -> e.get("position_id"))
                    .distinct().count(), "no position published twice");
            assertEquals(0, streams.length(DLQ));
            List<Map<String, String>> stats = streams.entries(STATS);
            assertEquals(tradeIds.size(), stats.size());
            assertEquals(tradeIds.size(), stats.stream().map(e -> e.get("trade_id")).distinct().count());
            Map<String, String> last = stats.get(stats.size() - 1);
            assertEquals(Integer.toString(tradeIds.size()), last.get("total_trades"));
            assertEquals(Integer.toString(tradeIds.size()), streams.redis.hget("exitbrain:pnl:global", "total_trades"));
            // total_trades in the stats stream counts up by one per entry: no trade recorded twice, none skipped
            for (int i = 0; i < stats.size(); i++) {
                assertEquals(Integer.toString(i + 1), stats.get(i).get("total_trades"));
            }
            // the window holds exactly the last 20 trades recorded, newest first
            List<String> window = streams.redis.lrange("exitbrain:pnl:global:window", 0, -1);
            assertEquals(20, window.size());
            for (int i = 0; i < 20; i++) {
                Map<String, String> recorded = stats.get(stats.size() - 1 - i);
                assertEquals(new BigDecimal(recorded.get("pnl")), new BigDecimal(window.get(i).split("\\|")[0]));
            }
            BigDecimal sum = BigDecimal.ZERO;
            for (int i = 0; i < 20; i++) {
                sum = sum.add(new BigDecimal(stats.get(stats.size() - 1 - i).get("pnl")));
            }
            assertEquals(0, sum.divide(BigDecimal.valueOf(20)).compareTo(new BigDecimal(last.get("avg_pnl_last_20"))));
        }
    }
}
