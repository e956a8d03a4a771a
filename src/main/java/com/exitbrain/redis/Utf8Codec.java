package com.exitbrain.redis;

import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.codec.ToByteBufEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.ByteBuffer;

/**
 * Lettuce's UTF-8 string codec, telling Lettuce the exact encoded size of each argument. With
 * {@link StringCodec#UTF8} Lettuce only knows an upper bound, so it encodes every argument into a
 * temporary pooled buffer and copies it; with the exact size it writes straight into the command's
 * buffer. Profiles of a drain put that temporary buffer at a quarter of the I/O thread's time
 * (each levels entry is a script call of some 75 arguments). The bytes on the wire are the same.
 */
public final class Utf8Codec implements RedisCodec<String, String>, ToByteBufEncoder<String, String> {
    public static final Utf8Codec INSTANCE = new Utf8Codec();

    private static final StringCodec UTF8 = StringCodec.UTF8;

    private Utf8Codec() {
    }

    @Override
    public void encodeKey(String key, ByteBuf target) {
        encode(key, target);
    }

    @Override
    public void encodeValue(String value, ByteBuf target) {
        encode(value, target);
    }

    private static void encode(String s, ByteBuf target) {
        if (s != null) {
            ByteBufUtil.writeUtf8(target, s);
        }
    }

    /** Exact: ByteBufUtil.utf8Bytes counts what ByteBufUtil.writeUtf8 writes, '?' for a lone surrogate included. */
    @Override
    public int estimateSize(Object keyOrValue) {
        return keyOrValue == null ? 0 : ByteBufUtil.utf8Bytes((CharSequence) keyOrValue);
    }

    @Override
    public boolean isEstimateExact() {
        return true;
    }

    @Override
    public String decodeKey(ByteBuffer bytes) {
        return UTF8.decodeKey(bytes);
    }

    @Override
    public String decodeValue(ByteBuffer bytes) {
        return UTF8.decodeValue(bytes);
    }

    @Override
    public ByteBuffer encodeKey(String key) {
        return UTF8.encodeKey(key);
    }

    @Override
    public ByteBuffer encodeValue(String value) {
        return UTF8.encodeValue(value);
    }
}
