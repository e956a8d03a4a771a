package com.exitbrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.exitbrain.config.SettingsLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar as operators run it (SPEC §6, §7): exit statuses, the start-up refusal with
 * status 78, and {@code levels --json}. Runs in the integration-test phase, after {@code package}.
 * No test here talks to Redis; REDIS_URL points at a closed port in case one ever tried.
 */
class CommandLineIT {
    private static final Path JAR = Path.of("target", "exitbrain.jar").toAbsolutePath();
    private static final Pattern PLAIN_DECIMAL = Pattern.compile("-?\\d+(\\.\\d+)?");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path workingDirectory;

    private record Run(int status, String out, String err) {
    }

    @BeforeAll
    static void jarIsPackaged() {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: run `mvn verify`, which packages it first");
    }

    /** Runs the jar in an empty directory with none of the worker's variables but {@code env}. */
    private Run jar(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
        Map<String, String> environment = builder.environment();
        SettingsLoader.ENVIRONMENT.keySet().forEach(environment::remove);
        environment.remove("EXITBRAIN_CONFIG");
        environment.put("REDIS_URL", "redis://127.0.0.1:1");
        environment.putAll(env);
        Path out = workingDirectory.resolve("stdout");
        Path err = workingDirectory.resolve("stderr");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("java -jar exitbrain.jar " + String.join(" ", args) + " did not finish in 60 s");
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Run jar(String... args) throws IOException, InterruptedException {
        return jar(Map.of(), args);
    }

    @Test
    void badConfigurationExitsWithStatus78NamingTheVariable() throws Exception {
        Run run = jar(Map.of("HEALTH_PORT", "abc"), "levels", "--leverage", "10");

        assertEquals(78, run.status(), run.err());
        assertTrue(run.err().contains("HEALTH_PORT"), run.err());
        assertEquals("", run.out());
    }

    @Test
    void everyUnknownSettingIsNamedInOneLineAndExits78() throws Exception {
        Path conf = Files.writeString(workingDirectory.resolve("typos.conf"),
                "exitbrain { pnl.windw = 30, health.bnd = \"0.0.0.0\" }\n");

        Run run = jar(Map.of("EXITBRAIN_CONFIG", conf.toString()), "run");

        assertEquals(78, run.status(), run.err());
        List<String> named = run.err().lines().filter(l -> l.contains("unknown setting")).toList();
        assertEquals(1, named.size(), run.err());
        assertTrue(named.get(0).contains("exitbrain.health.bnd, exitbrain.pnl.windw: unknown settings"), run.err());
    }

    @Test
    void daemonWithBadConfigurationExits78BeforeConnecting() throws Exception {
        Run run = jar(Map.of("EXITBRAIN_PNL_SCOPE", "bogus"), "run");

        assertEquals(78, run.status(), run.err());
        assertTrue(run.err().contains("EXITBRAIN_PNL_SCOPE"), run.err());
    }

    @Test
    void healthBindThatIsNoAddressExits78AndOneThatDoesNotResolveExits1() throws Exception {
        Run malformed = jar(Map.of("HEALTH_BIND", "999.1.1.1"), "run");
        assertEquals(78, malformed.status(), malformed.err());
        assertTrue(malformed.err().contains("HEALTH_BIND"), malformed.err());

        // well formed, but no such name (.invalid never resolves): passing DNS trouble, for systemd to retry
        Run unresolved = jar(Map.of("HEALTH_BIND", "nowhere.invalid", "HEALTH_PORT", "0"), "run");
        assertEquals(1, unresolved.status(), unresolved.err());
        assertTrue(unresolved.err().contains("nowhere.invalid") && unresolved.err().contains("does not resolve"),
                unresolved.err());
        assertFalse(unresolved.err().contains("\tat "), "no stack trace: " + unresolved.err());
    }

    @Test
    void levelsAppliesTheSymbolsConfiguredDefaultsAsTheWorkerDoes() throws Exception {
        Path conf = Files.writeString(workingDirectory.resolve("symbols.conf"),
                "exitbrain.levels.symbols { BTCUSDT { maintenance-margin-rate = 0.004, tick-size = 0.5 } }\n");
        Run run = jar(Map.of("EXITBRAIN_CONFIG", conf.toString()), "levels", "--leverage", "10", "--side", "long",
                "--entry", "65000.3", "--json");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("\"maintenance_margin_rate\":\"0.004\""), run.out());
        assertTrue(run.out().contains("\"tick_size\":\"0.5\""), run.out());
        Run other = jar(Map.of("EXITBRAIN_CONFIG", conf.toString()), "levels", "--leverage", "10", "--side", "long",
                "--entry", "65000.3", "--symbol", "ETHUSDT", "--json");
        assertFalse(other.out().contains("tick_size"), other.out());
    }

    @Test
    void missingConfigurationFileExits78() throws Exception {
        Run run = jar(Map.of("EXITBRAIN_CONFIG", workingDirectory.resolve("missing.conf").toString()),
                "levels", "--leverage", "10");

        assertEquals(78, run.status(), run.err());
        assertTrue(run.err().contains("EXITBRAIN_CONFIG"), run.err());
    }

