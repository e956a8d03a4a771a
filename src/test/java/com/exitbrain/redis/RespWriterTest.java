package com.exitbrain.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Arguments written as RESP by the worker are the bytes Lettuce writes for the same Strings. */
class RespWriterTest {
    @Test
    void anEvalshaIsEncodedAsLettuceEncodesIt() {
        List<String> keys = List.of("quantum:stream:exitbrain.position_opened", "exitbrain:{p1}:plan:é");
        List<String> args = new ArrayList<>(Utf8CodecTest.SAMPLES);
        args.add("L");
        args.addAll(Utf8CodecTest.randomStrings(5_000));
        CommandArgs<String, String> lettuce = new CommandArgs<>(Utf8Codec.INSTANCE).add("abc123").add(keys.size())
                .addKeys(keys).addValues(args);
        RespWriter keyPart = new RespWriter(1);
        keys.forEach(keyPart::bulk);
        // split in two writers, the second appended to a third: as a commit call is assembled
        RespWriter first = new RespWriter(1);
        RespWriter second = new RespWriter(1);
        for (int i = 0; i < args.size(); i++) {
            (i < 100 ? first : second).bulk(args.get(i));
        }
        RespWriter rest = new RespWriter(1).append(second);
        ScriptArgs ours = new ScriptArgs("abc123", keys.get(0), keys.size(), List.of(keyPart, first, rest));

        assertArrayEquals(encoded(lettuce), encoded(ours));
        assertEquals(lettuce.count(), ours.count());
        assertEquals(lettuce.getFirstEncodedKey(), ours.getFirstEncodedKey());
    }

    @Test
    void wholeNumbersAreWrittenAsTheirDecimalStrings() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        List<Long> values = new ArrayList<>(List.of(0L, 1L, 9L, 10L, 99L, 100L, 101L, 999_999L, 1_000_000L,
                Long.MAX_VALUE, -1L, -10L, Long.MIN_VALUE));
        for (int i = 0; i < 2_000; i++) {
            values.add(random.nextLong() >>> random.nextInt(64));
        }
        for (long v : values) {
            assertArrayEquals(new RespWriter(1).bulk(Long.toString(v)).toBytes(), new RespWriter(1).bulk(v).toBytes(),
                    () -> "for " + v);
        }
    }

    @Test
    void truncateDropsTheArgumentsAfterTheMark() {
        RespWriter w = new RespWriter(1).bulk("a").bulk(12);
        int position = w.position();
        int count = w.count();
        w.bulk("dropped").bulk("x".repeat(100));
        w.truncate(position, count);
        w.bulk("b");
        assertEquals(3, w.count());
        assertEquals("$1\r\na\r\n$2\r\n12\r\n$1\r\nb\r\n", new String(w.toBytes(), StandardCharsets.UTF_8));
    }

    private static byte[] encoded(CommandArgs<String, String> args) {
        ByteBuf buf = Unpooled.buffer();
        new Command<>(CommandType.EVALSHA, new NestedMultiOutput<>(Utf8Codec.INSTANCE), args).encode(buf);
        return ByteBufUtil.getBytes(buf);
    }
}
