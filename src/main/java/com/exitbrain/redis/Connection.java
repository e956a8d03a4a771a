package com.exitbrain.redis;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One connection of the worker, to a single Redis (standalone or the Sentinel's primary) or to a
 * Redis Cluster (SPEC §10), with the commands both have. On a cluster, Lettuce routes each command by
 * its first key's slot and follows the cluster's topology; every call of the worker touches one
 * partition's keys, which share a slot.
 */
public final class Connection implements AutoCloseable {
    private final StatefulConnection<String, String> stateful;
    private final RedisClusterCommands<String, String> sync;
    private final RedisClusterAsyncCommands<String, String> async;
    private final Supplier<CompletionStage<Void>> refreshTopology;

    private Connection(StatefulConnection<String, String> stateful, RedisClusterCommands<String, String> sync,
                       RedisClusterAsyncCommands<String, String> async, Supplier<CompletionStage<Void>> refreshTopology) {
        this.stateful = stateful;
        this.sync = sync;
        this.async = async;
        this.refreshTopology = refreshTopology;
    }

    public static Connection of(StatefulRedisConnection<String, String> c) {
        return new Connection(c, c.sync(), c.async(), null);
    }

    /**
     * @param refreshTopology asks the client to read the cluster's topology again (or joins a
     *                        refresh under way), completing when it is read
     */
    public static Connection of(StatefulRedisClusterConnection<String, String> c,
                                Supplier<CompletionStage<Void>> refreshTopology) {
        return new Connection(c, c.sync(), c.async(), refreshTopology);
    }

    /**
     * After a failed command on a cluster: the topology is read again now, not at the next periodic
     * refresh, and then a read of {@code slotKey} makes this connection open its connection to the
     * master now serving that slot. A node connection opened by a command rejects that command
     * while it connects, so without this each of the worker's connections would cost a failed
     * retry of its own after a failover. Nothing for one Redis.
     */
    public void afterFailure(String slotKey) {
        if (refreshTopology == null) {
            return;
        }
        refreshTopology.get().thenRun(() -> {
            try {
                async.exists(slotKey);
                stateful.flushCommands();
            } catch (RuntimeException e) {
                // only a head start: the worker's retry finds the same
            }
        });
    }

    public StatefulConnection<String, String> stateful() {
        return stateful;
    }

    public RedisClusterCommands<String, String> sync() {
        return sync;
    }

    public RedisClusterAsyncCommands<String, String> async() {
        return async;
    }

    /** Whether this is a connection to a Redis Cluster. */
    public boolean cluster() {
        return stateful instanceof StatefulRedisClusterConnection;
    }

    public boolean isOpen() {
        return stateful.isOpen();
    }

    public void setAutoFlushCommands(boolean on) {
        stateful.setAutoFlushCommands(on);
    }

    public void flushCommands() {
        stateful.flushCommands();
    }

    public void setTimeout(Duration timeout) {
        stateful.setTimeout(timeout);
    }

    @Override
    public void close() {
        stateful.close();
    }
}
