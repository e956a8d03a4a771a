package com.exitbrain.stream;

import com.exitbrain.app.Daemon;

import static com.exitbrain.testing.Streams.DLQ;
import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static com.exitbrain.testing.Streams.STATS;
import static com.exitbrain.testing.Streams.TRADES;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.config.SettingsLoader;
import com.exitbrain.testing.Backlog;
import com.exitbrain.testing.Http;
import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.Streams;
import com.exitbrain.testing.WorkerHarness;
import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.Consumer;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Redis trouble, vanished groups, dead consumers and poison entries (SPEC §4). */
class RecoveryTest {

    private static final Duration WITHIN = Duration.ofSeconds(90);

    private static int healthStatus(Daemon worker) {
        return Http.health(worker.healthPort()).status();
    }

    private static long outputs(Streams streams) {
        return streams.length(LEVELS) + streams.length(STATS);
    }

    @Test
    void killedConnectionsAreReopenedAndNothingIsLostOrDoubled() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            Backlog.add(streams, 3000, 3000);
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_BATCH_SIZE", "20")) {
                long beforeKill = 0;
                for (int k = 0; k < 5; k++) {
                    // the worker has reopened its connections: it made progress since the last kill
                    long sinceLastKill = beforeKill;
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                            .until(() -> outputs(streams) > sinceLastKill);
                    beforeKill = outputs(streams);
                    assertTrue(beforeKill < 6000, "the backlog was done before kill " + (k + 1) + " of 5");
                    streams.redis.clientKill(io.lettuce.core.KillArgs.Builder.typeNormal().skipme());
                }
                Backlog.assertExactlyOnce(streams, 3000, 3000, WITHIN);
            }
        }
    }

    /**
     * Connections killed again and again mid-backlog, with one delivery allowed: whatever the worker
     * was doing (a batch in flight while it read the next, a commit, a read), the entries it reads
     * back are deliveries of its own, never dead-lettered as delivered too often.
     */
    @Test
    void connectionsKilledWithBatchesInFlightDeadLetterNothingWithOneDeliveryAllowed() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            Backlog.add(streams, 20_000, 20_000);
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_BATCH_SIZE", "20",
                    "EXITBRAIN_MAX_DELIVERIES", "1")) {
                long beforeKill = 0;
                for (int k = 0; k < 25 && beforeKill < 40_000; k++) {
                    long sinceLastKill = beforeKill;
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                            .until(() -> outputs(streams) > sinceLastKill + 300);
                    beforeKill = outputs(streams);
                    streams.redis.clientKill(io.lettuce.core.KillArgs.Builder.typeNormal().skipme());
                }
                Backlog.assertExactlyOnce(streams, 20_000, 20_000, WITHIN);
            }
        }
    }

    @Test
    void redisRestartMidStreamIsRecoveredWithoutLoss() throws Exception {
        try (RedisProcess server = RedisProcess.start(true)) {
            try (Streams streams = new Streams(server)) {
                Backlog.add(streams, 4000, 4000);
            }
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_BATCH_SIZE", "20")) {
                try (Streams streams = new Streams(server)) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> streams.length(LEVELS) > 200);
                }
                server.kill();
                // Redis stays away for a second: the worker sees it down all that time, and retries
                await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(15)).until(() -> healthStatus(worker) == 503);
                server.restart();
                try (Streams streams = new Streams(server)) {
                    Backlog.assertExactlyOnce(streams, 4000, 4000, WITHIN);
                    await().atMost(Duration.ofSeconds(15)).until(() -> healthStatus(worker) == 200);
                }
            }
        }
    }

    @Test
    void afterALongOutageTheWorkerResumesWithinSecondsOfRedisReturning() throws Exception {
        try (RedisProcess server = RedisProcess.start(true);
             Daemon worker = WorkerHarness.start(server)) {
            await().atMost(Duration.ofSeconds(15)).until(() -> healthStatus(worker) == 200);
            server.stop();
            // a 20 s outage, down all along: Lettuce's own reconnect delay would have grown to 16 s by its end
            await().during(Duration.ofSeconds(20)).atMost(Duration.ofSeconds(40)).until(() -> healthStatus(worker) == 503);
            server.restart();
            try (Streams streams = new Streams(server)) {
                streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "20", "position_id", "after-outage");
                await().atMost(Duration.ofSeconds(4)).until(() -> streams.length(LEVELS) == 1);
                await().atMost(Duration.ofSeconds(2)).until(() -> healthStatus(worker) == 200);
            }
        }
    }

    @Test
    void healthKeepsItsFieldsWhileRedisIsDownAndReportsNoLagOnceCaughtUpAfterARestart() throws Exception {
        try (RedisProcess server = RedisProcess.start(true);
             Daemon worker = WorkerHarness.start(server)) {
            try (Streams streams = new Streams(server)) {
                Backlog.add(streams, 3000, 0);
                streams.add(TRADES, "trade_id", "t", "symbol", "BTCUSDT", "leverage", "20", "pnl", "0.01");
                Backlog.assertExactlyOnce(streams, 3000, 1, WITHIN);
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Http.CAUGHT_UP.equals(Http.health(worker.healthPort()).stream(POSITIONS)));
            server.stop();
            await().atMost(Duration.ofSeconds(15)).until(() -> healthStatus(worker) == 503);
            Http.Response down = Http.health(worker.healthPort());
            JsonNode body = down.json();
            assertEquals(Http.CAUGHT_UP, down.stream(POSITIONS), down.body());
            JsonNode figures = body.path("adaptive_leverage_status");
            assertEquals(1, figures.path("total_trades").asLong(-1), down.body());
            assertEquals(3000, figures.path("pnl_stream_entries").asLong(-1), down.body());
            assertEquals(0.01, figures.path("avg_pnl_last_20").asDouble(-1), 1e-12, down.body());
            assertEquals("DEGRADED", figures.path("status").asText(), down.body());
            assertTrue(body.path("redis").path("latency_ms").isNull(), down.body());
            assertTrue(body.path("redis").path("last_read_at").canConvertToLong(), down.body());
            server.restart(); // from the append-only file
            await().atMost(Duration.ofSeconds(15)).until(() -> healthStatus(worker) == 200);
            Http.Response up = Http.health(worker.healthPort());
            assertEquals(Http.CAUGHT_UP, up.stream(POSITIONS), up.body());
            assertEquals(Http.CAUGHT_UP, up.stream(TRADES), up.body());
        }
    }

    @Test
    void aStaleLagFromRedisIsReportedAsZeroOnceTheGroupHasReadEverything() throws Exception {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server);
             Daemon worker = WorkerHarness.start(server)) {
            Backlog.add(streams, 3, 0);
            Backlog.assertExactlyOnce(streams, 3, 0, WITHIN);
            // what Redis 7.0 can show after a restart: entries-read behind a group that has read all
            String last = streams.redis.xinfoStream(POSITIONS).get(
                    streams.redis.xinfoStream(POSITIONS).indexOf("last-generated-id") + 1).toString();
            streams.redis.dispatch(io.lettuce.core.protocol.CommandType.XGROUP,
                    new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                    new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
                            .add("SETID").add(POSITIONS).add("exitbrain").add(last).add("ENTRIESREAD").add(0));
            assertTrue(streams.redis.xinfoGroups(POSITIONS).toString().contains("lag, 3"),
                    streams.redis.xinfoGroups(POSITIONS).toString());
            Http.Response health = Http.health(worker.healthPort());
            assertEquals(Http.CAUGHT_UP, health.stream(POSITIONS), health.body());
        }
    }

    @Test
    void deletedGroupIsRecreatedAndConsumingGoesOn() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server);
             Daemon worker = WorkerHarness.start(server)) {
            Backlog.add(streams, 10, 10);
            Backlog.assertExactlyOnce(streams, 10, 10, WITHIN);
            streams.redis.xgroupDestroy(POSITIONS, "exitbrain");
            streams.redis.del(TRADES);
            // the worker has noticed and made both groups again
            await().atMost(Duration.ofSeconds(15)).until(() -> hasGroup(streams, POSITIONS) && hasGroup(streams, TRADES));
            for (int i = 10; i < 20; i++) {
                streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "20", "position_id", "p" + i);
                streams.add(TRADES, "trade_id", "t" + i, "symbol", "BTCUSDT", "leverage", "20", "pnl", "0.01");
            }
            Backlog.assertExactlyOnce(streams, 20, 20, WITHIN);
        }
    }

    @Test
    void deadConsumersPendingEntriesAreClaimed() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            streams.redis.xgroupCreate(StreamOffset.from(POSITIONS, "0"), "exitbrain",
                    io.lettuce.core.XGroupCreateArgs.Builder.mkstream(true));
            Backlog.add(streams, 50, 0);
            // a consumer that read the entries and died without acking them
            streams.redis.xreadgroup(Consumer.from("exitbrain", "dead"), XReadArgs.Builder.count(100),
                    StreamOffset.lastConsumed(POSITIONS));
            assertEquals(50, streams.pending(POSITIONS));
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_CLAIM_MIN_IDLE_MS", "300")) {
                Backlog.assertExactlyOnce(streams, 50, 0, WITHIN);
            }
        }
    }

    @Test
    void entryDeliveredTooOftenGoesToTheDeadLetters() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            streams.redis.xgroupCreate(StreamOffset.from(POSITIONS, "0"), "exitbrain",
                    io.lettuce.core.XGroupCreateArgs.Builder.mkstream(true));
            String poison = streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "20");
            streams.redis.xreadgroup(Consumer.from("exitbrain", "crashy"), XReadArgs.Builder.count(1),
                    StreamOffset.lastConsumed(POSITIONS));
            // as if it had been delivered five times already, by consumers that all crashed on it
            streams.redis.xclaim(POSITIONS, Consumer.from("exitbrain", "crashy"),
                    XClaimArgs.Builder.minIdleTime(0).retryCount(5), poison);
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_CLAIM_MIN_IDLE_MS", "100",
                    "EXITBRAIN_MAX_DELIVERIES", "5")) {
                await().atMost(Duration.ofSeconds(20)).until(() -> streams.length(DLQ) == 1);
                Map<String, String> letter = streams.entries(DLQ).get(0);
                assertEquals("max_deliveries", letter.get("error"));
                assertEquals(poison, letter.get("source_id"));
                assertEquals("6", letter.get("deliveries"));
                assertTrue(letter.get("payload").contains("BTCUSDT"));
                await().atMost(Duration.ofSeconds(5)).until(() -> streams.pending(POSITIONS) == 0);
                assertEquals(0, streams.length(LEVELS));
            }
        }
    }

    @Test
    void ownPendingEntriesAreFinishedFirstAtStartUp() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            streams.redis.xgroupCreate(StreamOffset.from(TRADES, "0"), "exitbrain",
                    io.lettuce.core.XGroupCreateArgs.Builder.mkstream(true));
            Backlog.add(streams, 0, 30);
            List<?> read = streams.redis.xreadgroup(Consumer.from("exitbrain", "test-worker"),
                    XReadArgs.Builder.count(100), StreamOffset.lastConsumed(TRADES));
            assertEquals(30, read.size());
            // same consumer name, long claim idle: only the start-up drain can finish these
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_CLAIM_MIN_IDLE_MS", "3600000")) {
                Backlog.assertExactlyOnce(streams, 0, 30, WITHIN);
            }
        }
    }

    @Test
    void aGracefulStopMidBacklogLeavesNothingPendingNotEvenTheBatchReadAhead() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            Backlog.add(streams, 20_000, 0);
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_BATCH_SIZE", "20")) {
                await().atMost(WITHIN).pollInterval(Duration.ofMillis(5)).until(() -> streams.length(LEVELS) > 500);
            } // stopped while reading ahead of each batch it commits
            long published = streams.length(LEVELS);
            assertTrue(published < 20_000, "the backlog was done before the stop: " + published);
            // every entry it read was handled before it exited: none left to wait for claim-min-idle
            assertEquals(0, streams.pending(POSITIONS));
            assertEquals(0, streams.length(DLQ));
        }
    }

    @Test
    void aPredecessorThatDiedOnThisHostIsTakenOverAtOnceAndRemoved() {
        // <this host>-<pid> with a pid no process can have (above Linux's pid_max): a worker killed
        // on this host under the default consumer name
        String dead = SettingsLoader.hostName() + "-999999999";
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            readWithoutAck(streams, dead, 250);
            assertEquals(250, streams.pending(POSITIONS));
            // an hour of claim idle: only the take-over can finish these within the test
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_CLAIM_MIN_IDLE_MS", "3600000")) {
                Backlog.assertExactlyOnce(streams, 250, 0, WITHIN);
                await().atMost(Duration.ofSeconds(10)).until(() -> !consumers(streams, POSITIONS).contains(dead));
                assertTrue(consumers(streams, POSITIONS).contains("test-worker"));
            }
        }
    }

    @Test
    void aConsumerWhoseProcessStillRunsOnThisHostKeepsItsEntriesUntilTheyAreIdle() throws Exception {
        Process alive = new ProcessBuilder("sleep", "60").start();
        String other = SettingsLoader.hostName() + "-" + alive.pid();
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            readWithoutAck(streams, other, 20);
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_CLAIM_MIN_IDLE_MS", "3600000")) {
                streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "20", "position_id", "new");
                streams.awaitEntry(LEVELS, "position_id", "new");
                // and for the next half second, the live consumer's 20 entries stay its own
                await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> streams.length(LEVELS) == 1
                        && streams.redis.xpending(POSITIONS, "exitbrain").getCount() == 20
                        && consumers(streams, POSITIONS).contains(other));
            }
        } finally {
            alive.destroyForcibly();
        }
    }

    /** {@code positions} entries read by {@code consumer}, which then died without acking them. */
    private static void readWithoutAck(Streams streams, String consumer, int positions) {
        streams.redis.xgroupCreate(StreamOffset.from(POSITIONS, "0"), "exitbrain",
                io.lettuce.core.XGroupCreateArgs.Builder.mkstream(true));
        Backlog.add(streams, positions, 0);
        streams.redis.xreadgroup(Consumer.from("exitbrain", consumer), XReadArgs.Builder.count(positions),
                StreamOffset.lastConsumed(POSITIONS));
    }

    private static List<String> consumers(Streams streams, String stream) {
        return streams.redis.xinfoConsumers(stream, "exitbrain").stream()
                .map(c -> String.valueOf(((List<?>) c).get(1))).toList();
    }

    private static boolean hasGroup(Streams streams, String stream) {
        return streams.redis.exists(stream) == 1 && streams.redis.xinfoGroups(stream).stream()
                .anyMatch(g -> ((List<?>) g).contains("exitbrain"));
    }
}
