package com.exitbrain.stream;

import com.exitbrain.engine.ErrorCode;
import com.fasterxml.jackson.core.JsonProcessingException;
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
        Map<String, String> fields = original == null ? Map.of() : original;
        String payload = json(fields);
        if (utf8(payload) <= PAYLOAD_LIMIT) {
            f.put("payload", payload);
        } else {
            f.put("payload", bounded(fields));
            f.put("payload_truncated", "true");
        }
        f.put("deliveries", Long.toString(deliveries));
        f.put("consumer", consumer);
        f.put("timestamp", Long.toString(epochSeconds));
        return f;
    }

    private static String json(Map<String, String> fields) {
        try {
            return EventFields.JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serializes", e);
        }
    }

    private static long utf8(String text) {
        return EventFields.utf8Length(text);
    }

    /**
     * The original fields cut to at most {@link #PAYLOAD_LIMIT} bytes and still a JSON object (a
     * byte cut would leave JSON no reader can parse): every value longer than the longest length
     * that fits is cut to it and ends in "…"; if even that is not enough (thousands of fields), the
     * fields that fit are kept, in order, and "…" says how many were left out.
     */
    static String bounded(Map<String, String> fields) {
        int low = 0;
        int high = PAYLOAD_LIMIT;
        while (low < high) { // the longest value length at which the whole fits
            int mid = (low + high + 1) >>> 1;
            if (utf8(json(capped(fields, mid))) <= PAYLOAD_LIMIT) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        Map<String, String> capped = capped(fields, low);
        if (utf8(json(capped)) <= PAYLOAD_LIMIT) {
            return json(capped);
        }
        Map<String, String> kept = new LinkedHashMap<>();
        int left = fields.size();
        for (var e : capped(fields, 16).entrySet()) {
            kept.put(e.getKey(), e.getValue());
            Map<String, String> trial = new LinkedHashMap<>(kept);
            trial.put("…", (left - 1) + " more fields left out");
            if (utf8(json(trial)) > PAYLOAD_LIMIT) {
                kept.remove(e.getKey());
                break;
            }
            left--;
        }
        kept.put("…", left + " more fields left out");
        return json(kept);
    }

    private static Map<String, String> capped(Map<String, String> fields, int maxChars) {
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : fields.entrySet()) {
            String key = e.getKey().length() > 256 ? cut(e.getKey(), 256) : e.getKey();
            for (int n = 2; out.containsKey(key); n++) { // two long names cut alike stay two fields
                key = cut(e.getKey(), 256) + "#" + n;
            }
            String value = e.getValue() == null ? "" : e.getValue();
            out.put(key, value.length() > maxChars ? cut(value, maxChars) : value);
        }
        return out;
    }

    /** The first {@code maxChars} characters, never splitting a surrogate pair, then "…". */
    private static String cut(String text, int maxChars) {
        int end = maxChars;
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }
}
