package com.exitbrain.stream;

import com.exitbrain.engine.ErrorCode;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The dead-letter entry of SPEC §8 for one refused input entry. */
final class DeadLetter {
    static final int PAYLOAD_LIMIT = 16 * 1024;

    private DeadLetter() {
    }

    static Map<String, String> fields(String sourceStream, String sourceId, ErrorCode error, String reason,
                                      Map<String, String> original, long deliveries, String consumer,
                                      long epochSeconds) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("source_stream", sourceStream);
        f.put("source_id", sourceId);
        f.put("error", error.wire());
        f.put("reason", reason);
        String payload = payload(original);
        boolean truncated = payload.getBytes(StandardCharsets.UTF_8).length > PAYLOAD_LIMIT;
        f.put("payload", truncated ? cut(payload) : payload);
        if (truncated) {
            f.put("payload_truncated", "true");
        }
        f.put("deliveries", Long.toString(deliveries));
        f.put("consumer", consumer);
        f.put("timestamp", Long.toString(epochSeconds));
        return f;
    }

    private static String payload(Map<String, String> original) {
        try {
            return EventFields.JSON.writeValueAsString(original == null ? Map.of() : original);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serializes", e);
        }
    }

    /** The first {@link #PAYLOAD_LIMIT} bytes, never splitting a character. */
    private static String cut(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int end = PAYLOAD_LIMIT;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
