package com.exitbrain.ops;

import static com.exitbrain.testing.Streams.DLQ;
import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static com.exitbrain.testing.Streams.STATS;
import static com.exitbrain.testing.Streams.TRADES;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.app.Daemon;
import com.exitbrain.testing.Http;
import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.Streams;
import com.exitbrain.testing.WorkerHarness;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/redis-acl.conf: the worker runs end to end as that least-privilege user (the commands its
 * Lua scripts run are checked against the caller's permissions too), and the user is refused
 * anything else.
 */
class RedisAclIT {
    private static final Path ACL_FILE = Shell.PROJECT.resolve("deploy/redis-acl.conf");
    private static final String PLACEHOLDER = "CHANGE-ME-exitbrain-password";

    @TempDir
    Path temp;

    /** The ACL file as an operator would use it: the placeholder replaced by a real password. */
    private Path aclFile(String password) throws IOException {
        String text = Files.readString(ACL_FILE);
        assertEquals(1, text.split(PLACEHOLDER, -1).length - 1, "the placeholder password appears once");
        Path copy = temp.resolve("users.acl");
        Files.writeString(copy, text.replace(PLACEHOLDER, password));
        return copy;
    }

    private static String userUrl(RedisProcess redis, String password) {
        return "redis://exitbrain:" + password + "@127.0.0.1:" + redis.port();
    }

    private static Http.Response health(Daemon worker) {
        return Http.health(worker.healthPort());
    }

    @Test
    void workerRunsEndToEndAsTheAclUser() throws Exception {
        String password = UUID.randomUUID().toString();
        try (RedisProcess redis = RedisProcess.start(false, "--aclfile", aclFile(password).toString());
             Streams admin = new Streams(redis)) {
            // symbol scope: the trade script then also updates the global window (HINCRBY, LPUSH, LTRIM)
            Daemon worker = WorkerHarness.start(redis, "REDIS_URL", userUrl(redis, password),
                    "EXITBRAIN_PNL_SCOPE", "symbol");
            try {
                // Given a worker connected as the ACL user, when a trade, a position and an invalid event arrive
                String trade = admin.add(TRADES, "trade_id", "acl-t1", "symbol", "BTCUSDT", "leverage", "10", "pnl", "0.15");
                await().atMost(Duration.ofSeconds(30)).until(() -> admin.length(STATS) == 1);
                String position = admin.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "10", "volatility_factor", "1.0",
                        "confidence", "0.75", "side", "long", "entry_price", "65000");
                String invalid = admin.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "abc");

                // Then each has its output, written by the scripts as that user
                await().atMost(Duration.ofSeconds(30)).until(() -> admin.length(LEVELS) == 1 && admin.length(DLQ) == 1);
                Map<String, String> stats = admin.entries(STATS).get(0);
                assertEquals("acl-t1", stats.get("trade_id"));
                assertEquals(trade, stats.get("source_id"));
                Map<String, String> levels = admin.entries(LEVELS).get(0);
                assertEquals(position, levels.get("source_id"));
                assertEquals("0.15", levels.get("avg_pnl_last_20"));
                assertEquals(0.01252, Double.parseDouble(levels.get("tp1")), 0.00002);
                assertEquals(invalid, admin.entries(DLQ).get(0).get("source_id"));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> admin.pending(POSITIONS) == 0 && admin.pending(TRADES) == 0);

                // And the health port, which reads as the same user, is healthy
                Http.Response health = health(worker);
                assertEquals(200, health.status(), health.body());
                assertEquals(Http.CAUGHT_UP, health.stream(POSITIONS), health.body());
                assertEquals(1, health.json().at("/adaptive_leverage_status/total_trades").asLong(-1), health.body());
                assertEquals(1, health.json().at("/adaptive_leverage_status/pnl_stream_entries").asLong(-1), health.body());
                assertTrue(!health.body().contains(password), "the password is on the health port");

                // And Redis refused nothing the worker (or lettuce's handshake) tried
                assertEquals(List.of(), admin.redis.dispatch(CommandType.ACL, new io.lettuce.core.output.ArrayOutput<>(
                        StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8).add("LOG")), "ACL LOG");
            } finally {
                worker.close();
            }
        }
    }

    /** A worker killed on this host under the default name, with entries read and not acked. */
    private static String deadPredecessorWithPending(Streams admin, int entries) {
        String dead = com.exitbrain.config.SettingsLoader.hostName() + "-999999999";
        admin.redis.xgroupCreate(io.lettuce.core.XReadArgs.StreamOffset.from(POSITIONS, "0"), "exitbrain",
                io.lettuce.core.XGroupCreateArgs.Builder.mkstream(true));
        for (int i = 0; i < entries; i++) {
            admin.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "10", "position_id", "before-" + i);
        }
        admin.redis.xreadgroup(io.lettuce.core.Consumer.from("exitbrain", dead),
                io.lettuce.core.XReadArgs.Builder.count(100),
                io.lettuce.core.XReadArgs.StreamOffset.lastConsumed(POSITIONS));
        return dead;
    }

    private static List<String> consumers(Streams admin) {
        return admin.redis.xinfoConsumers(POSITIONS, "exitbrain").stream()
                .map(c -> String.valueOf(((List<?>) c).get(1))).toList();
    }

    @Test
    void aDeadPredecessorIsTakenOverAndRemovedAsTheAclUser() throws Exception {
        String password = UUID.randomUUID().toString();
        try (RedisProcess redis = RedisProcess.start(false, "--aclfile", aclFile(password).toString());
             Streams admin = new Streams(redis)) {
            String dead = deadPredecessorWithPending(admin, 3);
            try (Daemon worker = WorkerHarness.start(redis, "REDIS_URL", userUrl(redis, password),
                    "EXITBRAIN_CLAIM_MIN_IDLE_MS", "3600000")) {
                await().atMost(Duration.ofSeconds(30)).until(() -> admin.length(LEVELS) == 3
                        && admin.pending(POSITIONS) == 0 && !consumers(admin).contains(dead));
                assertEquals(List.of(), admin.redis.dispatch(CommandType.ACL, new io.lettuce.core.output.ArrayOutput<>(
                        StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8).add("LOG")), "ACL LOG");
            }
        }
    }

    @Test
    void anAclOfAnEarlierVersionWithoutTheTakeOverCommandsStillRunsTheWorker() throws Exception {
        String password = UUID.randomUUID().toString();
        Path older = temp.resolve("older.acl");
        String rule = Files.readString(aclFile(password));
        for (String command : List.of(" +xclaim", " +xinfo|consumers", " +xgroup|delconsumer", " +xrange")) {
            assertTrue(rule.contains(command), command);
            rule = rule.replace(command, "");
        }
        Files.writeString(older, rule);
        try (RedisProcess redis = RedisProcess.start(false, "--aclfile", older.toString());
             Streams admin = new Streams(redis)) {
            String dead = deadPredecessorWithPending(admin, 2);
            try (Daemon worker = WorkerHarness.start(redis, "REDIS_URL", userUrl(redis, password),
                    "EXITBRAIN_CLAIM_MIN_IDLE_MS", "300")) {
                admin.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "10", "position_id", "after");
                // the dead consumer's entries by XAUTOCLAIM after the idle time, the new one as usual
                await().atMost(Duration.ofSeconds(30)).until(() -> admin.length(LEVELS) == 3
                        && admin.pending(POSITIONS) == 0);
                assertTrue(consumers(admin).contains(dead), "no removal without xgroup|delconsumer");
                assertEquals(0, admin.length(DLQ));
                Http.Response health = health(worker); // without xinfo|stream: Redis's own lag
                assertEquals(200, health.status(), health.body());
                assertEquals(Http.CAUGHT_UP, health.stream(POSITIONS), health.body());
            }
        }
    }

    @Test
    void aclUserIsRefusedAnythingElse() throws Exception {
        String password = UUID.randomUUID().toString();
        try (RedisProcess redis = RedisProcess.start(false, "--aclfile", aclFile(password).toString())) {
            RedisClient client = RedisClient.create(userUrl(redis, password));
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisCommands<String, String> user = connection.sync();
                // allowed: its own streams and keys
                assertTrue(user.xadd("quantum:stream:exitbrain.pnl", Map.of("a", "1")).contains("-"));
                assertEquals(0L, user.exists("exitbrain:pnl:global"));

                refused(() -> user.flushall());
                refused(() -> user.keys("*"));
                refused(() -> user.configGet("requirepass"));
                refused(() -> user.del("quantum:stream:exitbrain.pnl"));
                refused(() -> user.get("exitbrain:pnl:global"));
                refused(() -> user.xrevrange("quantum:stream:exitbrain.pnl", io.lettuce.core.Range.create("-", "+")));
                refused(() -> user.hgetall("exitbrain:pnl:global"));
                // a key outside ~quantum:stream:exitbrain.* and ~exitbrain:*
                refused(() -> user.xadd("quantum:stream:orders", Map.of("a", "1")));
                refused(() -> user.set("other:key", "x"));
                refused(() -> user.eval("return 1", io.lettuce.core.ScriptOutputType.INTEGER));
                refused(() -> user.publish("channel", "x"));
            } finally {
                client.shutdown();
            }
        }
    }

    @Test
    void aclLineWorksWithAclSetuser() throws Exception {
        String line = Files.readString(ACL_FILE).strip();
        assertTrue(line.startsWith("user exitbrain "), line);
        assertEquals(1, line.lines().count(), "one line: aclfile has no comments");
        try (RedisProcess redis = RedisProcess.start(); Streams admin = new Streams(redis)) {
            // ACL SETUSER takes the same rules as the file's line, without the word "user"
            CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("SETUSER");
            Arrays.stream(line.substring("user ".length()).split("\\s+")).forEach(args::add);
            assertEquals("OK", admin.redis.dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args));

            RedisClient client = RedisClient.create(userUrl(redis, PLACEHOLDER));
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                assertEquals("PONG", connection.sync().ping());
                refused(() -> connection.sync().flushall());
            } finally {
                client.shutdown();
            }
        }
    }

    private static void refused(Executable command) {
        RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class, command);
        assertTrue(e.getMessage().startsWith("NOPERM"), e.getMessage());
    }
}
