package com.exitbrain.ops;

import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static com.exitbrain.testing.Streams.STATS;
import static com.exitbrain.testing.Streams.TRADES;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.Streams;
import com.typesafe.config.ConfigFactory;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/exitbrain.service as install.sh installs it: systemd-analyze verify accepts it, it keeps
 * the service contract (restart policy, exit statuses, stop timeout, hardening), and the JVM it
 * starts stays inside its memory budget and stops cleanly on SIGTERM.
 */
class SystemdUnitIT {
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path temp;
    Path root;
    UnitFile unit;

    @BeforeEach
    void install() {
        root = temp.resolve("root");
        Shell.Result result = InstallScriptIT.install("--prefix", root.toString());
        assertEquals(0, result.exitStatus(), result::toString);
        unit = UnitFile.read(root.resolve("etc/systemd/system/exitbrain.service"));
    }

    @Test
    void installedUnitPassesSystemdAnalyzeVerify() throws IOException {
        Shell.Result verify = verify(root.resolve("etc/systemd/system/exitbrain.service"));

        assertEquals(0, verify.exitStatus(), verify::toString);
        // systemd-analyze exits 0 on unknown keys and bad values too: it only warns. So: no output.
        assertEquals("", verify.output().strip(), "systemd-analyze verify warned");
    }

    @Test
    void verifyCatchesWhatAMistakeLooksLike() throws IOException {
        // Guards the test above: a misspelt key and a bad value do make systemd-analyze speak.
        Path broken = temp.resolve("exitbrain.service");
        Files.writeString(broken, Files.readString(root.resolve("etc/systemd/system/exitbrain.service"))
                .replace("ProtectSystem=strict", "ProtectSystem=strickt\nProtectKernelTunable=yes"));

        Shell.Result verify = verify(broken);

        assertTrue(verify.output().contains("ProtectKernelTunable"), verify::toString);
        assertTrue(verify.output().contains("protect system"), verify::toString);
    }

    @Test
    void unitKeepsTheServiceContract() {
        assertEquals("on-failure", unit.get("Service.Restart"));
        assertEquals("78", unit.get("Service.RestartPreventExitStatus"), "a bad configuration is not retried");
        assertTrue(List.of(unit.get("Service.SuccessExitStatus").split("\\s+")).contains("143"));
        long shutdownTimeoutMs = ConfigFactory.parseResources("reference.conf").getLong("exitbrain.shutdown-timeout-ms");
        long stopSeconds = Long.parseLong(unit.get("Service.TimeoutStopSec"));
        assertTrue(stopSeconds * 1000 > shutdownTimeoutMs + 5000,
                "TimeoutStopSec " + stopSeconds + " s must leave room above the " + shutdownTimeoutMs + " ms shutdown timeout");
        assertEquals("/etc/exitbrain/exitbrain.env", unit.get("Service.EnvironmentFile"));
        assertTrue(unit.all("Service.Environment").contains("EXITBRAIN_CONFIG=/etc/exitbrain/application.conf"));
        assertEquals("exitbrain", unit.get("Service.User"));

        List<String> exec = unit.execStart();
        assertEquals("/usr/bin/java", exec.get(0));
        assertEquals(List.of("-jar", "/opt/exitbrain/exitbrain.jar", "run"), exec.subList(exec.size() - 3, exec.size()));
        // every path the unit names is one install.sh created
        for (String path : List.of("/opt/exitbrain/exitbrain.jar", "/etc/exitbrain/application.conf",
                "/etc/exitbrain/exitbrain.env", unit.get("Service.WorkingDirectory"))) {
            assertTrue(Files.exists(root.resolve(path.substring(1))), path + " is not installed");
        }

        for (String setting : List.of("NoNewPrivileges", "ProtectHome", "PrivateTmp", "PrivateDevices",
                "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups",
                "LockPersonality", "RestrictSUIDSGID", "RestrictRealtime", "RestrictNamespaces")) {
            assertEquals("yes", unit.get("Service." + setting), setting);
        }
        assertEquals("strict", unit.get("Service.ProtectSystem"));
        assertEquals("AF_INET AF_INET6 AF_UNIX", unit.get("Service.RestrictAddressFamilies"));
        assertEquals("", unit.get("Service.CapabilityBoundingSet"));
        assertEquals(null, unit.get("Service.MemoryDenyWriteExecute"), "the JIT needs writable, executable memory");
    }

