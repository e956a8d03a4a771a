package com.exitbrain.stream;

import com.exitbrain.app.Daemon;

import static com.exitbrain.testing.Streams.DLQ;
import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static com.exitbrain.testing.Streams.STATS;
import static com.exitbrain.testing.Streams.TRADES;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.testing.Http;
import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.Streams;
import com.exitbrain.testing.WorkerHarness;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Bad input goes to the dead-letter stream with a reason, and never stops the worker (SPEC §4, §8). */
class MalformedInputTest {
    private record Bad(String stream, String error, String[] fields) {
    }

    private static Bad bad(String stream, String error, String... fields) {
        return new Bad(stream, error, fields);
    }

    private static final String HUGE = "x".repeat(17 * 1024);

    private static final List<Bad> KINDS = List.of(
            bad(POSITIONS, "missing_field", "leverage", "10"),
            bad(POSITIONS, "missing_field", "symbol", "BTCUSDT"),
            bad(POSITIONS, "missing_field", "symbol", "BTCUSDT", "leverage", ""),
            bad(POSITIONS, "missing_field", "symbol", "BTCUSDT", "leverage", "   "),
            bad(POSITIONS, "missing_field", "symbol", " \t ", "leverage", "10"),
            bad(POSITIONS, "invalid_number", "symbol", "BTCUSDT", "leverage", "\uFF12\uFF10"),
            bad(POSITIONS, "out_of_range", "symbol", "BTCUSDT", "leverage", "125.00000000000000001"),
            bad(POSITIONS, "out_of_range", "symbol", "BTCUSDT", "leverage", "0.99999999999999999999"),
            bad(POSITIONS, "out_of_range", "symbol", "BTCUSDT", "leverage", "10", "confidence", "1.00000000000000000001"),
            bad(POSITIONS, "out_of_range", "symbol", "BTCUSDT", "leverage", "10",
                    "maintenance_margin_rate", "0.50000000000000000001"),
            bad(POSITIONS, "invalid_number", "symbol", "BTCUSDT", "leverage", "NaN"),
            bad(POSITIONS, "invalid_number", "symbol", "BTCUSDT", "leverage", "abc"),
            bad(POSITIONS, "invalid_number", "symbol", "BTCUSDT", "leverage", "Infinity"),
            bad(POSITIONS, "out_of_range", "symbol", "BTCUSDT", "leverage", "-5"),
            bad(POSITIONS, "out_of_range", "symbol", "BTCUSDT", "leverage", "126"),
            bad(POSITIONS, "out_of_range", "symbol", "BTCUSDT", "leverage", "1e308"),
            bad(POSITIONS, "out_of_range", "symbol", "BTCUSDT", "leverage", "0.5"),
            bad(POSITIONS, "out_of_range", "symbol", "BTCUSDT", "leverage", "10", "confidence", "1.5"),
            bad(POSITIONS, "out_of_range", "symbol", "BTCUSDT", "leverage", "10", "volatility_factor", "11"),
            bad(POSITIONS, "out_of_range", "symbol", "BTCUSDT", "leverage", "10", "cross_exchange_volatility", "-1"),
            bad(POSITIONS, "out_of_range", "symbol", "BTCUSDT", "leverage", "10", "entry_price", "0"),
            bad(POSITIONS, "out_of_range", "symbol", "BTCUSDT", "leverage", "10", "quantity", "-1"),
            bad(POSITIONS, "out_of_range", "symbol", "BTCUSDT", "leverage", "10", "tick_size", "-0.1"),
            bad(POSITIONS, "out_of_range", "symbol", "BTCUSDT", "leverage", "10", "lot_size", "0"),
            bad(POSITIONS, "out_of_range", "symbol", "BTCUSDT", "leverage", "10", "maintenance_margin_rate", "0.6"),
            bad(POSITIONS, "invalid_value", "symbol", "BTCUSDT", "leverage", "10", "side", "up"),
            bad(POSITIONS, "liquidation", "symbol", "BTCUSDT", "leverage", "100", "maintenance_margin_rate", "0.01"),
            bad(POSITIONS, "liquidation", "symbol", "XUSDT", "leverage", "79.1", "side", "long", "entry_price", "28.5",
                    "tick_size", "0.5"),
            bad(POSITIONS, "invalid_json", "payload", "{not json"),
            bad(POSITIONS, "invalid_json", "payload", "[1,2,3]"),
            bad(POSITIONS, "invalid_json", "data", "\"just a string\""),
            bad(POSITIONS, "invalid_json", "payload", "   ", "symbol", "BTCUSDT", "leverage", "10"),
            bad(POSITIONS, "invalid_number", "payload", "{\"symbol\":\"BTCUSDT\",\"leverage\":true}"),
            bad(POSITIONS, "invalid_value", "payload", "{\"symbol\":[\"BTCUSDT\"],\"leverage\":10}"),
            bad(POSITIONS, "oversized", "symbol", "BTCUSDT", "leverage", "10", "note", HUGE),
            bad(TRADES, "missing_field", "trade_id", "x", "symbol", "BTCUSDT", "leverage", "10"),
            bad(TRADES, "missing_field", "trade_id", "x", "leverage", "10", "pnl", "0.1"),
            bad(TRADES, "missing_field", "trade_id", "x", "symbol", "BTCUSDT", "pnl", "0.1"),
            bad(TRADES, "invalid_number", "trade_id", "x", "symbol", "BTCUSDT", "leverage", "10", "pnl", "NaN"),
            bad(TRADES, "invalid_number", "trade_id", "x", "symbol", "BTCUSDT", "leverage", "10", "pnl", "1,5"),
            bad(TRADES, "out_of_range", "trade_id", "x", "symbol", "BTCUSDT", "leverage", "10", "pnl", "11"),
            bad(TRADES, "out_of_range", "trade_id", "x", "symbol", "BTCUSDT", "leverage", "0", "pnl", "0.1"),
            bad(TRADES, "out_of_range", "trade_id", "x", "symbol", "BTCUSDT", "leverage", "125.00000000000000001",
                    "pnl", "0.1"),
            bad(TRADES, "missing_field", "trade_id", "x", "symbol", "BTCUSDT", "leverage", "10", "pnl", "  "),
            bad(TRADES, "invalid_json", "payload", "{\"trade_id\":"),
            bad(TRADES, "oversized", "payload", "{\"pad\":\"" + HUGE + "\"}"));

