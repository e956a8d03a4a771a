package com.exitbrain.output;

import com.exitbrain.event.EventFields;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.engine.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SPEC §8: the dead letter's payload is the original fields as a JSON object, cut at 16 KiB. */
class DeadLetterTest {
    private static Map<String, String> letter(Map<String, String> original) {
        return DeadLetter.fields("in", "1-0", ErrorCode.OVERSIZED, "too big.", original, 1, "c", 0);
    }

    private static JsonNode payloadOf(Map<String, String> letter) throws Exception {
        String payload = letter.get("payload");
        assertTrue(payload.getBytes(StandardCharsets.UTF_8).length <= DeadLetter.PAYLOAD_LIMIT, payload.length() + "");
        JsonNode node = EventFields.JSON.readTree(payload);
        assertTrue(node.isObject(), payload);
        return node;
    }

    @Test
    void aSmallEntryIsCarriedWhole() throws Exception {
        Map<String, String> letter = letter(Map.of("symbol", "BTCUSDT", "leverage", "oops"));
        assertEquals("oops", payloadOf(letter).get("leverage").asText());
        assertFalse(letter.containsKey("payload_truncated"));
    }

    @Test
    void aLongValueIsCutSoThePayloadStaysAJsonObjectWithTheOtherFieldsWhole() throws Exception {
        Map<String, String> original = new LinkedHashMap<>();
        original.put("symbol", "BTCUSDT");
        original.put("note", "x".repeat(40_000));
        original.put("leverage", "10");
        Map<String, String> letter = letter(original);
        JsonNode payload = payloadOf(letter);
        assertEquals("true", letter.get("payload_truncated"));
        assertEquals("BTCUSDT", payload.get("symbol").asText());
        assertEquals("10", payload.get("leverage").asText());
        String note = payload.get("note").asText();
        assertTrue(note.startsWith("xxxx") && note.endsWith("…") && note.length() > 16_000, note.length() + "");
    }

    @Test
    void multiByteValuesAreCutOnCharacterBoundaries() throws Exception {
        Map<String, String> letter = letter(Map.of("symbol", "€😀".repeat(10_000)));
        String symbol = payloadOf(letter).get("symbol").asText();
        assertTrue(symbol.startsWith("€😀") && symbol.endsWith("…"));
        assertFalse(symbol.chars().anyMatch(ch -> ch == '?' || ch == 0xFFFD), "no broken characters");
    }

    @Test
    void thousandsOfFieldsKeepThoseThatFitAndCountTheRest() throws Exception {
        Map<String, String> original = new LinkedHashMap<>();
        for (int i = 0; i < 5000; i++) {
            original.put("field" + i, "value" + i);
        }
        JsonNode payload = payloadOf(letter(original));
        String more = payload.get("…").asText();
        int kept = payload.size() - 1;
        assertEquals((5000 - kept) + " more fields left out", more);
        assertEquals("value0", payload.get("field0").asText());
        assertTrue(kept > 100, "kept " + kept);
    }

    @Test
    void longFieldNamesCutAlikeStayApart() throws Exception {
        Map<String, String> original = new LinkedHashMap<>();
        String prefix = "k".repeat(300);
        for (int i = 0; i < 3; i++) {
            original.put(prefix + i, "v".repeat(7_000));
        }
        JsonNode payload = payloadOf(letter(original));
        assertEquals(3, payload.size(), payload.toString().substring(0, 200));
    }
}
