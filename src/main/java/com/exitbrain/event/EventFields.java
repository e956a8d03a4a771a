package com.exitbrain.event;

import com.exitbrain.engine.ErrorCode;
import com.exitbrain.event.InputNumbers;
import com.exitbrain.engine.InvalidInputException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/**
 * The readable fields of one input entry (SPEC §3, §8): flat field/value pairs, or the JSON object
 * in a {@code payload} (or {@code data}) field. Values come back as text; an empty or blank string,
 * or a JSON null, counts as absent.
 */
public final class EventFields {
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Map<String, String> flat;
    private final JsonNode object;

    private EventFields(Map<String, String> flat, JsonNode object) {
        this.flat = flat;
        this.object = object;
    }

    /** Reads an entry, refusing it when oversized or when its payload is not a JSON object. */
    public static EventFields of(Map<String, String> entry, int maxEntryBytes) {
        // a char is at most 3 bytes of UTF-8 (a surrogate pair 4 for 2): the exact count, a loop over
        // every char (a tenth of the worker thread's time), only when that bound is over the limit
        long chars = 0;
        for (var e : entry.entrySet()) {
            chars += length(e.getKey()) + length(e.getValue());
        }
        long size = chars * 3 <= maxEntryBytes ? 0 : exactSize(entry);
        if (size > maxEntryBytes) {
            throw new InvalidInputException(ErrorCode.OVERSIZED,
                    "the entry is " + size + " bytes, over the limit of " + maxEntryBytes + " bytes.");
        }
        // SPEC §8: a payload field must hold a JSON object; only an empty one counts as absent
        String payloadField = notEmpty(entry.get("payload")) ? "payload" : notEmpty(entry.get("data")) ? "data" : null;
        if (payloadField == null) {
            return new EventFields(entry, null);
        }
        JsonNode node;
        try {
            node = JSON.readTree(entry.get(payloadField));
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(ErrorCode.INVALID_JSON,
                    "field " + payloadField + " is not valid JSON: " + e.getOriginalMessage() + ".");
        }
        if (node == null || !node.isObject()) {
            throw new InvalidInputException(ErrorCode.INVALID_JSON,
                    "field " + payloadField + " must hold a JSON object, got " + describe(node) + ".");
        }
        return new EventFields(null, node);
    }

    /**
     * The text of a field, or {@code null} when absent, blank or JSON null. Bytes that are not UTF-8
     * reach us as U+FFFD, and two different ids could then read alike (a second trade taken for a
     * duplicate): a field read with one is invalid.
     */
    public String text(String name) {
        if (object == null) {
            return checked(name, flat.get(name));
        }
        JsonNode node = object.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return checked(name, node.textValue());
        }
        if (node.isBigDecimal()) {
            return node.decimalValue().toString();
        }
        if (node.isNumber()) {
            return node.asText();
        }
        throw new InvalidInputException(ErrorCode.INVALID_VALUE,
                name + " is " + describe(node) + ", expected a string or a number.");
    }

    private static String checked(String name, String value) {
        if (!present(value)) {
            return null;
        }
        if (value.indexOf('\uFFFD') >= 0) {
            throw new InvalidInputException(ErrorCode.INVALID_VALUE, name + " \"" + InputNumbers.abbreviate(value)
                    + "\" is not valid UTF-8 (or holds U+FFFD).");
        }
        return value;
    }

    /** The first present field among the names given (aliases), or {@code null}. */
    public String firstText(String... names) {
        for (String name : names) {
            String value = text(name);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /** Like {@link #text}, but a JSON value that is no number nor string is an invalid number. */
    public String numericText(String name) {
        try {
            return text(name);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(ErrorCode.INVALID_NUMBER, e.reason());
        }
    }

    /** A required numeric field's text: missing_field when absent. */
    public String requiredNumericText(String name) {
        String value = numericText(name);
        if (value == null) {
            throw new InvalidInputException(ErrorCode.MISSING_FIELD, name + " is required but missing.");
        }
        return value;
    }

    /** The leverage every event carries (SPEC §3: 1 to max-leverage). */
    public double leverage(double maxLeverage) {
        return InputNumbers.number("leverage", requiredNumericText("leverage"), 1, maxLeverage);
    }

    public String required(String name) {
        String value = text(name);
        if (value == null) {
            throw new InvalidInputException(ErrorCode.MISSING_FIELD, name + " is required but missing.");
        }
        return value;
    }

    private static boolean notEmpty(String value) {
        return value != null && !value.isEmpty();
    }

    /** An empty or all-blank value counts as absent (values are read trimmed). */
    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case BOOLEAN -> "a boolean";
            case NUMBER -> "a number";
            case STRING -> "a string";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }


    /**
     * {@code s.getBytes(UTF_8).length}, counted without encoding: a lone surrogate is one byte, the
     * '?' it is encoded as. (Encoding every field of every entry just to size it was 3% of the
     * worker's allocation.)
     */
    // Not Netty's ByteBufUtil.utf8Bytes: on malformed surrogate sequences it counts differently
    // from String.getBytes (EventFieldsSizeTest fails with it), and this count must be the JDK's.
    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    private static long exactSize(Map<String, String> entry) {
        long size = 0;
        for (var e : entry.entrySet()) {
            size += utf8Length(e.getKey()) + utf8Length(e.getValue());
        }
        return size;
    }

    public static long utf8Length(String s) {
        if (s == null) {
            return 0;
        }
        long bytes = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes += 1;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