    @Test
    void memoryMaxLeavesRoomAboveTheJvmLimits() {
        List<String> exec = unit.execStart();
        long heap = jvmSize(exec, "-Xmx");
        long metaspace = jvmSize(exec, "-XX:MaxMetaspaceSize=");
        long codeCache = jvmSize(exec, "-XX:ReservedCodeCacheSize=");
        long direct = jvmSize(exec, "-XX:MaxDirectMemorySize=");
        assertTrue(exec.contains("-XX:+ExitOnOutOfMemoryError"));
        long memoryMax = systemdSize(unit.get("Service.MemoryMax"));
        long jvmLimits = heap + metaspace + codeCache + direct;
        // Even with every JVM pool full, plus thread stacks, GC structures and the JVM's own code
        // (64 MiB is plenty at 2 active processors), the cgroup limit is not reached: the JVM's
        // own OutOfMemoryError (and ExitOnOutOfMemoryError) comes first, not the kernel's OOM kill.
        assertTrue(jvmLimits + 64 * MIB <= memoryMax,
                "JVM limits " + jvmLimits / MIB + " MiB + 64 MiB exceed MemoryMax " + memoryMax / MIB + " MiB");
        assertTrue(systemdSize(unit.get("Service.MemoryHigh")) < memoryMax);
    }

    @Test
    void unitsJvmStaysUnder256MiBAndExitsZeroOnSigterm() throws Exception {
        try (RedisProcess redis = RedisProcess.start(); Streams streams = new Streams(redis)) {
            Process worker = startAsTheUnitWould(redis, Map.of());
            try {
                // Given: a running worker with a backlog of 2000 positions and 2000 trades
                publishBacklog(redis, 2000);
                // When: it has worked through it (its JIT, heap and buffers at their working size)
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                        .until(() -> !worker.isAlive() || streams.length(LEVELS) == 2000 && streams.length(STATS) == 2000);
                assertTrue(worker.isAlive(), () -> "the worker died: " + Shell.output(worker));
                long peak = peakRss(worker.pid());
                System.out.printf("peak RSS of the unit's JVM after 4000 events: %d MiB%n", peak / MIB);

                // Then: the peak resident set is within the 256 MiB target, far below MemoryMax
                assertTrue(peak <= 256 * MIB, "peak RSS " + peak / MIB + " MiB");

                // And: SIGTERM (systemd's stop) ends it with status 0 within the shutdown timeout
                long stopping = System.nanoTime();
                worker.destroy();
                assertTrue(worker.waitFor(10, TimeUnit.SECONDS), "still running 10 s after SIGTERM");
                assertEquals(0, worker.exitValue(), () -> Shell.output(worker));
                assertTrue(System.nanoTime() - stopping < TimeUnit.SECONDS.toNanos(10));
            } finally {
                worker.destroyForcibly();
            }
        }
    }

