package com.exitbrain.stream;

import static com.exitbrain.testing.Streams.DLQ;
import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static com.exitbrain.testing.Streams.STATS;
import static com.exitbrain.testing.Streams.TRADES;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.testing.Backlog;
import com.exitbrain.testing.Http;
import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.Streams;
import com.exitbrain.testing.WorkerProcess;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The packaged daemon as a child process: kill -9, SIGTERM, health, metrics, bad configuration. */
class WorkerProcessIT {
    private static final int BACKLOG = 20_000;

    private static Map<String, String> env(RedisProcess server, String consumer) {
        Map<String, String> env = new HashMap<>();
        env.put("REDIS_URL", server.url());
        env.put("HEALTH_PORT", "0");
        if (consumer != null) {
            env.put("EXITBRAIN_CONSUMER", consumer);
        }
        env.put("EXITBRAIN_CLAIM_MIN_IDLE_MS", "1000");
        env.put("EXITBRAIN_BATCH_SIZE", "50");
        return env;
    }

    private static void backlog(Streams streams) {
        Backlog.add(streams, BACKLOG / 2, BACKLOG / 2);
    }

    private static void assertExactlyOnce(Streams streams) {
        Backlog.assertExactlyOnce(streams, BACKLOG / 2, BACKLOG / 2, Duration.ofSeconds(180));
    }

