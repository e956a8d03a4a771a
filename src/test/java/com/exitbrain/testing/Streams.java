package com.exitbrain.testing;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A plain client on the test Redis, with the stream names of SPEC §3. */
public final class Streams implements AutoCloseable {
    public static final String POSITIONS = "quantum:stream:exitbrain.position_opened";
    public static final String TRADES = "quantum:stream:exitbrain.trade_closed";
    public static final String LEVELS = "quantum:stream:exitbrain.pnl";
    public static final String STATS = "quantum:stream:exitbrain.stats";
    public static final String DLQ = "quantum:stream:exitbrain.dlq";
    public static final String FILLS = "quantum:stream:exitbrain.fills";
    public static final String PLANS = "quantum:stream:exitbrain.plans";

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    public final RedisCommands<String, String> redis;

    public Streams(RedisProcess server) {
        this(server.url());
    }

    /** On any Redis URL (a sentinel URL: the master the sentinels name). */
    public Streams(String url) {
        client = RedisClient.create(url);
        connection = client.connect();
        redis = connection.sync();
    }

    public StatefulRedisConnection<String, String> connection() {
        return connection;
    }

    /** XADD with field/value pairs. */
    public String add(String stream, String... pairs) {
        Map<String, String> body = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            body.put(pairs[i], pairs[i + 1]);
        }
        return redis.xadd(stream, body);
    }

    public List<Map<String, String>> entries(String stream) {
        return redis.xrange(stream, Range.create("-", "+")).stream().map(StreamMessage::getBody).toList();
    }

    /** Waits for the entry of {@code stream} whose {@code field} is {@code value}, and returns it. */
    public Map<String, String> awaitEntry(String stream, String field, String value) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).until(() -> entries(stream).stream()
                .anyMatch(e -> value.equals(e.get(field))));
        return entries(stream).stream().filter(e -> value.equals(e.get(field))).findFirst().orElseThrow();
    }

    public long length(String stream) {
        return redis.xlen(stream);
    }

    /**
     * Entries of the {@code exitbrain} group delivered and not yet acked: none when the stream or
     * the group does not exist (yet). Any other failure (Redis gone, a timeout) is thrown, not
     * taken for "nothing pending".
     */
    public long pending(String stream) {
        return pending(redis, stream);
    }

    /** {@link #pending(String)} on any connection, a cluster's too. */
    public static long pending(RedisClusterCommands<String, String> redis, String stream) {
        if (redis.exists(stream) == 0) {
            return 0;
        }
        try {
            return redis.xpending(stream, "exitbrain").getCount();
        } catch (RedisCommandExecutionException e) {
            if (String.valueOf(e.getMessage()).startsWith("NOGROUP")) {
                return 0;
            }
            throw e;
        }
    }

    /** The group has read every entry of {@code stream} (up to its last) and acked them all. */
    public boolean handled(String stream) {
        return handled(redis, stream);
    }

    /** {@link #handled(String)} on any connection, a cluster's too. */
    public static boolean handled(RedisClusterCommands<String, String> redis, String stream) {
        List<StreamMessage<String, String>> last = redis.xrevrange(stream, Range.create("-", "+"), Limit.create(0, 1));
        if (last.isEmpty()) {
            return true;
        }
        for (Object group : redis.xinfoGroups(stream)) {
            List<?> fields = (List<?>) group;
            if ("exitbrain".equals(String.valueOf(fields.get(fields.indexOf("name") + 1)))) {
                return last.get(0).getId().equals(String.valueOf(fields.get(fields.indexOf("last-delivered-id") + 1)))
                        && pending(redis, stream) == 0;
            }
        }
        return false;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
