package com.exitbrain.bench;

import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The latency reader's codec: of a levels entry it decodes the position_id alone, and every other
 * field name and value to one shared empty string. Decoding all 36 fields of every entry made the
 * reader the busiest process on the machine, competing with the worker it measures. One
 * connection, one instance: Lettuce decodes a reply's field, then its value, on one thread.
 */
final class PositionIdCodec implements RedisCodec<String, String> {
    static final String FIELD = "position_id";
    private static final byte[] FIELD_BYTES = FIELD.getBytes(StandardCharsets.US_ASCII);

    private boolean valueWanted;

    @Override
    public String decodeKey(ByteBuffer bytes) {
        valueWanted = bytes.remaining() == FIELD_BYTES.length && bytes.equals(ByteBuffer.wrap(FIELD_BYTES));
        return valueWanted ? FIELD : "";
    }

    @Override
    public String decodeValue(ByteBuffer bytes) {
        if (!valueWanted) {
            return "";
        }
        valueWanted = false;
        return StandardCharsets.UTF_8.decode(bytes).toString();
    }

    @Override
    public ByteBuffer encodeKey(String key) {
        return StringCodec.UTF8.encodeKey(key);
    }

    @Override
    public ByteBuffer encodeValue(String value) {
        return StringCodec.UTF8.encodeValue(value);
    }
}
