package com.exitbrain.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.output.BooleanOutput;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.CommandType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** A Lua script from the jar, run by EVALSHA; {@link #load} after a NOSCRIPT (Redis restarted). */
public final class Script {
    private final String body;
    private final ScriptOutputType type;
    private volatile String source;
    private volatile String sha;

    private Script(String source, ScriptOutputType type) {
        this.body = source;
        this.source = source;
        this.type = type;
        this.sha = sha1(source);
    }

    /**
     * With a {@code #!lua} line (Redis 7 and later), Redis refuses the whole call while it is out of
     * memory, before any effect. Without one (Redis 6.2) a script's writes are refused only up to its
     * first write: the worker's scripts write their XACK first, which Redis lets through, so there
     * the worker can go past maxmemory by a batch.
     */
    public void useShebang(boolean on) {
        source = on ? "#!lua\n" + body : body;
        sha = sha1(source);
    }

    public static Script resource(String name, ScriptOutputType type) {
        try (InputStream in = Script.class.getResourceAsStream("/lua/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing script /lua/" + name);
            }
            return new Script(new String(in.readAllBytes(), StandardCharsets.UTF_8), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public <T> RedisFuture<T> call(RedisClusterAsyncCommands<String, String> redis, List<String> keys, List<String> args) {
        return call(redis, keys.toArray(String[]::new), args.toArray(String[]::new));
    }

    public <T> RedisFuture<T> call(RedisClusterAsyncCommands<String, String> redis, String[] keys, String[] args) {
        return redis.evalsha(sha, type, keys, args);
    }

    /**
     * Runs the script on keys and arguments already written as RESP: {@code parts} holds the
     * {@code keyCount} keys first, then the arguments ({@link RespWriter} says why).
     */
    public <T> RedisFuture<T> call(RedisClusterAsyncCommands<String, String> redis, String firstKey, int keyCount,
                                   List<RespWriter> parts) {
        return redis.dispatch(CommandType.EVALSHA, this.<T>output(), new ScriptArgs(sha, firstKey, keyCount, parts));
    }

    @SuppressWarnings("unchecked")
    private <T> CommandOutput<String, String, T> output() {
        Utf8Codec codec = Utf8Codec.INSTANCE;
        return (CommandOutput<String, String, T>) switch (type) {
            case BOOLEAN -> new BooleanOutput<>(codec);
            case INTEGER -> new IntegerOutput<>(codec);
            case STATUS -> new StatusOutput<>(codec);
            case MULTI -> new NestedMultiOutput<>(codec);
            case VALUE -> new ValueOutput<>(codec);
            default -> throw new IllegalStateException("no output for script type " + type);
        };
    }

    /** Runs the script and waits for its reply, loading it first if Redis does not have it. */
    public <T> T callNow(RedisClusterCommands<String, String> redis, String[] keys, String... args) {
        try {
            return redis.evalsha(sha, type, keys, args);
        } catch (RuntimeException e) {
            if (!isNoScript(e)) {
                throw e;
            }
            redis.scriptLoad(source);
            return redis.evalsha(sha, type, keys, args);
        }
    }

    public RedisFuture<String> load(RedisClusterAsyncCommands<String, String> redis) {
        return redis.scriptLoad(source);
    }

    public static boolean isNoScript(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof RedisNoScriptException || String.valueOf(c.getMessage()).startsWith("NOSCRIPT")) {
                return true;
            }
        }
        return false;
    }

    private static String sha1(String source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