    @Test
    void badConfigurationExits78SoSystemdDoesNotRestartIt() throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            Process worker = startAsTheUnitWould(redis, Map.of("EXITBRAIN_PNL_SCOPE", "per-desk"));
            try {
                assertTrue(worker.waitFor(60, TimeUnit.SECONDS), "a bad configuration did not stop start-up");
                assertEquals(78, worker.exitValue(), () -> Shell.output(worker));
                assertTrue(Shell.output(worker).contains("EXITBRAIN_PNL_SCOPE"), () -> Shell.output(worker));
            } finally {
                worker.destroyForcibly();
            }
        }
    }

    /**
     * The unit's ExecStart (its JVM flags, the installed jar), with its Environment= lines, the
     * installed environment file, and the installed application.conf, paths under the test root.
     */
    private Process startAsTheUnitWould(RedisProcess redis, Map<String, String> overrides) throws IOException {
        List<String> command = new ArrayList<>();
        for (String word : unit.execStart()) {
            if (word.equals("$JAVA_OPTS")) {
                continue;
            }
            if (word.equals("/usr/bin/java")) {
                word = javaBinary();
            } else if (word.startsWith("-XX:ErrorFile=")) {
                word = "-XX:ErrorFile=" + temp.resolve("hs_err_pid%p.log");
            } else if (word.startsWith("/")) {
                word = root.resolve(word.substring(1)).toString();
            }
            command.add(word);
        }
        Map<String, String> env = Shell.cleanEnvironment();
        for (String assignment : unit.all("Service.Environment")) {
            int eq = assignment.indexOf('=');
            String value = assignment.substring(eq + 1);
            env.put(assignment.substring(0, eq), value.startsWith("/") ? root.resolve(value.substring(1)).toString() : value);
        }
        for (String line : Files.readAllLines(root.resolve("etc/exitbrain/exitbrain.env"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        env.put("REDIS_URL", redis.url());
        env.put("HEALTH_PORT", "0");
        env.putAll(overrides);
        return Shell.start(env, command);
    }

    private static void publishBacklog(RedisProcess redis, int count) {
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisAsyncCommands<String, String> async = connection.async();
            List<RedisFuture<String>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                futures.add(async.xadd(POSITIONS, Map.of("symbol", "BTCUSDT", "leverage", Integer.toString(i % 125 + 1),
                        "side", i % 2 == 0 ? "long" : "short", "entry_price", "65000", "quantity", "0.5",
                        "tick_size", "0.1", "lot_size", "0.001")));
                futures.add(async.xadd(TRADES, Map.of("trade_id", "t" + i, "symbol", "S" + i % 7, "leverage", "20",
                        "pnl", "0.0" + i % 9)));
            }
            assertTrue(LettuceFutures.awaitAll(Duration.ofMinutes(1), futures.toArray(RedisFuture[]::new)));
        } finally {
            client.shutdown();
        }
    }

    private static long peakRss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        fail("no VmHWM in /proc/" + pid + "/status");
        return 0;
    }

    /** /usr/bin/java as the unit names it, else (a JDK elsewhere) the java running these tests. */
    private static String javaBinary() {
        return new File("/usr/bin/java").canExecute() ? "/usr/bin/java"
                : Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * systemd-analyze verify on a unit file. ExecStart must name an executable that exists; when
     * this machine's java is not /usr/bin/java, a copy naming the java that runs these tests is
     * verified instead (the only change).
     */
    private Shell.Result verify(Path unitFile) throws IOException {
        String analyze = Shell.run(Duration.ofSeconds(30), List.of("bash", "-c", "command -v systemd-analyze || true"))
                .output().strip();
        if (analyze.isEmpty()) {
            fail("systemd-analyze is not installed (apt-get install systemd; .ci/run does): the unit cannot be verified");
        }
        Path checked = unitFile;
        if (!new File("/usr/bin/java").canExecute()) {
            checked = temp.resolve("verify/exitbrain.service");
            Files.createDirectories(checked.getParent());
            Files.writeString(checked, Files.readString(unitFile).replace("ExecStart=/usr/bin/java ",
                    "ExecStart=" + javaBinary() + " "));
        }
        return Shell.run(Duration.ofMinutes(1), List.of(analyze, "verify", checked.toString()));
    }

    private static long jvmSize(List<String> exec, String flag) {
        String value = exec.stream().filter(w -> w.startsWith(flag)).findFirst()
                .orElseThrow(() -> new AssertionError("ExecStart has no " + flag)).substring(flag.length());
        return size(value, 1024);
    }

    private static long systemdSize(String value) {
        assertNotNull(value);
        return size(value, 1024);
    }

    private static long size(String value, long base) {
        Matcher m = Pattern.compile("(\\d+)([kKmMgG]?)").matcher(value);
        assertTrue(m.matches(), "not a size: " + value);
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase()) {
            case "k" -> n * base;
            case "m" -> n * base * base;
            case "g" -> n * base * base * base;
            default -> n;
        };
    }
}
