package com.exitbrain.stream;

import static com.exitbrain.testing.Streams.DLQ;
import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static com.exitbrain.testing.Streams.STATS;
import static com.exitbrain.testing.Streams.TRADES;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.config.SettingsLoader;
import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.Streams;
import com.exitbrain.testing.WorkerHarness;
import io.lettuce.core.Consumer;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Redis trouble, vanished groups, dead consumers and poison entries (SPEC §4). */
class RecoveryTest {

    private static void backlog(Streams streams, int positions, int trades) {
        for (int i = 0; i < Math.max(positions, trades); i++) {
            if (i < positions) {
                streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "20", "position_id", "p" + i);
            }
            if (i < trades) {
                streams.add(TRADES, "trade_id", "t" + i, "symbol", "BTCUSDT", "leverage", "20", "pnl", "0.01");
            }
        }
    }

    private static void assertExactlyOnce(Streams streams, int positions, int trades) {
        await().atMost(Duration.ofSeconds(90)).until(() -> streams.length(LEVELS) >= positions
                && streams.length(STATS) >= trades && streams.pending(POSITIONS) == 0 && streams.pending(TRADES) == 0);
        assertEquals(positions, streams.length(LEVELS));
        assertEquals(positions, streams.entries(LEVELS).stream().map(e -> e.get("position_id")).distinct().count());
        assertEquals(trades, streams.length(STATS));
        assertEquals(trades == 0 ? null : Integer.toString(trades), streams.redis.hget("exitbrain:pnl:global", "total_trades"));
        assertEquals(0, streams.length(DLQ));
    }

    private static HttpResponse<String> health(Daemon worker) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + worker.healthPort() + "/health")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int healthStatus(Daemon worker) throws Exception {
        return health(worker).statusCode();
    }

    private static String healthBody(Daemon worker) throws Exception {
        return health(worker).body();
    }

    @Test
    void killedConnectionsAreReopenedAndNothingIsLostOrDoubled() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            backlog(streams, 3000, 3000);
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_BATCH_SIZE", "20")) {
                for (int k = 0; k < 5; k++) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> streams.length(LEVELS) + streams.length(STATS) > 0);
                    streams.redis.clientKill(io.lettuce.core.KillArgs.Builder.typeNormal().skipme());
                    sleep(150);
                }
                assertExactlyOnce(streams, 3000, 3000);
            }
        }
    }

    @Test
    void redisRestartMidStreamIsRecoveredWithoutLoss() throws Exception {
        try (RedisProcess server = RedisProcess.start(true)) {
            try (Streams streams = new Streams(server)) {
                backlog(streams, 4000, 4000);
            }
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_BATCH_SIZE", "20")) {
                try (Streams streams = new Streams(server)) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> streams.length(LEVELS) > 200);
                }
                server.kill();
                await().atMost(Duration.ofSeconds(15)).until(() -> healthStatus(worker) == 503);
                sleep(1000);
                server.restart();
                try (Streams streams = new Streams(server)) {
                    assertExactlyOnce(streams, 4000, 4000);
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
            await().atMost(Duration.ofSeconds(15)).until(() -> healthStatus(worker) == 503);
            sleep(20_000); // Lettuce's own reconnect delay would have grown to 16 s by now
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
                backlog(streams, 3000, 0);
                streams.add(TRADES, "trade_id", "t", "symbol", "BTCUSDT", "leverage", "20", "pnl", "0.01");
                assertExactlyOnce(streams, 3000, 1);
            }
            String positions = "\"" + POSITIONS + "\":{\"lag\":0,\"pending\":0}";
            await().atMost(Duration.ofSeconds(10)).until(() -> healthBody(worker).contains(positions));
            server.stop();
            await().atMost(Duration.ofSeconds(15)).until(() -> healthStatus(worker) == 503);
            String down = healthBody(worker);
            for (String expected : List.of(positions, "\"total_trades\":1", "\"pnl_stream_entries\":3000",
                    "\"avg_pnl_last_20\":0.01", "\"latency_ms\":null", "\"last_read_at\":", "\"DEGRADED\"")) {
                assertTrue(down.contains(expected), expected + " in " + down);
            }
            server.restart(); // from the append-only file
            await().atMost(Duration.ofSeconds(15)).until(() -> healthStatus(worker) == 200);
            String up = healthBody(worker);
            assertTrue(up.contains(positions), up);
            assertTrue(up.contains("\"" + TRADES + "\":{\"lag\":0,\"pending\":0}"), up);
        }
    }

    @Test
    void aStaleLagFromRedisIsReportedAsZeroOnceTheGroupHasReadEverything() throws Exception {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server);
             Daemon worker = WorkerHarness.start(server)) {
            backlog(streams, 3, 0);
            assertExactlyOnce(streams, 3, 0);
            // what Redis 7.0 can show after a restart: entries-read behind a group that has read all
            String last = streams.redis.xinfoStream(POSITIONS).get(
                    streams.redis.xinfoStream(POSITIONS).indexOf("last-generated-id") + 1).toString();
            streams.redis.dispatch(io.lettuce.core.protocol.CommandType.XGROUP,
                    new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                    new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
                            .add("SETID").add(POSITIONS).add("exitbrain").add(last).add("ENTRIESREAD").add(0));
            assertTrue(streams.redis.xinfoGroups(POSITIONS).toString().contains("lag, 3"),
                    streams.redis.xinfoGroups(POSITIONS).toString());
            String body = healthBody(worker);
            assertTrue(body.contains("\"" + POSITIONS + "\":{\"lag\":0,\"pending\":0}"), body);
        }
    }

    @Test
    void deletedGroupIsRecreatedAndConsumingGoesOn() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server);
             Daemon worker = WorkerHarness.start(server)) {
            backlog(streams, 10, 10);
            assertExactlyOnce(streams, 10, 10);
            streams.redis.xgroupDestroy(POSITIONS, "exitbrain");
            streams.redis.del(TRADES);
            sleep(300);
            for (int i = 10; i < 20; i++) {
                streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "20", "position_id", "p" + i);
                streams.add(TRADES, "trade_id", "t" + i, "symbol", "BTCUSDT", "leverage", "20", "pnl", "0.01");
            }
            assertExactlyOnce(streams, 20, 20);
        }
    }

    @Test
    void deadConsumersPendingEntriesAreClaimed() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            streams.redis.xgroupCreate(StreamOffset.from(POSITIONS, "0"), "exitbrain",
                    io.lettuce.core.XGroupCreateArgs.Builder.mkstream(true));
            backlog(streams, 50, 0);
            // a consumer that read the entries and died without acking them
            streams.redis.xreadgroup(Consumer.from("exitbrain", "dead"), XReadArgs.Builder.count(100),
                    StreamOffset.lastConsumed(POSITIONS));
            assertEquals(50, streams.pending(POSITIONS));
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_CLAIM_MIN_IDLE_MS", "300")) {
                assertExactlyOnce(streams, 50, 0);
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
            backlog(streams, 0, 30);
            List<?> read = streams.redis.xreadgroup(Consumer.from("exitbrain", "test-worker"),
                    XReadArgs.Builder.count(100), StreamOffset.lastConsumed(TRADES));
            assertEquals(30, read.size());
            // same consumer name, long claim idle: only the start-up drain can finish these
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_CLAIM_MIN_IDLE_MS", "3600000")) {
                assertExactlyOnce(streams, 0, 30);
            }
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
                assertExactlyOnce(streams, 250, 0);
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
                sleep(500);
                assertEquals(1, streams.length(LEVELS));
                assertEquals(20, streams.redis.xpending(POSITIONS, "exitbrain").getCount());
                assertTrue(consumers(streams, POSITIONS).contains(other));
            }
        } finally {
            alive.destroyForcibly();
        }
    }

    /** {@code positions} entries read by {@code consumer}, which then died without acking them. */
    private static void readWithoutAck(Streams streams, String consumer, int positions) {
        streams.redis.xgroupCreate(StreamOffset.from(POSITIONS, "0"), "exitbrain",
                io.lettuce.core.XGroupCreateArgs.Builder.mkstream(true));
        backlog(streams, positions, 0);
        streams.redis.xreadgroup(Consumer.from("exitbrain", consumer), XReadArgs.Builder.count(positions),
                StreamOffset.lastConsumed(POSITIONS));
    }

    private static List<String> consumers(Streams streams, String stream) {
        return streams.redis.xinfoConsumers(stream, "exitbrain").stream()
                .map(c -> String.valueOf(((List<?>) c).get(1))).toList();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
