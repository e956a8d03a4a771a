package com.exitbrain.bench;

import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The latency reader's codec: of a levels entry it decodes the position_id and source_id alone,
 * and every other field name and value to one shared empty string. Decoding all 36 fields of every entry made the
 * reader the busiest process on the machine, competing with the worker it measures. One
 * connection, one instance: Lettuce decodes a reply's field, then its value, on one thread.
 */
final class PositionIdCodec implements RedisCodec<String, String> {
    static final String POSITION_ID = "position_id";
    static final String SOURCE_ID = "source_id";
    private static final ByteBuffer POSITION_ID_BYTES = ByteBuffer.wrap(POSITION_ID.getBytes(StandardCharsets.US_ASCII));
    private static final ByteBuffer SOURCE_ID_BYTES = ByteBuffer.wrap(SOURCE_ID.getBytes(StandardCharsets.US_ASCII));

    private boolean valueWanted;

    @Override
    public String decodeKey(ByteBuffer bytes) {
        String field = bytes.equals(POSITION_ID_BYTES) ? POSITION_ID : bytes.equals(SOURCE_ID_BYTES) ? SOURCE_ID : "";
        valueWanted = !field.isEmpty();
        return field;
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
