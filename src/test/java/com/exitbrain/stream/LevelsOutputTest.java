package com.exitbrain.stream;

import static com.exitbrain.testing.Streams.DLQ;
import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.app.Daemon;
import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.Streams;
import com.exitbrain.testing.WorkerHarness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every SPEC §3 levels field, from flat fields and from a JSON payload, against a real Redis. */
class LevelsOutputTest {
    static RedisProcess server;
    static Streams streams;
    static Daemon worker;

    @BeforeAll
    static void start() {
        server = RedisProcess.start();
        streams = new Streams(server);
        worker = WorkerHarness.start(server);
    }

    @AfterAll
    static void stop() {
        worker.close();
        streams.close();
        server.close();
    }

    private Map<String, String> levelsFor(String sourceId) {
        return streams.awaitEntry(LEVELS, "source_id", sourceId);
    }

    @Test
    void flatEntryGetsEverySpecField() {
        String id = streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "50", "volatility_factor", "1.5",
                "confidence", "0.65", "side", "long", "entry_price", "65000", "quantity", "0.5",
                "tick_size", "0.1", "lot_size", "0.001", "position_id", "pos-1");
        Map<String, String> e = levelsFor(id);
        for (String field : List.of("symbol", "leverage", "tp1", "tp2", "tp3", "sl", "harvest_scheme", "LSF",
                "adjustment", "avg_pnl_last_20", "timestamp", "position_id", "source_id", "mode", "volatility_factor",
                "confidence", "liquidation_distance", "sl_capped", "warnings", "tp1_roe", "tp2_roe", "tp3_roe",
                "sl_roe", "tp1_price", "tp2_price", "tp3_price", "sl_price", "tp1_qty", "tp2_qty", "tp3_qty")) {
            assertTrue(e.containsKey(field), "missing field " + field + " in " + e);
        }
        assertEquals("BTCUSDT", e.get("symbol"));
        assertEquals("50", e.get("leverage"));
        assertEquals("pos-1", e.get("position_id"));
        assertEquals("adaptive", e.get("mode"));
        assertEquals("[0.5,0.3,0.2]", e.get("harvest_scheme"));
        assertEquals("0.02", e.get("liquidation_distance"));
        assertEquals("false", e.get("sl_capped"));
        assertEquals("[]", e.get("warnings"));
        assertEquals("1.5", e.get("volatility_factor"));
        // tp1 = 0.01 × (0.6 + LSF) × 1.6 at 50x with no PnL history (adjustment 1)
        double lsf = 1 / (1 + Math.log(51));
        assertEquals(0.01 * (0.6 + lsf) * 1.6, Double.parseDouble(e.get("tp1")), 1e-15);
        assertEquals(Double.parseDouble(e.get("tp1")) * 50, Double.parseDouble(e.get("tp1_roe")), 1e-12);
        // prices on the 0.1 tick, toward the entry; quantities 50/30/20 summing to 0.5
        assertEquals("65834.8", e.get("tp1_price"));
        assertEquals("64308.1", e.get("sl_price"));
        assertEquals("0.25", e.get("tp1_qty"));
        assertEquals("0.15", e.get("tp2_qty"));
        assertEquals("0.1", e.get("tp3_qty"));
        assertTrue(e.get("timestamp").matches("\\d{10}"), e.get("timestamp"));
        e.values().forEach(v -> assertFalse(v.matches(".*\\d[eE][-+]?\\d.*"), "exponent in " + v));
    }

    @Test
    void jsonPayloadGivesTheSameLevelsAsFlatFields() {
        String flat = streams.add(POSITIONS, "symbol", "ETHUSDT", "leverage", "20", "side", "sell",
                "entry_price", "3000.5", "confidence", "0.7");
        String json = streams.add(POSITIONS, "payload",
                "{\"symbol\":\"ETHUSDT\",\"leverage\":20,\"side\":\"sell\",\"entry_price\":3000.5,\"confidence\":\"0.7\"}");
        Map<String, String> a = levelsFor(flat);
        Map<String, String> b = levelsFor(json);
        for (String field : List.of("tp1", "tp2", "tp3", "sl", "tp1_price", "sl_price", "harvest_scheme", "side")) {
            assertEquals(a.get(field), b.get(field), field);
        }
        assertEquals("short", b.get("side"));
        assertEquals(json, b.get("position_id"), "the entry id stands in for a missing position_id");
        assertTrue(Double.parseDouble(b.get("tp1_price")) < 3000.5, "a short's targets are below the entry");
    }

    @Test
    void dataFieldIsReadLikePayload() {
        String id = streams.add(POSITIONS, "data", "{\"symbol\":\"SOLUSDT\",\"leverage\":\"5\"}");
        assertEquals("SOLUSDT", levelsFor(id).get("symbol"));
    }

    @Test
    void numbersJustPastAThresholdStayPastIt() {
        // exactly 10 and 0.5 as doubles, but not as sent: leverage above 10, confidence under 0.5
        Map<String, String> e = levelsFor(streams.add(POSITIONS, "symbol", "BTCUSDT",
                "leverage", "10.000000000000000001", "confidence", "0.49999999999999999999"));
        assertEquals("[0.4,0.4,0.2]", e.get("harvest_scheme"));
        assertEquals("0.95", e.get("adjustment"));
        Map<String, String> exact = levelsFor(streams.add(POSITIONS, "symbol", "BTCUSDT",
                "leverage", "10.0000000000000000", "confidence", "0.50000000000000000"));
        assertEquals("[0.3,0.3,0.4]", exact.get("harvest_scheme"));
        assertEquals("1", exact.get("adjustment"));
    }

    @Test
    void highLeverageStopIsCappedInsideLiquidation() {
        String id = streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "100");
        Map<String, String> e = levelsFor(id);
        assertEquals("0.008", e.get("sl"));
        assertEquals("true", e.get("sl_capped"));
        assertEquals("0.01", e.get("liquidation_distance"));
    }

    @Test
    void invalidEntryIsDeadLetteredWithItsFields() {
        String id = streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "NaN");
        await().atMost(Duration.ofSeconds(10)).until(() -> streams.entries(DLQ).stream()
                .anyMatch(e -> id.equals(e.get("source_id"))));
        Map<String, String> d = streams.entries(DLQ).stream().filter(e -> id.equals(e.get("source_id"))).findFirst().orElseThrow();
        assertEquals(POSITIONS, d.get("source_stream"));
        assertEquals("invalid_number", d.get("error"));
        assertTrue(d.get("reason").contains("leverage"), d.get("reason"));
        assertEquals("{\"symbol\":\"BTCUSDT\",\"leverage\":\"NaN\"}", d.get("payload"));
        assertEquals("1", d.get("deliveries"));
        assertEquals("test-worker", d.get("consumer"));
        assertTrue(Set.of("source_stream", "source_id", "error", "reason", "payload", "deliveries", "consumer",
                "timestamp").stream().allMatch(d::containsKey));
        await().atMost(Duration.ofSeconds(5)).until(() -> streams.pending(POSITIONS) == 0);
    }
}