    @Test
    void passwordOfARefusedRedisUrlIsNotPrinted() throws Exception {
        Run run = jar(Map.of("REDIS_URL", "http://app:s3cret@host"), "levels", "--leverage", "10");

        assertEquals(78, run.status(), run.err());
        assertTrue(run.err().contains("REDIS_URL"), run.err());
        assertTrue(!run.err().contains("s3cret") && !run.out().contains("s3cret"), run.err());
    }

    @Test
    void validateExitsZero() throws Exception {
        Run run = jar("validate");

        assertEquals(0, run.status(), run.out() + run.err());
        assertTrue(run.out().contains(" 0 failed"), run.out());
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        Run tooMuchLeverage = jar("levels", "--leverage", "500");
        assertEquals(2, tooMuchLeverage.status());
        assertTrue(tooMuchLeverage.err().contains("leverage"), tooMuchLeverage.err());

        assertEquals(2, jar("levels", "--leverage", "10", "--bogus").status());
        assertEquals(0, jar("levels", "--help").status());
    }

    @Test
    void levelsJsonPrintsOneObjectWithTheLevelsStreamFields() throws Exception {
        long before = Instant.now().getEpochSecond();
        Run run = jar("levels", "--leverage", "10", "--volatility", "1.0", "--confidence", "0.75", "--avg-pnl",
                "0.15", "--side", "long", "--entry", "65000", "--quantity", "0.5", "--tick", "0.1", "--lot", "0.001",
                "--mmr", "0.004", "--symbol", "ETHUSDT", "--json");

        assertEquals(0, run.status(), run.err());
        String[] lines = run.out().strip().split("\n");
        assertEquals(1, lines.length, "one line of output: " + run.out());
        JsonNode entry = JSON.readTree(lines[0]);
        assertTrue(entry.isObject(), lines[0]);
        // SPEC §3: the source's fields, ours, the margin view, and prices and quantities when computable
        for (String field : List.of("symbol", "leverage", "tp1", "tp2", "tp3", "sl", "harvest_scheme", "LSF",
                "adjustment", "avg_pnl_last_20", "timestamp", "mode", "volatility_factor", "confidence",
                "liquidation_distance", "sl_capped", "warnings", "tp1_roe", "tp2_roe", "tp3_roe", "sl_roe",
                "entry_price", "tp1_price", "tp2_price", "tp3_price", "sl_price", "quantity", "tp1_qty", "tp2_qty",
                "tp3_qty")) {
            assertTrue(entry.has(field), field + " missing from " + lines[0]);
        }
        // flat fields: every value is a string, as on the stream
        for (Iterator<Map.Entry<String, JsonNode>> it = entry.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            assertTrue(field.getValue().isTextual(), field.getKey() + " is not a string: " + field.getValue());
        }
        assertEquals("ETHUSDT", entry.get("symbol").asText());
        assertEquals("10", entry.get("leverage").asText());
        assertEquals("adaptive", entry.get("mode").asText());
        assertEquals("false", entry.get("sl_capped").asText());
        assertEquals("1", entry.get("adjustment").asText());
        assertEquals(0.01252, Double.parseDouble(entry.get("tp1").asText()), 0.00002);
        assertEquals(JSON.readTree("[0.3,0.3,0.4]"), JSON.readTree(entry.get("harvest_scheme").asText()));
        assertEquals(JSON.readTree("[]"), JSON.readTree(entry.get("warnings").asText()));
        for (String field : List.of("tp1", "tp2", "tp3", "sl", "LSF", "liquidation_distance", "tp1_roe", "sl_roe",
                "tp1_price", "sl_price", "tp1_qty", "tp3_qty")) {
            String value = entry.get(field).asText();
            assertTrue(PLAIN_DECIMAL.matcher(value).matches(), field + " is not a plain decimal: " + value);
        }
        assertEquals("65813.8", entry.get("tp1_price").asText());
        assertEquals("64389.9", entry.get("sl_price").asText());
        BigDecimal stages = new BigDecimal(entry.get("tp1_qty").asText())
                .add(new BigDecimal(entry.get("tp2_qty").asText())).add(new BigDecimal(entry.get("tp3_qty").asText()));
        assertEquals(0, new BigDecimal("0.5").compareTo(stages), "stages sum to the quantity");
        long timestamp = Long.parseLong(entry.get("timestamp").asText());
        assertTrue(timestamp >= before && timestamp <= Instant.now().getEpochSecond(), "epoch seconds: " + timestamp);
    }

    @Test
    void killSwitchFromTheEnvironmentPublishesStaticLevels() throws Exception {
        Run run = jar(Map.of("ADAPTIVE_LEVERAGE_ENABLED", "false"), "levels", "--leverage", "10", "--json");

        assertEquals(0, run.status(), run.err());
        JsonNode entry = JSON.readTree(run.out());
        assertEquals("static", entry.get("mode").asText());
        assertEquals("disabled", entry.get("fallback_reason").asText());
        assertEquals("0.01", entry.get("tp1").asText());
        assertEquals("0.005", entry.get("sl").asText());
    }

    @Test
    void crossExchangeDisabledIgnoresTheVolatilityFlag() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("CROSS_EXCHANGE_ENABLED", "false");
        Run run = jar(env, "levels", "--leverage", "10", "--volatility", "50", "--json");

        assertEquals(0, run.status(), run.err());
        assertEquals("1", JSON.readTree(run.out()).get("volatility_factor").asText());
    }
}