    @Test
    void everyMalformedEntryIsDeadLetteredAndEveryValidOneProcessedOnce() throws Exception {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server);
             Daemon worker = WorkerHarness.start(server)) {
            Map<String, String> expectedError = new HashMap<>();
            Set<String> validPositions = new HashSet<>();
            int validTrades = 0;
            for (int i = 0; i < 300; i++) {
                Bad b = KINDS.get(i % KINDS.size());
                Map<String, String> body = new LinkedHashMap<>();
                for (int k = 0; k + 1 < b.fields().length; k += 2) {
                    body.put(b.fields()[k], b.fields()[k + 1]);
                }
                expectedError.put(b.stream() + " " + streams.redis.xadd(b.stream(), body), b.error());
                if (i % 2 == 0) {
                    validPositions.add(streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", Integer.toString(1 + i % 125),
                            "side", i % 4 == 0 ? "buy" : "SHORT", "entry_price", "100.5", "tick_size", "0.01"));
                } else {
                    streams.add(TRADES, "trade_id", "ok" + i, "symbol", "BTCUSDT", "leverage", "10",
                            "pnl", i % 3 == 0 ? "-1e-2" : "0.02");
                    validTrades++;
                }
            }
            int trades = validTrades;
            await().atMost(Duration.ofSeconds(60)).until(() -> streams.length(DLQ) == 300
                    && streams.length(LEVELS) == validPositions.size() && streams.length(STATS) == trades);
            await().atMost(Duration.ofSeconds(10)).until(() -> streams.pending(POSITIONS) == 0 && streams.pending(TRADES) == 0);

            List<Map<String, String>> letters = streams.entries(DLQ);
            List<String> wrong = new ArrayList<>();
            for (Map<String, String> d : letters) {
                String expected = expectedError.get(d.get("source_stream") + " " + d.get("source_id"));
                if (!d.get("error").equals(expected)) {
                    wrong.add(d.get("source_id") + " expected " + expected + " got " + d.get("error") + ": " + d.get("reason"));
                }
                assertFalse(d.get("reason").isBlank());
                assertTrue(d.get("payload").length() <= 16 * 1024 + 16);
            }
            assertTrue(wrong.isEmpty(), String.join("\n", wrong));
            assertEquals(300, letters.stream().map(d -> d.get("source_stream") + " " + d.get("source_id")).distinct().count());
            assertEquals(validPositions, new HashSet<>(streams.entries(LEVELS).stream().map(e -> e.get("source_id")).toList()));

            Http.Response health = Http.health(worker.healthPort());
            assertEquals(200, health.status(), health.body());
        }
    }

    @Test
    void idsThatAreNotUtf8AreDeadLetteredNotTakenForDuplicates() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server);
             Daemon worker = WorkerHarness.start(server)) {
            RedisClient client = RedisClient.create(server.url());
            try (StatefulRedisConnection<byte[], byte[]> raw = client.connect(ByteArrayCodec.INSTANCE)) {
                // two different ids that would both decode to "\uFFFD1"
                for (byte first : new byte[] {(byte) 0xff, (byte) 0xfe}) {
                    raw.sync().xadd(TRADES.getBytes(StandardCharsets.UTF_8), Map.of(
                            bytes("trade_id"), new byte[] {first, '1'}, bytes("symbol"), bytes("BTCUSDT"),
                            bytes("leverage"), bytes("10"), bytes("pnl"), bytes("0.01")));
                }
                raw.sync().xadd(POSITIONS.getBytes(StandardCharsets.UTF_8), Map.of(
                        bytes("symbol"), new byte[] {'B', 'T', 'C', (byte) 0xc3}, bytes("leverage"), bytes("10")));
            } finally {
                client.shutdown();
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> streams.length(DLQ) == 3);
            assertEquals(0, streams.length(STATS));
            assertEquals(0, streams.length(LEVELS));
            assertTrue(streams.entries(DLQ).stream().allMatch(d -> "invalid_value".equals(d.get("error"))
                    && d.get("reason").contains("not valid UTF-8")), streams.entries(DLQ).toString());
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
