package com.exitbrain.ops;

import static com.exitbrain.testing.Streams.POSITIONS;
import static com.exitbrain.testing.Streams.TRADES;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.Streams;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** scripts/demo, scripts/produce, scripts/validate and scripts/exitbrain, run as a user would. */
class ScriptsIT {
    private static final Duration DEMO_LIMIT = Duration.ofMinutes(5);
    private static final Duration LIMIT = Duration.ofMinutes(3);

    @Test
    void demoShowsBothWorkedExamplesAndLeavesNothingRunning() {
        Shell.Result demo = Shell.run(DEMO_LIMIT, List.of("scripts/demo"));

        assertEquals(0, demo.exitStatus(), demo::toString);
        String out = demo.output();
        // the output streams as redis-cli shows them, and the health answer
        assertTrue(out.contains("XREVRANGE quantum:stream:exitbrain.pnl + - COUNT 2"), demo::toString);
        assertTrue(out.contains("\"harvest_scheme\"") && out.contains("\"[0.3,0.3,0.4]\"") && out.contains("\"[0.5,0.3,0.2]\""),
                demo::toString);
        assertTrue(out.contains("\"out_of_range\""), "the invalid event's dead letter: " + demo);
        assertTrue(out.contains("\"status\": \"UP\"") || out.contains("\"status\":\"UP\""), demo::toString);
        assertTrue(out.contains("(HTTP 200)"), demo::toString);
        // the source's worked examples, reproduced from events
        assertTrue(out.contains("example 1 BTCUSDT 10x: TP1 1.252% TP2 1.886% TP3 2.623% SL 0.939%  adjustment 1  "
                + "harvest [0.3,0.3,0.4]"), demo::toString);
        assertTrue(out.contains("example 2 ETHUSDT 50x: TP1 1.156% TP2 1.874% TP3 2.665% SL 0.958%  adjustment 0.9  "
                + "harvest [0.5,0.3,0.2]"), demo::toString);
        assertEquals(2, out.split("matches the source", -1).length - 1, demo::toString);
        assertTrue(out.contains("stopped by SIGTERM, exit status 0"), demo::toString);
        assertNothingLeftRunning(out);
    }

