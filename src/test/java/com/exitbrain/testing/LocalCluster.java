package com.exitbrain.testing;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A Redis Cluster on loopback for the tests (SPEC §10): three masters, each with a replica, every
 * node a private {@code redis-server --cluster-enabled yes} on a free port. The slots are not split
 * evenly (that would put {@code {p0}} at 15882 and {@code {p1}} at 11819 on the same master): master 0
 * holds 0–9000 ({@code {p2}}, 7752), master 1 9001–13000 ({@code {p1}}), master 2 13001–16383
 * ({@code {p0}}), as an operator places partitions on different shards. {@code cluster-node-timeout}
 * is 1 s, so that a replica takes over about 2 s after its master dies.
 */
public final class LocalCluster implements AutoCloseable {
    public static final int[][] RANGES = {{0, 9000}, {9001, 13000}, {13001, 16383}};

    private final List<RedisProcess> nodes = new ArrayList<>();
    private final Map<RedisProcess, String> ids = new LinkedHashMap<>();
    private final RedisClient client = RedisClient.create();

    private LocalCluster() {
    }

    /** Three masters with a replica each, slots placed as {@link #RANGES}, state ok on every node. */
    public static LocalCluster start() {
        LocalCluster cluster = new LocalCluster();
        try {
            for (int i = 0; i < 6; i++) {
                cluster.nodes.add(RedisProcess.start(false, "--cluster-enabled", "yes", "--cluster-config-file",
                        "nodes.conf", "--cluster-node-timeout", "1000", "--repl-diskless-sync", "no",
                        "--enable-debug-command", "yes"));
            }
            for (RedisProcess node : cluster.nodes) {
                cluster.ids.put(node, cluster.sync(node, r -> r.clusterMyId()));
            }
            for (int m = 0; m < 3; m++) {
                int[] range = RANGES[m];
                int[] slots = IntStream.rangeClosed(range[0], range[1]).toArray();
                cluster.sync(cluster.nodes.get(m), r -> r.clusterAddSlots(slots));
            }
            RedisProcess first = cluster.nodes.get(0);
            for (RedisProcess node : cluster.nodes.subList(1, 6)) {
                cluster.sync(node, r -> r.clusterMeet("127.0.0.1", first.port()));
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                    cluster.nodes.stream().allMatch(n -> cluster.sync(n, r -> r.clusterNodes()).lines().count() == 6));
            for (int m = 0; m < 3; m++) {
                String masterId = cluster.ids.get(cluster.nodes.get(m));
                cluster.sync(cluster.nodes.get(m + 3), r -> r.clusterReplicate(masterId));
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(cluster::healthy);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** {@code redis-cluster://} with every master as a seed. */
    public String url() {
        return "redis-cluster://" + nodes.subList(0, 3).stream().map(n -> "127.0.0.1:" + n.port())
                .collect(Collectors.joining(","));
    }

    /** Every node sees state ok, and every replica's link to its master is up. */
    public boolean healthy() {
        for (RedisProcess node : nodes) {
            if (!node.alive()) {
                continue;
            }
            if (!sync(node, r -> r.clusterInfo()).contains("cluster_state:ok")) {
                return false;
            }
            String replication = sync(node, r -> r.info("replication"));
            if (replication.contains("role:slave") && !replication.contains("master_link_status:up")) {
                return false;
            }
        }
        return true;
    }

    /** The live node that serves {@code slot} as master, as the cluster says now. */
    public RedisProcess masterOf(int slot) {
        for (RedisProcess node : nodes) {
            if (node.alive() && sync(node, r -> r.info("replication")).contains("role:master") && serves(node, slot)) {
                return node;
            }
        }
        throw new IllegalStateException("no live master serves slot " + slot);
    }

    /** The master of partition {@code p}'s tag. */
    public RedisProcess masterOfPartition(int p) {
        return masterOf(SlotHash.getSlot("{p" + p + "}"));
    }

    /** The replica of {@code master}. */
    public RedisProcess replicaOf(RedisProcess master) {
        String id = ids.get(master);
        for (RedisProcess node : nodes) {
            if (node != master && node.alive() && sync(node, r -> r.info("replication")).contains("role:slave")
                    && sync(node, r -> r.clusterNodes()).lines().anyMatch(l -> l.contains("myself") && l.contains(id))) {
                return node;
            }
        }
        throw new IllegalStateException("no live replica of " + master.port());
    }

    private boolean serves(RedisProcess node, int slot) {
        String me = ids.get(node);
        return sync(node, r -> r.clusterNodes()).lines().filter(l -> l.startsWith(me)).anyMatch(l -> {
            String[] parts = l.split(" ");
            for (int i = 8; i < parts.length; i++) {
                String[] range = parts[i].split("-");
                int from = Integer.parseInt(range[0]);
                int to = range.length == 1 ? from : Integer.parseInt(range[1]);
                if (slot >= from && slot <= to) {
                    return true;
                }
            }
            return false;
        });
    }

    /** CLIENT PAUSE WRITE on {@code node}: it executes no more writes; replication and the cluster bus go on. */
    public void pauseWrites(RedisProcess node, long millis) {
        sync(node, r -> r.dispatch(io.lettuce.core.protocol.CommandType.CLIENT,
                new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8).add("PAUSE")
                        .add(millis).add("WRITE")));
    }

    /** Replication offsets equal: everything the master holds is on its replica. */
    public boolean inSync(RedisProcess master, RedisProcess replica) {
        long m = offset(sync(master, r -> r.info("replication")), "master_repl_offset:");
        long r = offset(sync(replica, c -> c.info("replication")), "slave_repl_offset:");
        return m > 0 && m == r;
    }

    private static long offset(String info, String field) {
        return info.lines().filter(l -> l.startsWith(field)).map(l -> Long.parseLong(l.substring(field.length()).trim()))
                .findFirst().orElse(-1L);
    }

    public <T> T sync(RedisProcess node, java.util.function.Function<RedisCommands<String, String>, T> call) {
        try (StatefulRedisConnection<String, String> c = client.connect(io.lettuce.core.RedisURI.create(node.url()))) {
            return call.apply(c.sync());
        }
    }

    /** Every node (dead or alive), masters first as started. */
    public List<RedisProcess> nodes() {
        return List.copyOf(nodes);
    }

    /** {@code INFO errorstats} of every live node, joined: to look for CROSSSLOT. */
    public String errorStats() {
        return nodes.stream().filter(RedisProcess::alive).map(n -> sync(n, r -> r.info("errorstats")))
                .collect(Collectors.joining("\n"));
    }

    @Override
    public void close() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        nodes.forEach(RedisProcess::close);
    }
}
