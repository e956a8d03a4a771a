package com.exitbrain.stream;

import static com.exitbrain.testing.Streams.DLQ;
import static com.exitbrain.testing.Streams.FILLS;
import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.PLANS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static com.exitbrain.testing.Streams.STATS;
import static com.exitbrain.testing.Streams.TRADES;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.app.Daemon;
import com.exitbrain.testing.Backlog;
import com.exitbrain.testing.Http;
import com.exitbrain.testing.SentinelCluster;
import com.exitbrain.testing.Streams;
import com.exitbrain.testing.WorkerHarness;
import com.exitbrain.testing.WorkerProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * SPEC §10, Sentinel: a primary, a replica and three sentinels on loopback; the primary is killed
 * (kill -9) in the middle of a mixed backlog of positions, trades and fills, and the worker carries
 * on against the promoted replica by itself: exactly one output per input the new primary holds, no
 * duplicate stats or plan entries, nothing pending at the end. The backlog is on the replica before
 * the kill ({@code WAIT 1 1000}); a producer that goes on writing without WAIT until the kill shows
 * what asynchronous replication may lose on the input side. The figures are printed.
 */
class SentinelFailoverIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    // large enough that the worker is mid-backlog when the primary is killed, however fast it drains
    private static final int POSITIONS_N = 50000;
    private static final int TRADES_N = 50000;
    private static final int PLANNED = 500; // positions with plans, three fills each

    /** Positions with plans first, then positions without and trades, interleaved; the fills come later. */
    private static void backlog(Streams primary) {
        Backlog.addPlanPositions(primary, PLANNED);
        Backlog.add(primary, POSITIONS_N, TRADES_N);
    }

    /**
     * The fills, once the worker has published the plans (an executor places its exit orders from
     * them, so fills never come first), then WAIT: the backlog is on the replica before the primary
     * dies, and so is the new primary's.
     */
    private static void fills(Streams primary) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> primary.length(LEVELS) >= PLANNED);
        Backlog.addPlanFills(primary, PLANNED);
        assertEquals(1L, primary.redis.waitForReplication(1, 5000), "the replica acknowledged the backlog");
    }

    private static long outputs(Streams s) {
        return s.length(LEVELS) + s.length(STATS) + s.length(PLANS);
    }

    /** The outputs of the whole backlog: levels and stats of every position and trade, plan entries, closed plans' stats. */
    private static long total() {
        return POSITIONS_N + TRADES_N + PLANNED * 5L;
    }

    /** Outputs on the new primary until caught up and nothing is pending, then exactly once for what it holds. */
    private static void assertExactlyOnceOnNewPrimary(Streams s, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(200)).until(() -> s.handled(POSITIONS)
                && s.handled(TRADES) && s.handled(FILLS)
                && s.length(LEVELS) >= s.length(POSITIONS) && s.length(PLANS) >= s.length(FILLS));
        long positions = s.length(POSITIONS);
        long trades = s.length(TRADES);
        long fills = s.length(FILLS);
        List<Map<String, String>> levels = s.entries(LEVELS);
        assertEquals(positions, levels.size(), "one level set per position");
        assertEquals(positions, levels.stream().map(e -> e.get("position_id")).distinct().count());
        List<Map<String, String>> plans = s.entries(PLANS);
        assertEquals(fills, plans.size(), "one plan entry per fill");
        assertEquals(fills, plans.stream().map(e -> e.get("position_id") + "/" + e.get("fill_id")).distinct().count());
        long closed = plans.stream().filter(e -> "closed".equals(e.get("status"))).count();
        assertEquals(closed, plans.stream().filter(e -> "closed".equals(e.get("status")))
                .map(e -> e.get("position_id")).distinct().count(), "each plan closed once");
        List<Map<String, String>> stats = s.entries(STATS);
        assertEquals(trades + closed, stats.size(), "one stats entry per trade and per closed plan");
        assertEquals(stats.size(), stats.stream().map(e -> e.get("trade_id")).distinct().count(), "no trade twice");
        assertEquals(Long.toString(stats.size()), s.redis.hget("exitbrain:pnl:global", "total_trades"));
        assertEquals(0, s.pending(POSITIONS) + s.pending(TRADES) + s.pending(FILLS), "nothing pending");
        assertEquals(0, s.length(DLQ), "no dead letter: " + s.entries(DLQ));
    }

    /** /health sampled in the background: the time of the first 503 and of the first 200 naming {@code primary}. */
    private static final class HealthWatch implements AutoCloseable {
        final AtomicLong first503 = new AtomicLong();
        final AtomicLong backOn = new AtomicLong();
        final Set<String> primariesSeen = ConcurrentHashMap.newKeySet();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        HealthWatch(int port, String newPrimary) {
            thread = new Thread(() -> {
                while (running.get()) {
                    try {
                        Http.Response r = Http.get(port, "/health", Duration.ofSeconds(5));
                        long now = System.nanoTime();
                        JsonNode redis = JSON.readTree(r.body()).path("redis");
                        primariesSeen.add(redis.path("primary").asText());
                        if (r.status() == 503) {
                            first503.compareAndSet(0, now);
                        } else if (r.status() == 200 && newPrimary.equals(redis.path("primary").asText())) {
                            backOn.compareAndSet(0, now);
                        }
                        Thread.sleep(20);
                    } catch (Exception e) {
                        // the port refuses while a worker process restarts
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException stop) {
                            return;
                        }
                    }
                }
            }, "health-watch");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }

    /**
     * Writes trades to the old primary without WAIT until it dies, pipelined (a busy producer), and
     * keeps the ids it acknowledged.
     */
    private static Thread lateProducer(String url, Set<String> acknowledged, AtomicBoolean stop) {
        Thread t = new Thread(() -> {
            try (Streams late = new Streams(url)) {
                var async = late.connection().async();
                for (int i = 0; !stop.get(); ) {
                    List<io.lettuce.core.RedisFuture<String>> sent = new java.util.ArrayList<>();
                    for (int n = 0; n < 20; n++, i++) {
                        sent.add(async.xadd(TRADES, Map.of("trade_id", "late" + i, "symbol", "ETHUSDT", "leverage", "5",
                                "pnl", "-0.01")));
                    }
                    for (var f : sent) {
                        acknowledged.add(f.get(2, java.util.concurrent.TimeUnit.SECONDS));
                    }
                    Thread.sleep(2);
                }
            } catch (Exception primaryGone) {
                // the end of this producer
            }
        }, "late-producer");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static long ms(long fromNanos, long toNanos) {
        return toNanos == 0 ? -1 : (toNanos - fromNanos) / 1_000_000;
    }

    /** CLIENT PAUSE WRITE: the primary executes no more writes (replication and the sentinels go on). */
    private static void pauseWrites(Streams primary) {
        primary.redis.dispatch(io.lettuce.core.protocol.CommandType.CLIENT,
                new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8).add("PAUSE")
                        .add(60_000).add("WRITE"));
    }

    private static String address(com.exitbrain.testing.RedisProcess redis) {
        return "127.0.0.1:" + redis.port();
    }

    @Test
    void workerFollowsTheFailoverToThePromotedReplica() throws Exception {
        try (SentinelCluster cluster = SentinelCluster.start();
             Streams primary = new Streams(cluster.primary());
             Streams replica = new Streams(cluster.replica())) {
            backlog(primary);
            Map<String, String> env = WorkerHarness.env(cluster.url(), "EXITBRAIN_BATCH_SIZE", "50",
                    "EXITBRAIN_CLAIM_MIN_IDLE_MS", "1000");
            try (Daemon worker = new Daemon(WorkerHarness.settings(env)).start()) {
                JsonNode before = awaitHealthy(worker.healthPort(), address(cluster.primary()));
                assertEquals("sentinel", before.path("redis").path("mode").asText(), before.toString());
                assertEquals(SentinelCluster.MASTER, before.path("redis").path("master_name").asText());
                Set<String> lateAcked = ConcurrentHashMap.newKeySet();
                AtomicBoolean stopLate = new AtomicBoolean();
                Thread late = lateProducer(cluster.primary().url(), lateAcked, stopLate);
                fills(primary);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                        .until(() -> outputs(primary) > 100);
                // writes held on the primary until it dies: the kill lands mid-backlog however fast the worker is
                pauseWrites(primary);
                try (HealthWatch health = new HealthWatch(worker.healthPort(), address(cluster.replica()))) {
                    long killed = System.nanoTime();
                    cluster.primary().kill();
                    long doneAtKill = outputs(replica);
                    Figures f = watchFailover(cluster, replica, doneAtKill, killed);
                    stopLate.set(true);
                    late.join(5000);
                    await().atMost(Duration.ofSeconds(30)).until(() -> health.backOn.get() != 0);
                    assertTrue(doneAtKill < total(), "the primary died in the middle of the backlog");
                    assertTrue(health.first503.get() != 0, "/health answered 503 while there was no primary");

                    assertExactlyOnceOnNewPrimary(replica, Duration.ofSeconds(60));
                    Set<String> held = replica.redis.xrange(TRADES, io.lettuce.core.Range.create("-", "+")).stream()
                            .map(io.lettuce.core.StreamMessage::getId).collect(Collectors.toSet());
                    long lost = lateAcked.stream().filter(id -> !held.contains(id)).count();
                    System.out.printf("SENTINEL FAILOVER (in-process worker): %d of %d outputs done at the kill;"
                                    + " no primary for %d ms (sentinels switched after %d ms); worker resumed after %d ms;"
                                    + " /health 503 after %d ms, 200 on the new primary after %d ms;"
                                    + " backlog written with WAIT: 0 lost; producer without WAIT: %d of %d acknowledged"
                                    + " inputs lost%n", doneAtKill, total(), f.promoted, f.switched, f.resumed,
                            ms(killed, health.first503.get()), ms(killed, health.backOn.get()), lost, lateAcked.size());
                    JsonNode after = JSON.readTree(Http.get(worker.healthPort(), "/health").body());
                    assertEquals(address(cluster.replica()), after.path("redis").path("primary").asText(), after.toString());
                    assertEquals("master", after.path("redis").path("role").asText());
                }
            }
        }
    }

    @Test
    void workerKilledDuringTheFailoverAndRestartedLosesAndDoublesNothing() throws Exception {
        try (SentinelCluster cluster = SentinelCluster.start();
             Streams primary = new Streams(cluster.primary());
             Streams replica = new Streams(cluster.replica())) {
            backlog(primary);
            Map<String, String> env = new HashMap<>();
            env.put("REDIS_URL", cluster.url());
            env.put("HEALTH_PORT", "0");
            env.put("EXITBRAIN_BATCH_SIZE", "50");
            env.put("EXITBRAIN_CLAIM_MIN_IDLE_MS", "1000");
            WorkerProcess first = WorkerProcess.start(env);
            WorkerProcess second = null;
            WorkerProcess third = null;
            try {
                first.healthPort();
                fills(primary);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                        .until(() -> outputs(primary) > 100);
                pauseWrites(primary);
                long killed = System.nanoTime();
                cluster.primary().kill();
                Thread.sleep(300); // the worker is retrying its lost primary
                first.signal("KILL");
                first.waitFor(10);
                // restarted at once: it starts with no primary to connect to
                second = WorkerProcess.start(env);
                long doneAtKill = outputs(replica);
                Figures f = watchFailover(cluster, replica, doneAtKill, killed);
                // and killed again while it works through the rest on the new primary, entries in flight
                second.signal("KILL");
                second.waitFor(10);
                third = WorkerProcess.start(env);
                assertTrue(doneAtKill < total(), "the primary died in the middle of the backlog");
                assertExactlyOnceOnNewPrimary(replica, Duration.ofSeconds(60));
                System.out.printf("SENTINEL FAILOVER (worker killed during it, restarted): %d of %d outputs done"
                                + " at the kill; no primary for %d ms; restarted worker resumed after %d ms%n",
                        doneAtKill, total(), f.promoted, f.resumed);
                JsonNode health = JSON.readTree(Http.get(third.healthPort(), "/health").body());
                assertEquals(address(cluster.replica()), health.path("redis").path("primary").asText(), health.toString());
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\n--- worker 1:\n" + first.output()
                        + (second == null ? "" : "\n--- worker 2:\n" + second.output())
                        + (third == null ? "" : "\n--- worker 3:\n" + third.output()) + "\n" + cluster.sentinelLogs(), e);
            } finally {
                first.close();
                if (second != null) {
                    second.close();
                }
                if (third != null) {
                    third.close();
                }
            }
        }
    }

    /**
     * A connection that lands on a replica (an old primary demoted while connected, or named by a
     * sentinel with a stale view) gets READONLY for every write: the worker must take that for a
     * Redis failure and reconnect, so that the sentinels are asked again, not retry on the replica
     * for ever. Here the sentinels are made to name the replica, the worker's connections are
     * dropped, and once it is stuck on the replica (/health 503, role replica) they name the primary again.
     */
    @Test
    void workerOnAReplicaReconnectsUntilItFindsThePrimary() throws Exception {
        try (SentinelCluster cluster = SentinelCluster.start();
             Streams primary = new Streams(cluster.primary())) {
            Backlog.add(primary, 100, 100);
            Map<String, String> env = WorkerHarness.env(cluster.url(), "EXITBRAIN_BATCH_SIZE", "50");
            try (Daemon worker = new Daemon(WorkerHarness.settings(env)).start()) {
                awaitHealthy(worker.healthPort(), address(cluster.primary()));
                Backlog.assertExactlyOnce(primary, 100, 100, Duration.ofSeconds(30));

                cluster.monitor(cluster.replica());
                assertEquals(address(cluster.replica()), cluster.masterAddress());
                primary.redis.clientKill(io.lettuce.core.KillArgs.Builder.typeNormal()); // drops the worker's connections
                JsonNode[] seen = new JsonNode[1];
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    Http.Response r = Http.get(worker.healthPort(), "/health");
                    seen[0] = JSON.readTree(r.body());
                    return r.status() == 503 && "replica".equals(seen[0].path("redis").path("role").asText());
                });
                assertTrue(seen[0].path("redis").path("primary").isNull(), seen[0].toString());
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> JSON.readTree(
                        Http.get(worker.healthPort(), "/health").body()).path("worker").path("last_error").asText()
                        .contains("READONLY"));
                try (Streams p2 = new Streams(cluster.primary())) {
                    for (int i = 0; i < 50; i++) {
                        p2.add(Streams.POSITIONS, "symbol", "BTCUSDT", "leverage", "20", "position_id", "q" + i);
                    }
                    Thread.sleep(1500); // the worker retries on the replica meanwhile: READONLY each time
                    assertEquals(100, p2.length(LEVELS), "nothing was written while the worker was on the replica");

                    cluster.monitor(cluster.primary());
                    long fixed = System.nanoTime();
                    awaitHealthy(worker.healthPort(), address(cluster.primary()));
                    await().atMost(Duration.ofSeconds(20)).until(() -> p2.length(LEVELS) == 150 && p2.handled(POSITIONS));
                    System.out.printf("SENTINEL READONLY: back on the primary %d ms after the sentinels named it again%n",
                            ms(fixed, System.nanoTime()));
                    assertEquals(150, p2.entries(LEVELS).stream().map(e -> e.get("position_id")).distinct().count());
                    assertEquals(0, p2.length(DLQ));
                }
            }
        }
    }

    /**
     * Data nodes and sentinels with passwords of their own: the URL's is the data nodes',
     * REDIS_SENTINEL_PASSWORD the sentinels'; the worker works, and follows a failover, with both.
     * A wrong sentinel password stops start-up as a configuration error (exit 78).
     */
    @Test
    void sentinelsWithAPasswordOfTheirOwn() throws Exception {
        try (SentinelCluster cluster = SentinelCluster.start("data-s3cret", "sentinel-s3cret");
             Streams primary = new Streams(cluster.url(cluster.primary()));
             Streams replica = new Streams(cluster.url(cluster.replica()))) {
            Backlog.add(primary, 200, 200);
            Map<String, String> env = new HashMap<>();
            env.put("REDIS_URL", cluster.url());
            env.put("HEALTH_PORT", "0");
            env.put("REDIS_SENTINEL_PASSWORD", "wrong");
            try (WorkerProcess refused = WorkerProcess.start(env)) {
                assertEquals(78, refused.waitFor(30), refused.output());
                assertTrue(refused.output().contains("REDIS_SENTINEL_PASSWORD"), refused.output());
                assertTrue(!refused.output().contains("s3cret") && !refused.output().contains("wrong"),
                        refused.output());
            }
            env.put("REDIS_SENTINEL_PASSWORD", "sentinel-s3cret");
            try (WorkerProcess worker = WorkerProcess.start(env)) {
                Backlog.assertExactlyOnce(primary, 200, 200, Duration.ofSeconds(30));
                awaitHealthy(worker.healthPort(), address(cluster.primary()));
                assertEquals(1L, primary.redis.waitForReplication(1, 5000));
                cluster.primary().kill();
                awaitHealthy(worker.healthPort(), address(cluster.replica()));
                replica.add(TRADES, "trade_id", "after", "symbol", "BTCUSDT", "leverage", "20", "pnl", "0.01");
                Backlog.assertExactlyOnce(replica, 200, 201, Duration.ofSeconds(30));
                assertTrue(!worker.output().contains("s3cret"), worker.output());
            }
        }
    }

    /** Times from the kill, in ms: the replica promoted, the sentinels naming it, the first output written on it. */
    private record Figures(long promoted, long switched, long resumed) {
    }

    private static Figures watchFailover(SentinelCluster cluster, Streams replica, long doneAtKill, long killed)
            throws InterruptedException {
        long promoted = 0;
        long switched = 0;
        long resumed = 0;
        long deadline = killed + Duration.ofSeconds(45).toNanos();
        String newPrimary = address(cluster.replica());
        while ((promoted == 0 || switched == 0 || resumed == 0) && System.nanoTime() < deadline) {
            long now = System.nanoTime();
            if (promoted == 0 && "master".equals(cluster.role(cluster.replica()))) {
                promoted = now;
            }
            if (switched == 0 && newPrimary.equals(cluster.masterAddress())) {
                switched = now;
            }
            if (resumed == 0 && promoted != 0 && outputs(replica) > doneAtKill) {
                resumed = now;
            }
            Thread.sleep(10);
        }
        assertTrue(promoted != 0, "the replica was never promoted:\n" + cluster.sentinelLogs());
        assertTrue(resumed != 0, "the worker never wrote to the new primary");
        return new Figures(ms(killed, promoted), ms(killed, switched), ms(killed, resumed));
    }

    private static JsonNode awaitHealthy(int port, String primary) throws Exception {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Http.Response r = Http.get(port, "/health");
            last[0] = JSON.readTree(r.body());
            return r.status() == 200 && primary.equals(last[0].path("redis").path("primary").asText());
        });
        return last[0];
    }
}