    @Test
    void demoStopsEverythingItStartedWhenInterrupted() throws Exception {
        Process demo = Shell.start(Shell.cleanEnvironment(), List.of("scripts/demo"));
        try {
            // Given the demo with its Redis and worker running
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !demo.isAlive() || Shell.output(demo).contains("== Closed trades"));
            assertTrue(demo.isAlive(), () -> Shell.output(demo));

            // When it is told to stop (SIGTERM: the same trap as Ctrl-C's SIGINT)
            demo.destroy();
            Shell.Result result = Shell.await(demo, Duration.ofMinutes(1), List.of("scripts/demo"));

            // Then it says so, stops the worker and Redis, and exits 130
            assertEquals(130, result.exitStatus(), result::toString);
            assertTrue(result.output().contains("scripts/demo: interrupted"), result::toString);
            assertNothingLeftRunning(result.output());
        } finally {
            demo.destroyForcibly();
        }
    }

    @Test
    void demoStopsEverythingItStartedWhenItsReaderGoesAway() {
        // Given a reader that takes the first five lines (down to the worker's pid) and goes
        Shell.Result piped = Shell.run(DEMO_LIMIT, List.of("bash", "-c",
                "scripts/demo | head -n 5; echo \"demo exit status ${PIPESTATUS[0]}\""));

        // Then the demo's next write ends it through its clean-up, as 128 + SIGPIPE
        assertTrue(piped.output().contains("demo exit status 141"), piped::toString);
        assertNothingLeftRunning(piped.output());
    }

    private static void assertNothingLeftRunning(String out) {
        Matcher redis = Pattern.compile("on 127\\.0\\.0\\.1:(\\d+) \\(pid (\\d+)\\)").matcher(out);
        assertTrue(redis.find(), "no redis-server line in:\n" + out);
        Matcher worker = Pattern.compile("started the worker \\(pid (\\d+)\\)").matcher(out);
        assertTrue(worker.find(), "no worker line in:\n" + out);
        for (String pid : List.of(redis.group(2), worker.group(1))) {
            assertFalse(ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false),
                    "process " + pid + " is still running");
        }
        int port = Integer.parseInt(redis.group(1));
        assertFalse(listening(port), "something still listens on the demo's Redis port " + port);
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return socket.isConnected();
        } catch (IOException refused) {
            return false;
        }
    }

    @ParameterizedTest(name = "client {0}")
    @ValueSource(strings = {"redis-cli", "builtin"})
    void producePublishesFlatAndJsonEvents(String client) {
        try (RedisProcess redis = RedisProcess.start(); Streams streams = new Streams(redis)) {
            Map<String, String> env = Shell.cleanEnvironment();
            env.put("REDIS_URL", redis.url());
            if (client.equals("builtin")) {
                env.put("EXITBRAIN_REDIS_CLI", "builtin");
            }

            Shell.Result position = Shell.run(LIMIT, env, List.of("scripts/produce", "position", "--symbol", "BTCUSDT",
                    "--leverage", "20", "--side", "long", "--entry", "65000", "--quantity", "0.5"));
            Shell.Result trade = Shell.run(LIMIT, env, List.of("scripts/produce", "trade", "--trade-id", "t1",
                    "--symbol", "BTCUSDT", "--leverage", "20", "--pnl", "0.01", "--json"));

            assertEquals(0, position.exitStatus(), position::toString);
            assertEquals(0, trade.exitStatus(), trade::toString);
            assertTrue(position.output().strip().matches("\\d+-\\d+"), "prints the entry id: " + position);
            assertEquals(List.of(Map.of("symbol", "BTCUSDT", "leverage", "20", "side", "long", "entry_price", "65000",
                    "quantity", "0.5")), streams.entries(POSITIONS));
            assertEquals(List.of(Map.of("payload", "{\"trade_id\":\"t1\",\"symbol\":\"BTCUSDT\",\"leverage\":20,\"pnl\":0.01}")),
                    streams.entries(TRADES));
        }
    }

    /** SPEC §10: the producer's routing (scripts/produce, crc32 from gzip's trailer) and the worker's agree. */
    @Test
    void produceRoutesEverySymbolToTheWorkersPartition() {
        List<String> symbols = new java.util.ArrayList<>(List.of("BTCUSDT", "ETHUSDT", "1000PEPEUSDT", "ÄPFELUSDT",
                "币安USDT", "a", "BTC-PERP", "eth_usdt"));
        for (int i = 0; i < 300; i++) {
            symbols.add("SYM" + i + "USDT");
        }
        for (int n : new int[] {1, 2, 3, 7, 16}) {
            List<String> command = new java.util.ArrayList<>(List.of("scripts/produce", "partition", "--partitions",
                    Integer.toString(n)));
            symbols.forEach(s -> command.addAll(List.of("--symbol", s)));
            Shell.Result routed = Shell.run(LIMIT, command);
            assertEquals(0, routed.exitStatus(), routed::toString);
            List<String> expected = symbols.stream()
                    .map(s -> Integer.toString(com.exitbrain.config.Partitioning.of(s, n))).toList();
            assertEquals(expected, routed.output().lines().toList(), "partitions of " + n);
        }
    }

    @Test
    void produceAnswersMistakesWithClearErrors() {
        Map<String, String> env = Shell.cleanEnvironment();
        env.put("REDIS_URL", "redis://127.0.0.1:1");

        Shell.Result missing = Shell.run(LIMIT, env, List.of("scripts/produce", "trade", "--symbol", "BTCUSDT", "--leverage", "5"));
        assertEquals(2, missing.exitStatus(), missing::toString);
        assertTrue(missing.output().contains("--pnl is required for a trade event"), missing::toString);

        Shell.Result unknown = Shell.run(LIMIT, env, List.of("scripts/produce", "position", "--symbol", "X", "--pnl", "1"));
        assertEquals(2, unknown.exitStatus(), unknown::toString);
        assertTrue(unknown.output().contains("unknown option for position: --pnl"), unknown::toString);

        Shell.Result badUrl = Shell.run(LIMIT, env, List.of("scripts/produce", "position", "--symbol", "X", "--leverage", "5",
                "--redis-url", "http://x"));
        assertEquals(2, badUrl.exitStatus(), badUrl::toString);
        assertTrue(badUrl.output().contains("--redis-url needs a redis://"), badUrl::toString);

        Shell.Result partitioned = Shell.run(LIMIT, env, List.of("scripts/produce", "position", "--symbol", "X",
                "--leverage", "5", "--partitions", "3"));
        assertEquals(2, partitioned.exitStatus(), partitioned::toString);
        assertTrue(partitioned.output().contains("--partitions 3 needs a Redis Cluster"), partitioned::toString);

        Shell.Result unrouted = Shell.run(LIMIT, env, List.of("scripts/produce", "fill", "--position-id", "p", "--order",
                "tp1", "--quantity", "1", "--price", "2", "--redis-url", "redis-cluster://127.0.0.1:1"));
        assertEquals(2, unrouted.exitStatus(), unrouted::toString);
        assertTrue(unrouted.output().contains("--symbol is required on a cluster"), unrouted::toString);

        Shell.Result unreachable = Shell.run(LIMIT, env, List.of("scripts/produce", "position", "--symbol", "X", "--leverage", "5"));
        assertEquals(1, unreachable.exitStatus(), unreachable::toString);
        assertTrue(unreachable.output().contains("failed"), unreachable::toString);
    }

    @Test
    void validateMakesARoundTripAndCleansUp() {
        try (RedisProcess redis = RedisProcess.start(); Streams streams = new Streams(redis)) {
            Shell.Result validate = Shell.run(LIMIT, List.of("scripts/validate", "--redis-url", redis.url()));

            assertEquals(0, validate.exitStatus(), validate::toString);
            assertFalse(validate.output().contains("FAIL"), validate::toString);
            assertEquals(9, validate.output().lines().filter(l -> l.startsWith("PASS")).count(), validate::toString);
            assertTrue(validate.output().contains("9 checks: 9 passed, 0 failed"), validate::toString);
            assertEquals(0L, streams.redis.dbsize(), "validate left keys: " + streams.redis.keys("*"));
        }
    }

    @Test
    void validateFailsWhenRedisIsUnreachable() {
        Shell.Result validate = Shell.run(LIMIT, List.of("scripts/validate", "--redis-url", "redis://127.0.0.1:1"));

        assertEquals(1, validate.exitStatus(), validate::toString);
        assertTrue(validate.output().contains("PASS  engine"), validate::toString);
        assertTrue(validate.output().contains("FAIL  redis: PING redis://127.0.0.1:1"), validate::toString);
    }

    @ParameterizedTest(name = "{0} --help")
    @ValueSource(strings = {"scripts/exitbrain", "scripts/demo", "scripts/produce", "scripts/validate", "deploy/install.sh"})
    void everyScriptHasHelp(String script) {
        Shell.Result help = Shell.run(LIMIT, Stream.of(script, "--help").toList());

        assertEquals(0, help.exitStatus(), help::toString);
        assertTrue(help.output().startsWith("Usage:"), help::toString);
    }

    @ParameterizedTest(name = "{0} --no-such-flag")
    @ValueSource(strings = {"scripts/demo", "scripts/produce", "scripts/validate", "deploy/install.sh"})
    void everyScriptRefusesAnUnknownFlag(String script) {
        Shell.Result bad = Shell.run(LIMIT, Stream.of(script, "--no-such-flag").toList());

        assertEquals(2, bad.exitStatus(), bad::toString);
        assertTrue(bad.output().contains("--help"), bad::toString);
    }
}
