package com.exitbrain.redis;

import io.lettuce.core.protocol.CommandArgs;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The arguments of one EVALSHA whose keys and arguments are already RESP ({@link RespWriter}): the
 * script's SHA, the number of keys, then the writers' bytes in order. Lettuce writes the
 * {@code *<n>} header and the command name, then calls {@link #encode}; a Redis Cluster connection
 * routes the command by {@link #getFirstEncodedKey}, the first key, as for any other command.
 */
final class ScriptArgs extends CommandArgs<String, String> {
    private final String sha;
    private final String firstKey;
    private final int keyCount;
    private final List<RespWriter> parts;
    private final int count;

    /** @param parts the keys first ({@code keyCount} arguments in all), then the script's arguments */
    ScriptArgs(String sha, String firstKey, int keyCount, List<RespWriter> parts) {
        super(Utf8Codec.INSTANCE);
        this.sha = sha;
        this.firstKey = firstKey;
        this.keyCount = keyCount;
        this.parts = parts;
        int n = 2;
        for (RespWriter p : parts) {
            n += p.count();
        }
        this.count = n;
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public void encode(ByteBuf buf) {
        RespWriter head = new RespWriter(80).bulk(sha).bulk(keyCount);
        head.writeTo(buf);
        for (RespWriter p : parts) {
            p.writeTo(buf);
        }
    }

    @Override
    public ByteBuffer getFirstEncodedKey() {
        return firstKey == null ? null : ByteBuffer.wrap(firstKey.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toCommandString() {
        return toString();
    }

    @Override
    public String toString() {
        return "EVALSHA " + sha + " " + keyCount + " keys, " + (count - 2 - keyCount) + " arguments";
    }
}
