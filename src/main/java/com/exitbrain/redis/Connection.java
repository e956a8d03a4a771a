package com.exitbrain.redis;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;

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

    private Connection(StatefulConnection<String, String> stateful, RedisClusterCommands<String, String> sync,
                       RedisClusterAsyncCommands<String, String> async) {
        this.stateful = stateful;
        this.sync = sync;
        this.async = async;
    }

    public static Connection of(StatefulRedisConnection<String, String> c) {
        return new Connection(c, c.sync(), c.async());
    }

    public static Connection of(StatefulRedisClusterConnection<String, String> c) {
        return new Connection(c, c.sync(), c.async());
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
