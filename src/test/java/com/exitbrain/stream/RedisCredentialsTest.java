package com.exitbrain.stream;

import com.exitbrain.app.Daemon;

import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.config.ConfigurationError;
import com.exitbrain.testing.Http;
import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.Streams;
import com.exitbrain.testing.WorkerHarness;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Credentials and permissions Redis refuses (SPEC §6, issue 13): at start-up a configuration error
 * naming REDIS_URL (exit 78 through {@code Main}); under a running worker an authentication failure
 * on the log and /health, retried until fixed.
 */
class RedisCredentialsTest {
    private static final String PASSWORD = "s3cret-pw";

    /** The least-privilege user of deploy/redis-acl.conf, with {@code password}, less {@code removed}. */
    private static void createUser(Streams admin, String password, String... removed) throws Exception {
        String rule = Files.readString(Path.of("deploy", "redis-acl.conf")).strip()
                .replace("CHANGE-ME-exitbrain-password", password);
        for (String command : removed) {
            assertTrue(rule.contains(" " + command), command);
            rule = rule.replace(" " + command, "");
        }
        CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("SETUSER");
        Arrays.stream(rule.substring("user ".length()).split("\\s+")).forEach(args::add);
        assertEquals("OK", admin.redis.dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args));
    }

    private static String userUrl(RedisProcess redis, String password) {
        return "redis://exitbrain:" + password + "@127.0.0.1:" + redis.port();
    }

    /** Runs the daemon's loop on this thread, as {@code exitbrain run} does, expecting it to refuse. */
    private static ConfigurationError startUpRefusal(String url) throws Exception {
        try (Daemon daemon = new Daemon(WorkerHarness.settings(WorkerHarness.env(url)))) {
            return assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> assertThrows(ConfigurationError.class, daemon::runLoop));
        }
    }

    @Test
    void aWrongPasswordAtStartUpIsAConfigurationErrorNamingRedisUrlWithThePasswordMasked() throws Exception {
        try (RedisProcess redis = RedisProcess.start(); Streams admin = new Streams(redis)) {
            createUser(admin, PASSWORD);

            ConfigurationError error = startUpRefusal(userUrl(redis, "wrong-password"));

            assertTrue(error.getMessage().contains("REDIS_URL redis://exitbrain:***@127.0.0.1:" + redis.port()),
                    error.getMessage());
            assertTrue(error.getMessage().contains("WRONGPASS"), error.getMessage());
            assertFalse(error.getMessage().contains("wrong-password"), error.getMessage());
        }
    }

    @Test
    void noPasswordForARedisThatRequiresOneIsAConfigurationError() throws Exception {
        try (RedisProcess redis = RedisProcess.start(false, "--requirepass", PASSWORD)) {
            ConfigurationError error = startUpRefusal(redis.url());

            assertTrue(error.getMessage().contains("REDIS_URL " + redis.url()), error.getMessage());
            assertTrue(error.getMessage().contains("NOAUTH"), error.getMessage());
        }
    }

    @Test
    void aUserLackingACommandTheWorkerNeedsIsAConfigurationErrorNamingTheCommand() throws Exception {
        try (RedisProcess redis = RedisProcess.start(); Streams admin = new Streams(redis)) {
            createUser(admin, PASSWORD, "+xautoclaim");

            ConfigurationError error = startUpRefusal(userUrl(redis, PASSWORD));

            assertTrue(error.getMessage().contains("may not run XAUTOCLAIM"), error.getMessage());
            assertTrue(error.getMessage().contains("REDIS_URL redis://exitbrain:***@"), error.getMessage());
            assertFalse(error.getMessage().contains(PASSWORD), error.getMessage());
        }
    }

    @Test
    void healthNamesTheCauseWhileRedisCannotBeReachedAtStartUp() throws Exception {
        int closed = RedisProcess.freePort();
        try (Daemon worker = new Daemon(WorkerHarness.settings(WorkerHarness.env("redis://127.0.0.1:" + closed)))
                .start()) {
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                String body = Http.get(worker.healthPort(), "/health").body();
                assertTrue(body.contains("\"last_error\":\"cannot connect to Redis: ")
                        && body.contains("Connection refused"), body);
            });
        }
    }

    @Test
    void credentialsRotatedUnderARunningWorkerAreAnAuthenticationFailureOnHealthAndRetried() throws Exception {
        try (RedisProcess redis = RedisProcess.start(); Streams admin = new Streams(redis)) {
            createUser(admin, PASSWORD);
            try (Daemon worker = WorkerHarness.start(redis, "REDIS_URL", userUrl(redis, PASSWORD))) {
                admin.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "10", "position_id", "before");
                await().atMost(Duration.ofSeconds(30)).until(() -> admin.length(LEVELS) == 1);

                // Given the password changed and the worker's connections dropped
                admin.redis.dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8),
                        new CommandArgs<>(StringCodec.UTF8).add("SETUSER").add("exitbrain").add("resetpass")
                                .add(">rotated"));
                admin.redis.clientKill(io.lettuce.core.KillArgs.Builder.user("exitbrain"));
                admin.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "10", "position_id", "during");

                // Then /health says why, without the password, and the worker keeps trying
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                    Http.Response health = Http.get(worker.healthPort(), "/health");
                    assertEquals(503, health.status(), health.body());
                    assertTrue(health.body().contains("\"last_error\":\"authentication failure: Redis refused the"
                            + " credentials of REDIS_URL redis://exitbrain:***@127.0.0.1:" + redis.port()
                            + " (WRONGPASS"), health.body());
                    assertFalse(health.body().contains(PASSWORD), health.body());
                });

                // And once the password works again, it carries on
                admin.redis.dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8),
                        new CommandArgs<>(StringCodec.UTF8).add("SETUSER").add("exitbrain").add(">" + PASSWORD));
                await().atMost(Duration.ofSeconds(30)).until(() -> admin.length(LEVELS) == 2
                        && Http.get(worker.healthPort(), "/health").status() == 200);
            }
        }
    }
}
