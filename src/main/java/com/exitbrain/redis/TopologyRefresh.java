package com.exitbrain.redis;

import io.lettuce.core.cluster.RedisClusterClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster topology refresh asked for by a worker whose command failed (SPEC §10: follow a
 * failover at once, not at the next periodic refresh): at most one per {@code minInterval}; a
 * caller within that time joins the last one. Completes when the topology is read, or failed to be.
 */
public final class TopologyRefresh implements Supplier<CompletionStage<Void>> {
    private static final Logger log = LoggerFactory.getLogger(TopologyRefresh.class);

    private final RedisClusterClient cluster;
    private final long minIntervalNanos;
    private long last;
    private CompletableFuture<Void> current = CompletableFuture.completedFuture(null);

    public TopologyRefresh(RedisClusterClient cluster, long minIntervalMillis) {
        this.cluster = cluster;
        this.minIntervalNanos = TimeUnit.MILLISECONDS.toNanos(minIntervalMillis);
        this.last = System.nanoTime() - minIntervalNanos;
    }

    @Override
    public synchronized CompletionStage<Void> get() {
        long now = System.nanoTime();
        if (now - last >= minIntervalNanos) {
            last = now;
            current = cluster.refreshPartitionsAsync().toCompletableFuture().exceptionally(e -> {
                log.debug("cluster topology refresh failed: {}", e.toString());
                return null;
            });
        }
        return current;
    }
}
