package com.exitbrain.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.engine.Levels;
import com.exitbrain.engine.Tuning;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SPEC §6: defaults, environment overrides, the HOCON file, and start-up refusals naming the setting. */
class SettingsLoaderTest {
    @TempDir
    Path dir;

    /** An empty operator file, so no conf/application.conf of the working directory leaks in. */
    private Path emptyConfig;

    @BeforeEach
    void writeEmptyConfig() throws IOException {
        emptyConfig = Files.writeString(dir.resolve("empty.conf"), "# nothing set\n");
    }

    private Settings load(String... keysAndValues) {
        return new SettingsLoader(env(keysAndValues)).load();
    }

    private Map<String, String> env(String... keysAndValues) {
        Map<String, String> env = new HashMap<>();
        env.put("EXITBRAIN_CONFIG", emptyConfig.toString());
        for (int i = 0; i < keysAndValues.length; i += 2) {
            env.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return env;
    }

    private ConfigurationError refused(String... keysAndValues) {
        return assertThrows(ConfigurationError.class, () -> load(keysAndValues));
    }

    @Test
    void defaultsAreTheSpecDefaults() {
        Settings s = load();

        assertEquals("redis://127.0.0.1:6379", s.redisUrl());
        assertEquals("quantum:stream:exitbrain.position_opened", s.streams().positionOpened());
        assertEquals("quantum:stream:exitbrain.trade_closed", s.streams().tradeClosed());
        assertEquals("quantum:stream:exitbrain.pnl", s.streams().levels());
        assertEquals("quantum:stream:exitbrain.stats", s.streams().stats());
        assertEquals("quantum:stream:exitbrain.dlq", s.streams().deadLetter());
        assertEquals("exitbrain", s.group());
        assertFalse(s.groupStartLatest(), "groups start at 0 so a backlog is processed");
        assertEquals("127.0.0.1", s.healthBind());
        assertEquals(8001, s.healthPort());
        assertEquals(30_000, s.claimMinIdleMs());
        assertEquals(5000, s.claimIntervalMs(), "min(idle/2, 5 s)");
        assertEquals(5, s.maxDeliveries());
        assertEquals(16 * 1024, s.maxEntryBytes());
        assertEquals(Settings.PnlScope.GLOBAL, s.pnlScope());
        assertEquals(20, s.pnlWindow());
        assertEquals(7 * 86_400, s.dedupTtlSeconds());
        assertEquals(10_000, s.shutdownTimeoutMs());
        assertEquals("INFO", s.logLevel());
        assertEquals(Tuning.defaults(), s.tuning());
        assertTrue(s.symbols().isEmpty());
    }

    @Test
    void consumerDefaultsToHostNameAndPid() {
        String consumer = load().consumer();

        assertTrue(consumer.endsWith("-" + ProcessHandle.current().pid()), consumer);
        assertEquals("worker-7", load("EXITBRAIN_CONSUMER", "worker-7").consumer());
    }

    @Test
    void environmentOverridesTheDefaults() {
        Settings s = load(
                "REDIS_URL", "rediss://app:s3cret@redis.internal:6380/2",
                "HEALTH_PORT", "9100",
                "HEALTH_BIND", "0.0.0.0",
                "ADAPTIVE_LEVERAGE_ENABLED", "false",
                "CROSS_EXCHANGE_ENABLED", "false",
                "EXITBRAIN_PNL_SCOPE", "symbol",
                "EXITBRAIN_PNL_WINDOW", "50",
                "EXITBRAIN_STATIC_TP", "0.01,0.02,0.03",
                "EXITBRAIN_CLAIM_MIN_IDLE_MS", "4000",
                "EXITBRAIN_MAX_DELIVERIES", "3",
                "EXITBRAIN_GROUP_START", "latest",
                "LOG_LEVEL", "debug");

        assertEquals("rediss://app:s3cret@redis.internal:6380/2", s.redisUrl());
        assertEquals(9100, s.healthPort());
        assertEquals("0.0.0.0", s.healthBind());
        assertFalse(s.tuning().adaptiveEnabled());
        assertFalse(s.tuning().crossExchangeEnabled());
        assertEquals(Settings.PnlScope.SYMBOL, s.pnlScope());
        assertEquals(50, s.pnlWindow());
        assertEquals(new Levels(0.01, 0.02, 0.03, 0.005), s.tuning().staticLevels());
        assertEquals(4000, s.claimMinIdleMs());
        assertEquals(2000, s.claimIntervalMs());
        assertEquals(3, s.maxDeliveries());
        assertTrue(s.groupStartLatest());
        assertEquals("DEBUG", s.logLevel());
    }

    @Test
    void healthPortZeroIsAllowedToPickAFreePort() {
        assertEquals(0, load("HEALTH_PORT", "0").healthPort());
    }

    @Test
    void operatorFileOverridesReferenceAndEnvironmentOverridesTheFile() throws IOException {
        Path file = Files.writeString(dir.resolve("application.conf"), """
                exitbrain {
                  health.port = 8100
                  pnl { scope = "symbol", window = 30 }
                  levels.symbols {
                    BTCUSDT { maintenance-margin-rate = 0.004, tick-size = 0.1, lot-size = 0.001 }
                  }
                }
                """);

        Settings fromFile = load("EXITBRAIN_CONFIG", file.toString());
        assertEquals(8100, fromFile.healthPort());
        assertEquals(Settings.PnlScope.SYMBOL, fromFile.pnlScope());
        assertEquals(30, fromFile.pnlWindow());
        SymbolDefaults btc = fromFile.symbolDefaults("BTCUSDT");
        assertEquals(0.004, btc.maintenanceMarginRate());
        assertEquals(new BigDecimal("0.1"), btc.tickSize());
        assertEquals(new BigDecimal("0.001"), btc.lotSize());
        assertEquals(SymbolDefaults.NONE, fromFile.symbolDefaults("ETHUSDT"));

        Settings overridden = load("EXITBRAIN_CONFIG", file.toString(), "HEALTH_PORT", "8200");
        assertEquals(8200, overridden.healthPort());
        assertEquals(30, overridden.pnlWindow());
    }

    @ParameterizedTest(name = "{0}={1} is refused")
    @CsvSource(delimiter = '|', value = {
        "HEALTH_PORT                 | abc              | exitbrain.health.port",
        "HEALTH_PORT                 | 70000            | exitbrain.health.port",
        "HEALTH_PORT                 | -1               | exitbrain.health.port",
        "EXITBRAIN_PNL_SCOPE         | bogus            | exitbrain.pnl.scope",
        "EXITBRAIN_MAX_DELIVERIES    | 0                | exitbrain.claim.max-deliveries",
        "EXITBRAIN_PNL_WINDOW        | 0                | exitbrain.pnl.window",
        "EXITBRAIN_CLAIM_MIN_IDLE_MS | soon             | exitbrain.claim.min-idle-ms",
        "REDIS_URL                   | http://x         | exitbrain.redis.url",
        "ADAPTIVE_LEVERAGE_ENABLED   | maybe            | exitbrain.levels.adaptive-enabled",
        "CROSS_EXCHANGE_ENABLED      | 2                | exitbrain.levels.cross-exchange-enabled",
        "EXITBRAIN_STATIC_TP         | 0.03,0.02,0.01   | exitbrain.levels.static-tp",
        "EXITBRAIN_STATIC_TP         | 0.01,0.02        | exitbrain.levels.static-tp",
        "EXITBRAIN_STATIC_TP         | 0.01,x,0.03      | exitbrain.levels.static-tp",
        "EXITBRAIN_BASE_TP           | 0                | exitbrain.levels.base-tp",
        "EXITBRAIN_MAX_LEVERAGE      | NaN              | exitbrain.levels.max-leverage",
        "EXITBRAIN_GROUP_START       | middle           | exitbrain.group.start",
        "EXITBRAIN_GROUP             | ' '              | exitbrain.group.name",
        "LOG_LEVEL                   | LOUD             | exitbrain.log-level",
        "HEALTH_BIND                 | 999.1.1.1        | exitbrain.health.bind",
        "HEALTH_BIND                 | bad_host!        | exitbrain.health.bind",
        "HEALTH_BIND                 | ::zz             | exitbrain.health.bind",
        "EXITBRAIN_PLAN_ENABLED      | perhaps          | exitbrain.plan.enabled",
        "EXITBRAIN_PLAN_AFTER_TP1    | tp1              | exitbrain.plan.after-tp1",
        "EXITBRAIN_PLAN_AFTER_TP2    | tp2              | exitbrain.plan.after-tp2",
        "EXITBRAIN_PLAN_BREAKEVEN_OFFSET | 0.02         | exitbrain.plan.breakeven-offset",
        "EXITBRAIN_PLAN_BREAKEVEN_OFFSET | -0.001       | exitbrain.plan.breakeven-offset",
        "EXITBRAIN_PLAN_RECORD_TRADES | sometimes       | exitbrain.plan.record-trades",
        "EXITBRAIN_PLAN_TTL_SECONDS  | 0                | exitbrain.plan.ttl-seconds",
        "EXITBRAIN_PLAN_CLOSED_TTL_SECONDS | x          | exitbrain.plan.closed-ttl-seconds",
        "EXITBRAIN_DLQ_MAXLEN        | 0                | exitbrain.streams.dead-letter-max-len",
        "EXITBRAIN_PNL_SCOPE_TTL_SECONDS | 0            | exitbrain.pnl.scope-ttl-seconds",
        "EXITBRAIN_STREAM_FILLS      | quantum:stream:exitbrain.pnl | exitbrain.streams.fills",
    })
    void badEnvironmentValueIsRefusedNamingTheVariableAndKey(String variable, String value, String key) {
        ConfigurationError e = refused(variable, value);

        assertTrue(e.getMessage().contains(variable), "names " + variable + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(key), "names " + key + ": " + e.getMessage());
        // the exit status 78 it leads to is the packaged jar's, checked by CommandLineIT
    }

    @Test
    void missingConfigurationFileIsRefused() {
        Path missing = dir.resolve("nowhere.conf");

        ConfigurationError e = refused("EXITBRAIN_CONFIG", missing.toString());

        assertTrue(e.getMessage().contains("EXITBRAIN_CONFIG"), e.getMessage());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void configurationFileWithASyntaxErrorIsRefusedNamingTheFile() throws IOException {
        Path broken = Files.writeString(dir.resolve("broken.conf"), "exitbrain {\n  health.port = \n  pnl {\n");

        ConfigurationError e = refused("EXITBRAIN_CONFIG", broken.toString());

        assertTrue(e.getMessage().contains(broken.toString()), e.getMessage());
    }

    @Test
    void badValueInTheConfigurationFileNamesItsKey() throws IOException {
        Path file = Files.writeString(dir.resolve("bad-value.conf"),
                "exitbrain.levels.symbols { BTCUSDT { maintenance-margin-rate = 0.6 } }\n");

        ConfigurationError e = refused("EXITBRAIN_CONFIG", file.toString());

        assertTrue(e.getMessage().contains("maintenance-margin-rate"), e.getMessage());
        assertTrue(e.getMessage().contains("BTCUSDT"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} is refused as unknown")
    @CsvSource(delimiter = '|', value = {
        "exitbrain.pnl.windw = 30                                     | exitbrain.pnl.windw",
        "exitbrain.levels.symbols { BTCUSDT { tik-size = 0.1 } }      | exitbrain.levels.symbols.BTCUSDT.tik-size",
        "exitbrain.levels.symbols { BTCUSDT = 0.1 }                   | exitbrain.levels.symbols.BTCUSDT",
        "exitbrain.health { port = 8001, bnd = \"0.0.0.0\" }          | exitbrain.health.bnd",
    })
    void unknownSettingInTheFileIsRefusedNamingIt(String content, String key) throws IOException {
        Path file = Files.writeString(dir.resolve("typo.conf"), content + "\n");

        ConfigurationError e = refused("EXITBRAIN_CONFIG", file.toString());

        assertTrue(e.getMessage().contains(key + ": unknown setting"), e.getMessage());
    }

    @Test
    void everyUnknownSettingIsNamedInOneMessage() throws IOException {
        Path file = Files.writeString(dir.resolve("typos.conf"), """
                exitbrain {
                  pnl.windw = 30
                  health { port = 8001, bnd = "0.0.0.0" }
                  levels.symbols { BTCUSDT { tik-size = 0.1 } }
                }
                """);

        ConfigurationError e = refused("EXITBRAIN_CONFIG", file.toString());

        assertTrue(e.getMessage().startsWith("exitbrain.health.bnd, exitbrain.levels.symbols.BTCUSDT.tik-size,"
                + " exitbrain.pnl.windw: unknown settings"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    /** The one rule for spellings: words in any case, HOCON's booleans, durations for the -ms settings. */
    @ParameterizedTest(name = "{0}={1} is accepted")
    @CsvSource(delimiter = '|', value = {
        "EXITBRAIN_PNL_SCOPE           | Symbol   ",
        "EXITBRAIN_PNL_SCOPE           | ' SYMBOL'",
        "EXITBRAIN_GROUP_START         | Latest   ",
        "LOG_LEVEL                     | debug    ",
        "ADAPTIVE_LEVERAGE_ENABLED     | yes      ",
        "ADAPTIVE_LEVERAGE_ENABLED     | On       ",
        "ADAPTIVE_LEVERAGE_ENABLED     | TRUE     ",
        "CROSS_EXCHANGE_ENABLED        | no       ",
        "CROSS_EXCHANGE_ENABLED        | OFF      ",
        "CROSS_EXCHANGE_ENABLED        | False    ",
    })
    void wordsAreReadInAnyCaseAndBooleansInHoconsSpellings(String variable, String value) {
        Settings s = load(variable, value);

        switch (variable) {
            case "EXITBRAIN_PNL_SCOPE" -> assertEquals(Settings.PnlScope.SYMBOL, s.pnlScope());
            case "EXITBRAIN_GROUP_START" -> assertTrue(s.groupStartLatest());
            case "LOG_LEVEL" -> assertEquals("DEBUG", s.logLevel());
            case "ADAPTIVE_LEVERAGE_ENABLED" -> assertTrue(s.tuning().adaptiveEnabled());
            default -> assertFalse(s.tuning().crossExchangeEnabled());
        }
    }

    @ParameterizedTest(name = "{0}={1} is refused")
    @CsvSource(delimiter = '|', value = {
        "ADAPTIVE_LEVERAGE_ENABLED     | 1          | exitbrain.levels.adaptive-enabled",
        "ADAPTIVE_LEVERAGE_ENABLED     | 0          | exitbrain.levels.adaptive-enabled",
        "CROSS_EXCHANGE_ENABLED        | y          | exitbrain.levels.cross-exchange-enabled",
        "EXITBRAIN_PNL_SCOPE           | symbols    | exitbrain.pnl.scope",
        "EXITBRAIN_BLOCK_MS            | 1.5        | exitbrain.read.block-ms",
        "EXITBRAIN_BLOCK_MS            | 5 parsecs  | exitbrain.read.block-ms",
        "EXITBRAIN_CLAIM_MIN_IDLE_MS   | 2d         | exitbrain.claim.min-idle-ms",
        "EXITBRAIN_SHUTDOWN_TIMEOUT_MS | 50ms       | exitbrain.shutdown-timeout-ms",
        "EXITBRAIN_PNL_WINDOW          | 20s        | exitbrain.pnl.window",
    })
    void spellingsOutsideTheRuleAreRefused(String variable, String value, String key) {
        ConfigurationError e = refused(variable, value);

        assertTrue(e.getMessage().startsWith(key + " (" + variable + ") = " + value.strip() + ": expected"),
                e.getMessage());
    }

    @Test
    void millisecondSettingsTakeANumberOfMillisecondsOrADurationWithItsUnit() throws IOException {
        Settings s = load("EXITBRAIN_CLAIM_MIN_IDLE_MS", "2m", "EXITBRAIN_BLOCK_MS", "500ms",
                "EXITBRAIN_REDIS_TIMEOUT_MS", "7s", "EXITBRAIN_SHUTDOWN_TIMEOUT_MS", "2500");
        assertEquals(120_000, s.claimMinIdleMs());
        assertEquals(500, s.blockMs());
        assertEquals(7000, s.commandTimeoutMs());
        assertEquals(2500, s.shutdownTimeoutMs());

        Path file = Files.writeString(dir.resolve("durations.conf"),
                "exitbrain { claim.min-idle-ms = 45 seconds, read.block-ms = 250, levels.adaptive-enabled = off }\n");
        Settings fromFile = load("EXITBRAIN_CONFIG", file.toString());
        assertEquals(45_000, fromFile.claimMinIdleMs());
        assertEquals(250, fromFile.blockMs());
        assertFalse(fromFile.tuning().adaptiveEnabled());
    }

    @Test
    void blockingReadMustStayWellUnderTheCommandTimeout() {
        ConfigurationError e = refused("EXITBRAIN_BLOCK_MS", "3000", "EXITBRAIN_REDIS_TIMEOUT_MS", "5000");

        assertTrue(e.getMessage().contains("EXITBRAIN_BLOCK_MS"), e.getMessage());
        // lowering only the timeout is refused too, and the message names the variable that was set
        ConfigurationError timeout = refused("EXITBRAIN_REDIS_TIMEOUT_MS", "1000");
        assertTrue(timeout.getMessage().contains("EXITBRAIN_REDIS_TIMEOUT_MS"), timeout.getMessage());
    }

    @Test
    void blankHealthBindIsTheDefaultAndAnAddressOrResolvableNameIsKept() {
        assertEquals("127.0.0.1", load("HEALTH_BIND", " ").healthBind());
        assertEquals("0.0.0.0", load("HEALTH_BIND", "0.0.0.0").healthBind());
        assertEquals("::1", load("HEALTH_BIND", "::1").healthBind());
        assertEquals("localhost", load("HEALTH_BIND", "localhost").healthBind());
        // a well-formed name is not looked up at load: DNS trouble at boot is for systemd to retry
        assertEquals("nowhere.invalid", load("HEALTH_BIND", "nowhere.invalid").healthBind());
    }

    @Test
    void redisPasswordIsMaskedInTheStartUpLine() {
        Settings s = load("REDIS_URL", "redis://app:s3cret@redis.internal:6380/1");

        String line = SettingsLoader.describe(s);
        assertTrue(line.contains("redis=redis://app:***@redis.internal:6380/1"), line);
        assertFalse(line.contains("s3cret"), line);
        assertEquals("redis://app:***@redis.internal:6380/1", s.redisUrlMasked());
    }

    @ParameterizedTest(name = "REDIS_URL={0} is refused without its password")
    @CsvSource({"http://app:s3cret@host", "REDIS://app:s3cret@host", "redis://app:s3cret/x@host:6379"})
    void redisPasswordIsMaskedInTheRefusal(String url) {
        ConfigurationError e = refused("REDIS_URL", url);

        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        assertTrue(e.getMessage().contains("REDIS_URL"), e.getMessage());
    }

    @ParameterizedTest(name = "REDIS_URL={0} is refused")
    @CsvSource({"redis://host:port", "redis://:6379", "redis://host:6379x", "redis://redis_1:6379",
            "redis://app:s3cret@host:notaport"})
    void redisUrlWithoutAUsableHostAndPortIsRefused(String url) {
        // Lettuce accepts these, keeping "host:port" as the host name to resolve
        ConfigurationError e = refused("REDIS_URL", url);

        assertTrue(e.getMessage().contains("REDIS_URL"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }

    @ParameterizedTest(name = "REDIS_URL={0} is accepted")
    @CsvSource({"redis://127.0.0.1:6379", "redis://localhost", "rediss://app:s3cret@redis.example.com:6380/2",
            "redis://[::1]:6380/1", "redis://:s3cret@host"})
    void usableRedisUrlsAreAccepted(String url) {
        assertEquals(url, load("REDIS_URL", url).redisUrl());
    }
}
