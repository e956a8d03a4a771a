package com.exitbrain.health;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.Delegating;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisReadOnlyException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.protocol.DefaultEndpoint;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis the worker's connections are on (SPEC §10, Sentinel), for /health, and the one
 * failure a reconnect cures after a failover.
 *
 * <p>With a {@code redis-sentinel://} URL, Lettuce's {@code RedisClient} asks the sentinels for the
 * master's address on every connect <em>and every reconnect</em> (the connection's socket address is
 * a deferred lookup that the reconnecting watchdog subscribes to again). So a connection dropped by
 * the primary's death comes back on whatever the sentinels name once they have promoted a replica.
 * What it cannot see is a node that is no longer the primary but still answers: an old primary
 * demoted to replica while a connection stays open, or one a sentinel with a stale view still names.
 * Every write there is refused with {@code READONLY}; the worker treats that as a Redis failure and
 * drops its connections ({@link #reconnect}), so that the master is looked up again.
 */
public final class RedisTopology implements RedisConnectionStateListener {
    private static final Logger log = LoggerFactory.getLogger(RedisTopology.class);

    private final RedisURI uri;
    /** Partitions of a Redis Cluster (SPEC §10), 0 for one Redis. */
    private final int clusterPartitions;
    /** The remote address of each open data connection of the client (sentinel look-ups excluded). */
    private final Map<RedisChannelHandler<?, ?>, String> nodes = new ConcurrentHashMap<>();
    /** The node the last connection (re)connected to: a change is a failover followed. */
    private volatile String lastNode;

    public RedisTopology(RedisURI uri) {
        this(uri, 0);
    }

    /**
     * @param partitions for a Redis Cluster (seeded by {@code uri}), how many partitions the worker
     *                   runs; 0 for one Redis
     */
    public RedisTopology(RedisURI uri, int partitions) {
        this.uri = uri;
        this.clusterPartitions = partitions;
    }

    public boolean cluster() {
        return clusterPartitions > 0;
    }

    public boolean sentinel() {
        return !uri.getSentinels().isEmpty();
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress remote) {
        if (connection instanceof StatefulRedisSentinelConnection) {
            return;
        }
        String address = address(remote);
        nodes.put(connection, address);
        String before = lastNode;
        lastNode = address;
        if (sentinel() && before != null && !before.equals(address)) {
            log.info("Redis connections now go to {}, not {}: the sentinels name it as master {}", address, before,
                    uri.getSentinelMasterId());
        }
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        nodes.remove(connection);
    }

    /** The node {@code connection} is connected to ({@code host:port}), null when it is not. */
    public String node(StatefulConnection<?, ?> connection) {
        return connection == null ? null : nodes.get((RedisChannelHandler<?, ?>) connection);
    }

    /**
     * /health's view of the topology: {@code mode}, for Sentinel the master name and the sentinels,
     * and {@code primary}: the node the health connection is on when it says it is a master (null
     * while there is none); {@code role} as that node reports it.
     */
    public void describe(ObjectNode redis, StatefulConnection<?, ?> probe, String role) {
        if (cluster()) {
            describeCluster(redis, probe);
            return;
        }
        redis.put("mode", sentinel() ? "sentinel" : "standalone");
        if (sentinel()) {
            redis.put("master_name", uri.getSentinelMasterId());
            ArrayNode sentinels = redis.putArray("sentinels");
            uri.getSentinels().forEach(s -> sentinels.add(s.getHost() + ":" + s.getPort()));
        }
        String node = node(probe);
        if (role == null || node == null) {
            redis.putNull("primary");
            redis.putNull("role");
            return;
        }
        redis.put("role", role);
        if ("master".equals(role)) {
            redis.put("primary", node);
        } else {
            redis.putNull("primary");
            redis.put("node", node);
        }
    }

    /**
     * A cluster as the client last read it: each node with its role, slot ranges, whether the
     * cluster marks it failing, and the partitions whose tag's slot it serves (SPEC §10).
     */
    private void describeCluster(ObjectNode redis, StatefulConnection<?, ?> probe) {
        redis.put("mode", "cluster");
        ArrayNode nodes = redis.putArray("nodes");
        if (!(probe instanceof StatefulRedisClusterConnection<?, ?> cluster)) {
            return;
        }
        for (RedisClusterNode node : cluster.getPartitions()) {
            ObjectNode n = nodes.addObject();
            n.put("node", node.getUri().getHost() + ":" + node.getUri().getPort());
            n.put("id", node.getNodeId());
            boolean primary = node.is(RedisClusterNode.NodeFlag.UPSTREAM);
            n.put("role", primary ? "master" : "replica");
            n.put("failing", node.is(RedisClusterNode.NodeFlag.FAIL) || node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL));
            if (!primary) {
                n.put("replica_of", node.getSlaveOf());
                continue;
            }
            n.put("slots", ranges(node.getSlots()));
            ArrayNode served = n.putArray("partitions");
            for (int p = 0; p < clusterPartitions; p++) {
                if (node.hasSlot(SlotHash.getSlot("{p" + p + "}"))) {
                    served.add(p);
                }
            }
        }
    }

    /** {@code 0-9000,9001} from a sorted list of slots. */
    private static String ranges(java.util.List<Integer> slots) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < slots.size()) {
            int from = slots.get(i);
            int to = from;
            while (i + 1 < slots.size() && slots.get(i + 1) == to + 1) {
                to = slots.get(++i);
            }
            out.append(out.length() == 0 ? "" : ",").append(from).append(from == to ? "" : "-" + to);
            i++;
        }
        return out.toString();
    }

    /** {@code role:} of an INFO replication reply: {@code master}, {@code replica} (Redis says slave), or null. */
    public static String role(String info) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("role:")) {
                String role = line.substring(5).trim();
                return role.equals("slave") ? "replica" : role;
            }
        }
        return null;
    }

    /** Whether Redis refused a write because the node is a replica ({@code READONLY}), among the causes. */
    public static boolean readOnly(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof RedisReadOnlyException) {
                return true;
            }
            String message = String.valueOf(c.getMessage());
            // a script's refused write ends its error as "... READONLY You can't write against a read only replica"
            if (message.startsWith("READONLY") || message.contains("You can't write against a read only replica")) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /**
     * Drops the connections' channels: Lettuce reconnects them at once, which with Sentinel asks the
     * sentinels for the master again. The connection objects stay the same, so the worker keeps them.
     */
    public static void reconnect(Iterable<? extends StatefulConnection<?, ?>> connections) {
        connections.forEach(RedisTopology::reconnect);
    }

    /** {@link #reconnect(Iterable)} for one connection. */
    public static void reconnect(StatefulConnection<?, ?> connection) {
        if (!(connection instanceof RedisChannelHandler<?, ?> handler)) {
            return;
        }
        RedisChannelWriter writer = handler.getChannelWriter();
        while (writer instanceof Delegating<?> delegating && delegating.getDelegate() instanceof RedisChannelWriter inner
                && inner != writer) {
            writer = inner;
        }
        if (writer instanceof DefaultEndpoint endpoint) {
            endpoint.disconnect();
        }
    }

    private static String address(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet) {
            String host = inet.getHostString();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(remote);
    }
}