    /** Waits until the worker has started on the backlog, polling often so a fast machine is caught early in it. */
    private static void awaitSomeOutput(Streams streams) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> streams.length(LEVELS) + streams.length(STATS) > 1000);
    }

    /**
     * Freezes the worker (SIGSTOP) until it is caught between reading a batch and acking it, then
     * kills it: a plain kill -9 may land between two batches, with nothing pending.
     */
    private static void killWithEntriesInFlight(WorkerProcess worker, Streams streams) throws Exception {
        killWithEntriesInFlight(worker, streams, TRADES);
    }

    private static void killWithEntriesInFlight(WorkerProcess worker, Streams streams, String other) throws Exception {
        for (int attempt = 0; attempt < 200; attempt++) {
            worker.signal("STOP");
            if (settledPending(streams, other) > 0) {
                worker.signal("KILL");
                worker.waitFor(10);
                return;
            }
            worker.signal("CONT");
            Thread.sleep(attempt % 7);
        }
        throw new AssertionError("never caught the worker with entries in flight");
    }

    /**
     * The pending count once Redis has done whatever the frozen worker had already sent: the
     * count that holds still for 200 ms (acks in flight would lower it in that time).
     */
    private static long settledPending(Streams streams, String other) {
        AtomicLong last = new AtomicLong(-1);
        await().pollInterval(Duration.ofMillis(20)).during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(10))
                .until(() -> {
                    long now = streams.pending(POSITIONS) + streams.pending(other);
                    return last.getAndSet(now) == now;
                });
        return last.get();
    }

    private static void assertSigtermExitsZeroWithin(WorkerProcess worker, long timeoutMs) throws Exception {
        long sent = System.nanoTime();
        worker.signal("TERM");
        int status = worker.waitFor(15);
        long tookMs = (System.nanoTime() - sent) / 1_000_000;
        assertEquals(0, status, worker.output());
        assertTrue(tookMs < timeoutMs, "stopped in " + tookMs + " ms");
    }

    @Test
    void killNineMidBacklogThenRestartGivesExactlyOneOutputPerInput() throws Exception {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            backlog(streams);
            try (WorkerProcess first = WorkerProcess.start(env(server, "worker-1"))) {
                awaitSomeOutput(streams);
                killWithEntriesInFlight(first, streams);
            }
            long partial = streams.length(LEVELS) + streams.length(STATS);
            assertTrue(partial < BACKLOG, "killed mid-backlog, not after it: " + partial);
            // a different consumer name, as after a systemd restart (new pid): it claims worker-1's entries
            try (WorkerProcess second = WorkerProcess.start(env(server, "worker-2"))) {
                assertExactlyOnce(streams);
            }
        }
    }

    @Test
    void killNineMidBacklogOfFillsThenRestartGivesOnePlanEntryPerFill() throws Exception {
        int positions = 2_000;
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            Backlog.addPlanPositions(streams, positions);
            try (WorkerProcess first = WorkerProcess.start(env(server, "worker-1"))) {
                // the executor sends fills once the plans are published
                await().atMost(Duration.ofSeconds(60)).until(() -> streams.length(LEVELS) == positions);
                Backlog.addPlanFills(streams, positions);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                        .until(() -> streams.length(Streams.PLANS) > 1000);
                killWithEntriesInFlight(first, streams, Streams.FILLS);
            }
            assertTrue(streams.length(Streams.PLANS) < 3L * positions, "killed mid-backlog");
            try (WorkerProcess second = WorkerProcess.start(env(server, "worker-2"))) {
                Backlog.assertPlansExactlyOnce(streams, positions, Duration.ofSeconds(180));
            }
        }
    }

    @Test
    void killNineThenRestartUnderTheDefaultConsumerNameTakesOverAtOnce() throws Exception {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            backlog(streams);
            // the default name <host>-<pid>, and an hour of claim idle: only the take-over of the dead
            // predecessor can finish its in-flight entries within the test
            Map<String, String> env = env(server, null);
            env.put("EXITBRAIN_CLAIM_MIN_IDLE_MS", "3600000");
            try (WorkerProcess first = WorkerProcess.start(env)) {
                awaitSomeOutput(streams);
                killWithEntriesInFlight(first, streams);
            }
            assertTrue(streams.pending(POSITIONS) + streams.pending(TRADES) > 0, "killed with entries in flight");
            try (WorkerProcess second = WorkerProcess.start(env)) {
                assertExactlyOnce(streams);
                for (String stream : List.of(POSITIONS, TRADES)) {
                    assertEquals(1, streams.redis.xinfoConsumers(stream, "exitbrain").size(),
                            "the dead predecessor is removed from " + stream);
                }
            }
        }
    }

    @Test
    void sigtermMidBacklogExitsZeroWithinTheTimeoutAndLosesNothing() throws Exception {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            backlog(streams);
            Map<String, String> env = env(server, "worker-1");
            env.put("EXITBRAIN_SHUTDOWN_TIMEOUT_MS", "5000");
            try (WorkerProcess first = WorkerProcess.start(env)) {
                awaitSomeOutput(streams);
                assertSigtermExitsZeroWithin(first, 5000);
                assertTrue(first.output().contains("ExitBrain stopped"), first.output());
            }
            assertTrue(streams.length(LEVELS) + streams.length(STATS) < BACKLOG, "stopped mid-backlog");
            assertEquals(0, streams.pending(POSITIONS) + streams.pending(TRADES), "the batch in flight was finished and acked");
            try (WorkerProcess second = WorkerProcess.start(env(server, "worker-1"))) {
                assertExactlyOnce(streams);
            }
        }
    }

    @Test
    void sigtermWithRedisFrozenStillExitsZeroWithinTheTimeoutAndLosesNothing() throws Exception {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            backlog(streams);
            Map<String, String> env = env(server, "worker-1");
            env.put("EXITBRAIN_SHUTDOWN_TIMEOUT_MS", "2000");
            try (WorkerProcess first = WorkerProcess.start(env)) {
                awaitSomeOutput(streams);
                server.signal("STOP");
                try {
                    assertSigtermExitsZeroWithin(first, 2000);
                    assertTrue(first.output().contains("shutdown timeout"), first.output());
                } finally {
                    server.signal("CONT");
                }
            }
            try (WorkerProcess second = WorkerProcess.start(env(server, "worker-1"))) {
                assertExactlyOnce(streams);
            }
        }
    }

    @Test
    void healthIs200WithRedisAnd503WithoutAndMetricsCount() throws Exception {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server);
             WorkerProcess worker = WorkerProcess.start(env(server, "worker-1"))) {
            int port = worker.healthPort();
            await().atMost(Duration.ofSeconds(30)).until(() -> Http.health(port).status() == 200);
            streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "10");
            streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "oops");
            streams.add(TRADES, "trade_id", "x", "symbol", "BTCUSDT", "leverage", "10", "pnl", "0.02");
            await().atMost(Duration.ofSeconds(20)).until(() -> streams.length(LEVELS) == 1 && streams.length(DLQ) == 1
                    && streams.length(STATS) == 1);
            // every entry acked, the dead-lettered one too
            await().atMost(Duration.ofSeconds(10)).until(() -> streams.pending(TRADES) == 0 && streams.pending(POSITIONS) == 0);
            Http.Response health = Http.health(port);
            assertEquals(200, health.status(), health.body());
            JsonNode body = health.json();
            assertEquals("UP", body.path("status").asText(), health.body());
            JsonNode figures = body.path("adaptive_leverage_status");
            assertEquals("OK", figures.path("status").asText(), health.body());
            assertEquals(1, figures.path("total_trades").asLong(-1), health.body());
            assertEquals(1, figures.path("pnl_stream_entries").asLong(-1), health.body());
            assertEquals(Http.CAUGHT_UP, health.stream(POSITIONS), health.body());
            assertEquals(Http.CAUGHT_UP, health.stream(TRADES), health.body());
            String metrics = Http.get(port, "/metrics").body();
            assertTrue(metrics.contains("exitbrain_events_total{outcome=\"published\",type=\"position\"} 1.0"), metrics);
            assertTrue(metrics.contains("exitbrain_events_total{outcome=\"dead_letter\",type=\"position\"} 1.0"), metrics);
            assertTrue(metrics.contains("exitbrain_events_total{outcome=\"recorded\",type=\"trade\"} 1.0"), metrics);
            assertTrue(metrics.contains("exitbrain_dead_letters_total{error=\"invalid_number\"} 1.0"), metrics);

            server.stop();
            await().atMost(Duration.ofSeconds(20)).until(() -> Http.health(port).status() == 503);
            Http.Response down = Http.health(port);
            assertEquals("DOWN", down.json().path("status").asText(), down.body());
            assertEquals("DEGRADED", down.json().path("adaptive_leverage_status").path("status").asText(), down.body());
            server.restart();
            await().atMost(Duration.ofSeconds(30)).until(() -> Http.health(port).status() == 200);
        }
    }

    @Test
    void passwordNeverAppearsInLogsOrHealth() throws Exception {
        try (RedisProcess server = RedisProcess.start(false, "--requirepass", "s3cret-pw")) {
            Map<String, String> env = env(server, "worker-1");
            env.put("REDIS_URL", "redis://:s3cret-pw@127.0.0.1:" + server.port());
            try (WorkerProcess worker = WorkerProcess.start(env)) {
                int port = worker.healthPort();
                await().atMost(Duration.ofSeconds(30)).until(() -> Http.health(port).status() == 200);
                String health = Http.health(port).body();
                assertTrue(!health.contains("s3cret-pw") && health.contains("***"), health);
                assertTrue(!worker.output().contains("s3cret-pw"), worker.output());
            }
        }
    }

    @Test
    void badConfigurationExits78NamingTheSetting() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("EXITBRAIN_PNL_SCOPE", "planet");
        try (WorkerProcess worker = WorkerProcess.start(env)) {
            assertEquals(78, worker.waitFor(30));
            assertTrue(worker.output().contains("EXITBRAIN_PNL_SCOPE"), worker.output());
        }
    }
}
