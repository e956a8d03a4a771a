package com.exitbrain.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.zip.CRC32;

/**
 * {@code scripts/bench cluster}: the packaged worker on a local Redis Cluster of three masters
 * (SPEC §10), draining the same position-opened backlog with 1 and with 3 partitions. Slots are
 * placed as an operator would ({@code {p2}} 7752 on master A, {@code {p1}} 11819 on B, {@code {p0}}
 * 15882 on C), so that three partitions run on three masters. Measured per run: events/s from the
 * first output to the last, worker CPU per event, and each master's CPU (busy share of the drain,
 * microseconds per event it served); then a projection to N shards on N machines from those
 * per-event costs. Everything shares this machine's cores: what is measured is cost per event, what
 * is projected is throughput where each master and worker has cores of its own.
 */
final class ClusterBench {
    private static final int[][] RANGES = {{0, 9000}, {9001, 13000}, {13001, 16383}};
    private static final String POSITIONS = "quantum:stream:exitbrain.position_opened";
    private static final String LEVELS = "quantum:stream:exitbrain.pnl";

    private ClusterBench() {
    }

    private record Run(int partitions, int events, double seconds, double workerCpuSeconds, List<Double> nodeCpu,
                       List<Integer> nodeEvents) {
        double rate() {
            return events / seconds;
        }
    }

