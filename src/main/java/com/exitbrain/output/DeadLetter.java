package com.exitbrain.output;

import com.exitbrain.event.EventFields;

import com.exitbrain.engine.ErrorCode;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/** The dead-letter entry of SPEC §8 for one refused input entry. */
public final class DeadLetter {
    public static final int PAYLOAD_LIMIT = 16 * 1024;

    private DeadLetter() {
    }

    public static Map<String, String> fields(String sourceStream, String sourceId, ErrorCode error, String reason,
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
    public static String bounded(Map<String, String> fields) {
        int longest = largest(PAYLOAD_LIMIT, n -> fits(capped(fields, n)));
        Map<String, String> capped = capped(fields, longest);
        if (fits(capped)) {
            return json(capped);
        }
        List<Map.Entry<String, String>> entries = List.copyOf(capped(fields, 16).entrySet());
        int kept = largest(entries.size(), n -> fits(firstOf(entries, n)));
        return json(firstOf(entries, kept));
    }

    private static boolean fits(Map<String, String> fields) {
        return utf8(json(fields)) <= PAYLOAD_LIMIT;
    }

    /** The largest n in [0, max] for which {@code fits} holds (it holds for every smaller n too), or 0. */
    private static int largest(int max, IntPredicate fits) {
        int low = 0;
        int high = max;
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (fits.test(mid)) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    /** The first n fields, and "…" saying how many of the rest were left out. */
    private static Map<String, String> firstOf(List<Map.Entry<String, String>> entries, int n) {
        Map<String, String> out = new LinkedHashMap<>();
        entries.subList(0, n).forEach(e -> out.put(e.getKey(), e.getValue()));
        out.put("…", (entries.size() - n) + " more fields left out");
        return out;
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
