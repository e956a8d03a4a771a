package com.exitbrain.app;

import com.exitbrain.config.RedisUrls;
import com.exitbrain.config.Settings;
import com.exitbrain.health.RedisTopology;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.List;

/**
 * The Lettuce client REDIS_URL calls for (SPEC §6, §10): a {@link RedisClient} for one Redis or the
 * Sentinel's primary, a {@link RedisClusterClient} for {@code redis-cluster://}; either way commands
 * are rejected at once while disconnected (the worker retries with its own backoff) and time out
 * after {@code redis.command-timeout-ms}. The topology listener tells /health where connections are.
 */
record RedisClients(AbstractRedisClient client, RedisTopology topology) {
    /**
     * A cluster's topology is read again this often, besides after every MOVED or lost node and
     * after every failed command of the worker (each reading opens a connection to every node).
     */
    private static final long CLUSTER_REFRESH_SECONDS = 30;

    static RedisClients create(Settings settings, ClientResources resources) {
        SocketOptions socket = SocketOptions.builder().connectTimeout(Duration.ofMillis(
                Math.min(settings.commandTimeoutMs(), 2000))).keepAlive(true).build();
        TimeoutOptions timeouts = TimeoutOptions.enabled(Duration.ofMillis(settings.commandTimeoutMs()));
        RedisClients built = settings.cluster() ? cluster(settings, resources, socket, timeouts)
                : single(settings, resources, socket, timeouts);
        built.client.addListener(built.topology);
        return built;
    }

    /**
     * No {@code CLIENT SETINFO} in the handshake: Redis before 7.2 answers it with an error, one or
     * two per connection (and a cluster's topology readings open connections all the time), which
     * fill {@code INFO errorstats} with {@code ERR} and hide the errors that matter.
     */
    private static void quiet(RedisURI uri) {
        uri.setLibraryName("");
        uri.setLibraryVersion("");
    }

    /** What one Redis and a cluster share: reconnects, commands rejected while disconnected, timeouts. */
    private static <B extends ClientOptions.Builder> B common(B builder, SocketOptions socket, TimeoutOptions timeouts) {
        builder.autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(socket)
                .timeoutOptions(timeouts);
        return builder;
    }

    private static RedisClients single(Settings settings, ClientResources resources, SocketOptions socket,
                                       TimeoutOptions timeouts) {
        RedisURI uri = Daemon.redisUri(settings);
        quiet(uri);
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(common(ClientOptions.builder(), socket, timeouts).build());
        // which node each connection is on (a sentinel URL: the master found at each (re)connect)
        return new RedisClients(client, new RedisTopology(uri));
    }

    private static RedisClients cluster(Settings settings, ClientResources resources, SocketOptions socket,
                                        TimeoutOptions timeouts) {
        List<RedisURI> seeds = RedisUrls.clusterSeeds(settings.redisUrl());
        seeds.forEach(seed -> {
            seed.setTimeout(Duration.ofMillis(settings.commandTimeoutMs()));
            quiet(seed);
        });
        RedisClusterClient client = RedisClusterClient.create(resources, seeds);
        // a failover or a slot moved is followed at once (MOVED, ASK, reconnects), and every few
        // seconds in any case
        client.setOptions(common(ClusterClientOptions.builder(), socket, timeouts)
                // a node the cluster marks failing is left out of the topology: its connections are
                // closed, instead of reconnecting (and warning) every few seconds until it is
                // forgotten or back
                .nodeFilter(node -> !(node.is(RedisClusterNode.NodeFlag.FAIL)
                        || node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)
                        || node.is(RedisClusterNode.NodeFlag.NOADDR)))
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(CLUSTER_REFRESH_SECONDS))
                        .enableAllAdaptiveRefreshTriggers()
                        .refreshTriggersReconnectAttempts(2)
                        .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                        .build())
                .build());
        return new RedisClients(client, new RedisTopology(seeds.get(0), settings.partitioning().count()));
    }
}