    static int run(String[] args) throws Exception {
        int positions = 200_000;
        Path jar = Path.of("target/exitbrain.jar");
        List<Integer> partitionCounts = List.of(1, 3);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--positions" -> positions = Integer.parseInt(args[++i].replace(",", "").replace("_", ""));
                case "--jar" -> jar = Path.of(args[++i]);
                case "--partitions" -> partitionCounts = java.util.Arrays.stream(args[++i].split(","))
                        .map(String::trim).map(Integer::parseInt).toList();
                default -> {
                    System.err.println("scripts/bench cluster: unknown flag " + args[i]
                            + " (flags: --positions N, --partitions 1,3, --jar FILE)");
                    return 2;
                }
            }
        }
        Path workDir = Files.createTempDirectory("exitbrain-bench-cluster-");
        Progress.say("work directory (logs, Redis): %s", workDir);
        List<RedisServer> nodes = new ArrayList<>();
        RedisClient admin = RedisClient.create();
        try {
            for (int m = 0; m < 3; m++) {
                nodes.add(RedisServer.start(workDir, "node" + m, "--cluster-enabled", "yes", "--cluster-config-file",
                        "nodes.conf", "--cluster-node-timeout", "5000"));
            }
            form(admin, nodes);
            List<RedisURI> seeds = nodes.stream().map(n -> RedisURI.create(n.url())).toList();
            String url = "redis-cluster://" + nodes.stream().map(n -> n.url().substring("redis://".length()))
                    .collect(Collectors.joining(","));
            RedisClusterClient cluster = RedisClusterClient.create(seeds);
            List<Run> runs = new ArrayList<>();
            try (StatefulRedisClusterConnection<String, String> c = cluster.connect()) {
                UnitFlags.Flags unit = UnitFlags.resolve();
                for (int n : partitionCounts) {
                    runs.add(drain(admin, nodes, c, url, jar, unit.flags(), workDir, n, positions));
                }
            } finally {
                cluster.shutdown();
            }
            print(runs, positions);
            return 0;
        } finally {
            admin.shutdown();
            nodes.forEach(RedisServer::close);
        }
    }

    /** Slots as RANGES, MEET, and until every node reports state ok. */
    private static void form(RedisClient admin, List<RedisServer> nodes) throws InterruptedException {
        for (int m = 0; m < nodes.size(); m++) {
            int[] slots = IntStream.rangeClosed(RANGES[m][0], RANGES[m][1]).toArray();
            try (StatefulRedisConnection<String, String> c = admin.connect(RedisURI.create(nodes.get(m).url()))) {
                c.sync().clusterAddSlots(slots);
                if (m > 0) {
                    c.sync().clusterMeet("127.0.0.1", port(nodes.get(0)));
                }
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            boolean ok = true;
            for (RedisServer node : nodes) {
                try (StatefulRedisConnection<String, String> c = admin.connect(RedisURI.create(node.url()))) {
                    ok &= c.sync().clusterInfo().contains("cluster_state:ok");
                }
            }
            if (ok) {
                Progress.say("cluster of %d masters formed: {p2} on %s, {p1} on %s, {p0} on %s", nodes.size(),
                        nodes.get(0).url(), nodes.get(1).url(), nodes.get(2).url());
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the cluster did not reach state ok within 30 s");
    }

    private static int port(RedisServer node) {
        return Integer.parseInt(node.url().substring(node.url().lastIndexOf(':') + 1));
    }

    private static int partition(String symbol, int n) {
        CRC32 crc = new CRC32();
        crc.update(symbol.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return (int) (crc.getValue() % n);
    }

    /** Which of the three masters serves partition p's tag. */
    private static int nodeOf(int p) {
        int slot = SlotHash.getSlot("{p" + p + "}");
        for (int m = 0; m < RANGES.length; m++) {
            if (slot >= RANGES[m][0] && slot <= RANGES[m][1]) {
                return m;
            }
        }
        throw new IllegalStateException("slot " + slot);
    }

    private static Run drain(RedisClient admin, List<RedisServer> nodes, StatefulRedisClusterConnection<String, String> c,
                             String url, Path jar, List<String> jvmFlags, Path workDir, int partitions, int positions)
            throws Exception {
        for (RedisServer node : nodes) {
            try (StatefulRedisConnection<String, String> a = admin.connect(RedisURI.create(node.url()))) {
                a.sync().flushall();
            }
        }
        Progress.say("%d partitions: loading %,d positions", partitions, positions);
        Events events = new Events(42);
        List<Integer> perNode = new ArrayList<>(List.of(0, 0, 0));
        Map<Integer, Integer> perPartition = new LinkedHashMap<>();
        RedisAdvancedClusterAsyncCommands<String, String> async = c.async();
        c.setAutoFlushCommands(false);
        List<RedisFuture<String>> sent = new ArrayList<>();
        for (int i = 0; i < positions; i++) {
            Map<String, String> body = events.position("pos-" + i);
            int p = partition(body.get("symbol"), partitions);
            perPartition.merge(p, 1, Integer::sum);
            perNode.set(nodeOf(p), perNode.get(nodeOf(p)) + 1);
            sent.add(async.xadd(POSITIONS + "{p" + p + "}", body));
            if (sent.size() == 2000) {
                c.flushCommands();
                for (RedisFuture<String> f : sent) {
                    f.get(30, TimeUnit.SECONDS);
                }
                sent.clear();
            }
        }
        c.flushCommands();
        for (RedisFuture<String> f : sent) {
            f.get(30, TimeUnit.SECONDS);
        }
        c.setAutoFlushCommands(true);
        Progress.say("%d partitions: positions per partition %s", partitions, perPartition);
        JavaChild worker = JavaChild.start("worker-cluster-" + partitions, jvmFlags,
                List.of("-jar", jar.toString(), "run"),
                Map.of("REDIS_URL", url, "HEALTH_PORT", "0", "EXITBRAIN_CONSUMER", "bench-" + partitions,
                        "EXITBRAIN_PARTITIONS", Integer.toString(partitions), "EXITBRAIN_PNL_SCOPE", "symbol"),
                workDir);
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (levels(c, partitions) == 0) {
                worker.requireAlive();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no output within 10 minutes");
                }
                Thread.sleep(2);
            }
            long start = System.nanoTime();
            long startLevels = levels(c, partitions);
            double workerStart = ProcCpu.seconds(worker.pid());
            List<Double> nodeStart = nodes.stream().map(n -> ProcCpu.seconds(n.pid())).toList();
            long done;
            while ((done = levels(c, partitions)) < positions) {
                worker.requireAlive();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("drain not done within 10 minutes: " + done + " of " + positions);
                }
                Thread.sleep(5);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double workerCpu = ProcCpu.seconds(worker.pid()) - workerStart;
            List<Double> nodeCpu = new ArrayList<>();
            for (int m = 0; m < nodes.size(); m++) {
                nodeCpu.add(ProcCpu.seconds(nodes.get(m).pid()) - nodeStart.get(m));
            }
            int measured = (int) (positions - startLevels);
            Progress.say("%d partitions: %,d positions in %.2f s", partitions, measured, seconds);
            // the share of each node's events in the measured part, assumed even over time
            List<Integer> nodeEvents = perNode.stream().map(e -> (int) Math.round(e * (double) measured / positions)).toList();
            return new Run(partitions, measured, seconds, workerCpu, nodeCpu, nodeEvents);
        } finally {
            worker.close();
        }
    }

    private static long levels(StatefulRedisClusterConnection<String, String> c, int partitions) {
        long n = 0;
        for (int p = 0; p < partitions; p++) {
            n += c.sync().xlen(LEVELS + "{p" + p + "}");
        }
        return n;
    }

    private static void print(List<Run> runs, int positions) {
        System.out.printf("%nRedis Cluster drain, %,d position-opened events, three masters on this machine (%s)%n",
                positions, Machine.describe());
        System.out.println("| partitions | positions/s | worker CPU µs/event | master A ({p2}) busy, µs/event"
                + " | master B ({p1}) | master C ({p0}) |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        for (Run r : runs) {
            StringBuilder line = new StringBuilder(String.format("| %d | %,.0f | %.1f", r.partitions(), r.rate(),
                    r.workerCpuSeconds() * 1e6 / r.events()));
            for (int m = 0; m < r.nodeCpu().size(); m++) {
                int served = r.nodeEvents().get(m);
                line.append(String.format(" | %.0f %%%s", 100 * r.nodeCpu().get(m) / r.seconds(),
                        served == 0 ? ", no partition" : String.format(", %.1f µs", r.nodeCpu().get(m) * 1e6 / served)));
            }
            System.out.println(line.append(" |"));
        }
        Run wide = runs.get(runs.size() - 1);
        double nodeCost = 0;
        int nodeCount = 0;
        for (int m = 0; m < wide.nodeCpu().size(); m++) {
            if (wide.nodeEvents().get(m) > 0) {
                nodeCost += wide.nodeCpu().get(m) * 1e6 / wide.nodeEvents().get(m);
                nodeCount++;
            }
        }
        nodeCost /= Math.max(1, nodeCount);
        double workerCost = wide.workerCpuSeconds() * 1e6 / wide.events();
        System.out.printf("%nProjection (from the %d-partition run's costs per event, not measured here): one master"
                        + " spends %.1f µs of its single thread per event, so one shard tops out near %,.0f events/s;"
                        + " the worker spends %.1f µs of CPU per event, so one worker core handles about %,.0f events/s."
                        + " With N partitions on N shards on N machines (each with a worker, or workers with N cores),"
                        + " throughput ≈ N × min(%,.0f, cores × %,.0f) events/s, while symbols spread evenly over the"
                        + " partitions (crc32(symbol) mod N: a few hot symbols bound it by their own partition).%n",
                wide.partitions(), nodeCost, 1e6 / nodeCost, workerCost, 1e6 / workerCost, 1e6 / nodeCost,
                1e6 / workerCost);
    }
}
