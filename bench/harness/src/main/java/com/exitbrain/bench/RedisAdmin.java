package com.exitbrain.bench;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/** The harness's own view of Redis: loading streams, watching a group, checking outputs. */
final class RedisAdmin implements AutoCloseable {
    private static final int LOAD_CHUNK = 2000;

    /** One XINFO GROUPS row; {@code lag} is -1 on Redis before 7.0, which does not report it. */
    record GroupState(long pending, String lastDeliveredId, long lag) {
    }

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final StatefulRedisConnection<String, String> loader;
    final RedisCommands<String, String> sync;

    RedisAdmin(RedisClient client) {
        this.client = client;
        this.connection = client.connect();
        this.sync = connection.sync();
        this.loader = client.connect();
        loader.setAutoFlushCommands(false);
    }

    void flush() {
        sync.flushall();
    }

    /** Open plans plan-0… as the worker stores them (state, version), pipelined. */
    void seedPlans(int plans) {
        RedisAsyncCommands<String, String> async = loader.async();
        for (int from = 0; from < plans; from += LOAD_CHUNK) {
            List<RedisFuture<Long>> futures = new ArrayList<>(LOAD_CHUNK);
            for (int i = from; i < Math.min(plans, from + LOAD_CHUNK); i++) {
                futures.add(async.hset(Keys.plan(Events.planId(i)), Map.of("state", Keys.PLAN_STATE, "v", "seed")));
            }
            loader.flushCommands();
            if (!LettuceFutures.awaitAll(Duration.ofSeconds(60), futures.toArray(RedisFuture[]::new))) {
                throw new IllegalStateException("seeding plans timed out");
            }
        }
    }

    /** XADDs {@code count} entries, pipelined in chunks; returns the id of the last one. */
    String load(String stream, int count, IntFunction<Map<String, String>> entry) {
        RedisAsyncCommands<String, String> async = loader.async();
        String last = null;
        for (int from = 0; from < count; from += LOAD_CHUNK) {
            List<RedisFuture<String>> futures = new ArrayList<>(LOAD_CHUNK);
            for (int i = from; i < Math.min(count, from + LOAD_CHUNK); i++) {
                futures.add(async.xadd(stream, entry.apply(i)));
            }
            loader.flushCommands();
            if (!LettuceFutures.awaitAll(Duration.ofSeconds(60), futures.toArray(RedisFuture[]::new))) {
                throw new IllegalStateException("loading " + stream + " timed out");
            }
            try {
                last = futures.get(futures.size() - 1).get();
            } catch (Exception e) {
                throw new IllegalStateException("loading " + stream + " failed", e);
            }
        }
        return last;
    }

    /** The group's row of XINFO GROUPS, or {@code null} while the group does not exist. */
    GroupState group(String stream, String group) {
        if (sync.exists(stream) == 0) {
            return null;
        }
        for (Object row : sync.xinfoGroups(stream)) {
            List<?> fields = (List<?>) row;
            String name = null;
            long pending = 0;
            long lag = -1;
            String lastDelivered = "0-0";
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                String key = String.valueOf(fields.get(i));
                Object value = fields.get(i + 1);
                switch (key) {
                    case "name" -> name = String.valueOf(value);
                    case "pending" -> pending = ((Number) value).longValue();
                    case "last-delivered-id" -> lastDelivered = String.valueOf(value);
                    case "lag" -> lag = value == null ? -1 : ((Number) value).longValue();
                    default -> {
                        // consumers, entries-read: not needed
                    }
                }
            }
            if (group.equals(name)) {
                return new GroupState(pending, lastDelivered, lag);
            }
        }
        return null;
    }

    /** True once the consumer has issued its first XREADGROUP on the stream. */
    boolean consumerExists(String stream, String group, String consumer) {
        try {
            for (Object row : sync.xinfoConsumers(stream, group)) {
                List<?> fields = (List<?>) row;
                for (int i = 0; i + 1 < fields.size(); i += 2) {
                    if ("name".equals(String.valueOf(fields.get(i))) && consumer.equals(String.valueOf(fields.get(i + 1)))) {
                        return true;
                    }
                }
            }
            return false;
        } catch (RuntimeException noStreamOrGroupYet) {
            return false;
        }
    }

    long length(String stream) {
        return sync.xlen(stream);
    }

    String hashField(String key, String field) {
        return sync.hget(key, field);
    }

    /** Memory of the whole data set (used_memory), bytes. */
    long usedMemory() {
        String info = sync.info("memory");
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        return -1;
    }

    @Override
    public void close() {
        loader.close();
        connection.close();
    }

    RedisClient client() {
        return client;
    }
}
