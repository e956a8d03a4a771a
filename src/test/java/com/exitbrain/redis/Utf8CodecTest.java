package com.exitbrain.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.codec.StringCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The exact-size codec puts the same bytes on the wire as Lettuce's UTF-8 codec, and says how many. */
class Utf8CodecTest {
    static final List<String> SAMPLES = List.of("", "BTCUSDT", "0.013047618881369922", "[0.4,0.4,0.2]",
            "{\"le10\":{\"count\":0}}", "é", "€uro", "日本語", "emoji 😀 pair", "lone \uD800 high", "lone \uDC00 low",
            "end high \uD83D", "\u0000nul", "x".repeat(20_000));

    @Test
    void encodesLikeLettucesUtf8CodecAndKnowsTheExactSize() {
        for (String s : SAMPLES) {
            assertSameAsLettuce(s);
        }
        for (String s : randomStrings(5_000)) {
            assertSameAsLettuce(s);
        }
    }

    /** Strings of up to 40 chars, half ASCII, half any char (unpaired surrogates included). */
    static List<String> randomStrings(int count) {
        SplittableRandom random = new SplittableRandom(42);
        List<String> strings = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(40);
            for (int j = 0; j < length; j++) {
                b.append((char) (random.nextBoolean() ? random.nextInt(128) : random.nextInt(Character.MAX_VALUE + 1)));
            }
            strings.add(b.toString());
        }
        return strings;
    }

    @Test
    void decodesLikeLettucesUtf8Codec() {
        for (String s : SAMPLES) {
            assertEquals(StringCodec.UTF8.decodeValue(StringCodec.UTF8.encodeValue(s)),
                    Utf8Codec.INSTANCE.decodeValue(StringCodec.UTF8.encodeValue(s)));
        }
    }

    /**
     * Any bytes (malformed UTF-8 too: replaced as Netty's decoder does), in direct buffers as Lettuce
     * hands them over and in heap buffers, from a position inside the buffer, which stays where it was.
     */
    @Test
    void decodesAnyBytesLikeLettucesUtf8CodecLeavingThePosition() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(i % 100 == 0 ? 40_000 : 60)];
            for (int j = 0; j < bytes.length; j++) {
                bytes[j] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : random.nextInt(128));
            }
            int offset = random.nextInt(5);
            for (boolean direct : new boolean[] {true, false}) {
                java.nio.ByteBuffer buffer = direct ? java.nio.ByteBuffer.allocateDirect(offset + bytes.length)
                        : java.nio.ByteBuffer.allocate(offset + bytes.length);
                buffer.position(offset);
                buffer.put(bytes);
                buffer.position(offset);
                String expected = StringCodec.UTF8.decodeValue(buffer.duplicate());
                assertEquals(expected, Utf8Codec.INSTANCE.decodeValue(buffer), "bytes " + java.util.Arrays.toString(bytes));
                assertEquals(expected, Utf8Codec.INSTANCE.decodeKey(buffer));
                assertEquals(offset, buffer.position());
            }
        }
    }

    @Test
    void nullIsNothing() {
        ByteBuf out = Unpooled.buffer();
        Utf8Codec.INSTANCE.encodeValue(null, out);
        assertEquals(0, out.readableBytes());
        assertEquals(0, Utf8Codec.INSTANCE.estimateSize(null));
        assertTrue(Utf8Codec.INSTANCE.isEstimateExact());
    }

    private static void assertSameAsLettuce(String s) {
        ByteBuf expected = Unpooled.buffer();
        StringCodec.UTF8.encodeValue(s, expected);
        ByteBuf actual = Unpooled.buffer();
        Utf8Codec.INSTANCE.encodeValue(s, actual);
        assertArrayEquals(ByteBufUtil.getBytes(expected), ByteBufUtil.getBytes(actual), s);
        assertEquals(actual.readableBytes(), Utf8Codec.INSTANCE.estimateSize(s), s);
    }
}
