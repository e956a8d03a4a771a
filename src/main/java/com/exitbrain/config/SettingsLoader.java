package com.exitbrain.config;

import com.exitbrain.engine.Levels;
import com.exitbrain.engine.Tuning;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueFactory;
import io.lettuce.core.RedisURI;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Builds {@link Settings} from three layers, highest first: environment variables, the operator's
 * HOCON file ({@code conf/application.conf} or {@code EXITBRAIN_CONFIG}), the jar's
 * {@code reference.conf}. Any bad value throws {@link ConfigurationError} naming the key.
 *
 * <p>One rule for spellings, whichever layer a value comes from: surrounding blanks are ignored;
 * words (booleans, {@code pnl.scope}, {@code group.start}, {@code log-level}) are read in any case;
 * a boolean is HOCON's {@code true}/{@code yes}/{@code on} or {@code false}/{@code no}/{@code off}
 * and nothing else; a {@code -ms} setting is a whole number of milliseconds or a HOCON duration
 * ({@code 30s}, {@code 2m}); every other number is written as a number.
 */
public final class SettingsLoader {
    /** Environment variable → HOCON path (under {@code exitbrain.}). */
    public static final Map<String, String> ENVIRONMENT = envTable();
    /** The jar's defaults: the bottom layer, and the list of every known key. */
    private static final Config REFERENCE =
            ConfigFactory.parseResources(SettingsLoader.class.getClassLoader(), "reference.conf");
    private static final List<String> SYMBOL_KEYS = List.of("maintenance-margin-rate", "tick-size", "lot-size");
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

    private final Map<String, String> env;

    public SettingsLoader(Map<String, String> env) {
        this.env = env;
    }

    public static Settings fromEnvironment() {
        return new SettingsLoader(System.getenv()).load();
    }

    public Settings load() {
        return build(layered().getConfig("exitbrain"));
    }

    Config layered() {
        Config file = ConfigFactory.empty();
        String path = env.get("EXITBRAIN_CONFIG");
        if (path != null && !path.isEmpty()) {
            File explicit = new File(path);
            if (!explicit.isFile()) {
                throw new ConfigurationError("EXITBRAIN_CONFIG: no configuration file at " + path);
            }
            file = parse(explicit);
        } else if (new File("conf/application.conf").isFile()) {
            file = parse(new File("conf/application.conf"));
        }
        return environmentLayer().withFallback(file).withFallback(REFERENCE).resolve();
    }

    private static Config parse(File file) {
        try {
            return ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw new ConfigurationError("configuration file " + file + ": " + e.getMessage());
        }
    }

    private Config environmentLayer() {
        Config layer = ConfigFactory.empty();
        for (var entry : ENVIRONMENT.entrySet()) {
            String value = env.get(entry.getKey());
            if (value == null) {
                continue;
            }
            Object typed = entry.getValue().equals("levels.static-tp")
                    ? Arrays.stream(value.split(",")).map(String::trim).toList()
                    : value.trim();
            layer = layer.withValue("exitbrain." + entry.getValue(), ConfigValueFactory.fromAnyRef(typed));
        }
        return layer;
    }

    private Settings build(Config c) {
        checkKnownKeys(c);
        Reader r = new Reader(c);
        String redisUrl = r.string("redis.url");
        checkRedisUrl(redisUrl);
        double baseTp = r.decimal("levels.base-tp", 0, 0.1, false);
        double baseSl = r.decimal("levels.base-sl", 0, 0.05, false);
        List<Double> staticTp = r.decimals("levels.static-tp");
        double staticSl = r.decimal("levels.static-sl", 0, 0.05, false);
        if (staticTp.size() != 3 || staticTp.stream().anyMatch(x -> !(x > 0 && x <= 0.5))
                || !(staticTp.get(0) < staticTp.get(1) && staticTp.get(1) < staticTp.get(2))) {
            throw r.bad("levels.static-tp", staticTp, "three increasing distances in (0, 0.5]");
        }
        double maxLeverage = r.decimal("levels.max-leverage", 1, 1000, true);
        Tuning tuning = new Tuning(baseTp, baseSl,
                new Levels(staticTp.get(0), staticTp.get(1), staticTp.get(2), staticSl), maxLeverage,
                r.bool("levels.adaptive-enabled"), r.bool("levels.cross-exchange-enabled"));
        String consumer = r.string("consumer");
        if (consumer.isBlank()) {
            consumer = defaultConsumerName();
        }
        long commandTimeout = r.millis("redis.command-timeout-ms", 100, 600_000);
        long blockMs = r.millis("read.block-ms", 10, 60_000);
        if (blockMs * 2 > commandTimeout) {
            throw r.bad("read.block-ms", blockMs, "at most half of exitbrain.redis.command-timeout-ms"
                    + " (EXITBRAIN_REDIS_TIMEOUT_MS) = " + commandTimeout + "; raise that or lower this");
        }
        Settings.Streams streams = new Settings.Streams(r.key("streams.position-opened"), r.key("streams.trade-closed"),
                r.key("streams.levels"), r.key("streams.stats"), r.key("streams.dead-letter"),
                r.integer("streams.output-max-len", 1, Long.MAX_VALUE), r.key("streams.fills"), r.key("streams.plans"),
                r.integer("streams.dead-letter-max-len", 1, Long.MAX_VALUE));
        checkDistinct(r, streams);
        if (RedisUrls.isCluster(redisUrl)) {
            checkNoTags(r, streams);
        }
        return new Settings(
                redisUrl,
                commandTimeout,
                streams,
                r.key("group.name"),
                r.choice("group.start", Map.of("earliest", false, "0", false, "latest", true, "$", true)),
                consumer,
                (int) r.integer("read.batch-size", 1, 10_000),
                blockMs,
                r.millis("claim.min-idle-ms", 10, 86_400_000L),
                (int) r.integer("claim.max-deliveries", 1, 1000),
                (int) r.integer("input.max-entry-bytes", 256, 64 * 1024 * 1024),
                tuning,
                symbols(c, r),
                r.choice("pnl.scope", Map.of("global", Settings.PnlScope.GLOBAL, "symbol", Settings.PnlScope.SYMBOL)),
                (int) r.integer("pnl.window", 1, 10_000),
                r.integer("pnl.dedup-ttl-seconds", 1, 10L * 365 * 86_400),
                r.key("pnl.key-prefix"),
                healthBind(r),
                (int) r.integer("health.port", 0, 65_535),
                r.millis("shutdown-timeout-ms", 100, 600_000),
                r.choice("log-level", Map.of("TRACE", "TRACE", "DEBUG", "DEBUG", "INFO", "INFO", "WARN", "WARN",
                        "ERROR", "ERROR")),
                plans(r),
                SentinelSettings.fromEnvironment(env, redisUrl),
                r.integer("pnl.scope-ttl-seconds", 1, 10L * 365 * 86_400),
                partitioning(r, redisUrl));
    }

    /**
     * SPEC §10: N partitions need a Redis Cluster (standalone and Sentinel keep the names of §3), and
     * a global PnL window cannot be kept exactly across partitions.
     */
    private static Partitioning partitioning(Reader r, String redisUrl) {
        int count = (int) r.integer("partitions", 1, 1024);
        boolean cluster = RedisUrls.isCluster(redisUrl);
        if (count > 1 && !cluster) {
            throw r.bad("partitions", count, "1 unless REDIS_URL names a Redis Cluster (redis-cluster://...):"
                    + " standalone Redis and Sentinel keep one partition");
        }
        if (count > 1 && r.choice("pnl.scope", Map.of("global", true, "symbol", false))) {
            throw new ConfigurationError("exitbrain.pnl.scope (EXITBRAIN_PNL_SCOPE) = global with exitbrain.partitions"
                    + " (EXITBRAIN_PARTITIONS) = " + count + ": a global PnL window cannot be kept exactly across"
                    + " partitions; set EXITBRAIN_PNL_SCOPE=symbol, or use one partition");
        }
        return new Partitioning(count, 0, cluster);
    }

    /** SPEC §9: plan.* settings. */
    private static Settings.Plans plans(Reader r) {
        com.exitbrain.plan.StopRule afterTp1 = r.choice("plan.after-tp1",
                Map.of("breakeven", com.exitbrain.plan.StopRule.BREAKEVEN, "keep", com.exitbrain.plan.StopRule.KEEP));
        com.exitbrain.plan.StopRule afterTp2 = r.choice("plan.after-tp2", Map.of("tp1", com.exitbrain.plan.StopRule.TP1,
                "breakeven", com.exitbrain.plan.StopRule.BREAKEVEN, "keep", com.exitbrain.plan.StopRule.KEEP));
        double offset = r.decimal("plan.breakeven-offset", 0, 0.01, true);
        return new Settings.Plans(r.bool("plan.enabled"), afterTp1, afterTp2,
                com.exitbrain.engine.Decimals.exact(offset), r.bool("plan.record-trades"),
                r.integer("plan.ttl-seconds", 1, 10L * 365 * 86_400),
                r.integer("plan.closed-ttl-seconds", 1, 10L * 365 * 86_400));
    }

    /**
     * The health port's address: blank is the default 127.0.0.1; anything else must be an IPv4 or
     * IPv6 address or a well-formed host name, so that a typo stops start-up with status 78 (not a
     * stack trace and status 1 when the port is opened). A well-formed name is not looked up here: a
     * DNS failure at boot is passing trouble, for systemd to retry (status 1), not bad configuration.
     */
    private static String healthBind(Reader r) {
        String bind = r.string("health.bind");
        if (bind.isEmpty()) {
            return "127.0.0.1";
        }
        boolean ok;
        if (bind.indexOf(':') >= 0) {
            try {
                ok = InetAddress.getByName(bind) instanceof Inet6Address; // a literal: no lookup
            } catch (UnknownHostException e) {
                ok = false;
            }
        } else if (bind.matches("[0-9.]+")) {
            ok = IPV4.matcher(bind).matches();
        } else {
            ok = HOST_NAME.matcher(bind).matches();
        }
        if (!ok) {
            throw r.bad("health.bind", bind, "an IPv4 or IPv6 address or a host name");
        }
        return bind;
    }

    /**
     * On a cluster the partition's tag must be the first {@code {…}} of every name (Redis hashes that
     * one): a configured name holding braces would move its key to another slot (CROSSSLOT).
     */
    private static void checkNoTags(Reader r, Settings.Streams s) {
        String[][] named = {{"streams.position-opened", s.positionOpened()}, {"streams.trade-closed", s.tradeClosed()},
            {"streams.levels", s.levels()}, {"streams.stats", s.stats()}, {"streams.dead-letter", s.deadLetter()},
            {"streams.fills", s.fills()}, {"streams.plans", s.plans()}, {"pnl.key-prefix", r.key("pnl.key-prefix")}};
        for (String[] n : named) {
            if (n[1].indexOf('{') >= 0 || n[1].indexOf('}') >= 0) {
                throw r.bad(n[0], n[1], "a name without { or } on a Redis Cluster, where ExitBrain adds the"
                        + " partition's hash tag {p<i>} itself");
            }
        }
    }

    /** An output written onto an input would feed the worker its own results; two inputs alike are a typo. */
    private static void checkDistinct(Reader r, Settings.Streams s) {
        Map<String, String> seen = new LinkedHashMap<>();
        String[][] named = {{"streams.position-opened", s.positionOpened()}, {"streams.trade-closed", s.tradeClosed()},
            {"streams.levels", s.levels()}, {"streams.stats", s.stats()}, {"streams.dead-letter", s.deadLetter()},
            {"streams.fills", s.fills()}, {"streams.plans", s.plans()}};
        for (String[] n : named) {
            String other = seen.putIfAbsent(n[1], n[0]);
            if (other != null) {
                throw r.bad(n[0], n[1], "a stream name different from exitbrain." + other);
            }
        }
    }

    private static void checkRedisUrl(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (SentinelSettings.isSentinelUrl(url)) {
            SentinelSettings.checkUrl(url); // SPEC §10
            return;
        }
        if (RedisUrls.isCluster(url)) {
            RedisUrls.clusterSeeds(url); // SPEC §10
            return;
        }
        if (!lower.startsWith("redis://") && !lower.startsWith("rediss://")) {
            throw new ConfigurationError("exitbrain.redis.url (REDIS_URL) = " + RedisUrls.mask(url)
                    + ": must start with redis://, rediss://, redis-sentinel://, rediss-sentinel://,"
                    + " redis-cluster:// or rediss-cluster://");
        }
        String host;
        try {
            host = RedisURI.create(url).getHost();
        } catch (RuntimeException e) {
            throw new ConfigurationError("exitbrain.redis.url (REDIS_URL) = " + RedisUrls.mask(url)
                    + ": not a usable Redis URL");
        }
        // Lettuce does not refuse what java.net.URI cannot split into host and port
        // (redis://host:port, redis://:6379, redis://redis_1:6379): it keeps "host:port" as the
        // host name, and the worker would retry that name for ever instead of stopping here.
        if (host == null || host.isEmpty() || (host.contains(":") && !host.startsWith("["))) {
            throw new ConfigurationError("exitbrain.redis.url (REDIS_URL) = " + RedisUrls.mask(url)
                    + ": no host and port in it (a host name may hold letters, digits, '-' and '.')");
        }
    }

    /**
     * A setting the daemon does not know is a typo ({@code tik-size}, {@code windw}) that would
     * otherwise be ignored in silence and leave the default in force: start-up stops, naming every
     * one of them at once, so that an operator fixes them in one go rather than one per restart.
     */
    private static void checkKnownKeys(Config c) {
        Config known = REFERENCE.getConfig("exitbrain");
        List<String> unknown = c.entrySet().stream().map(Map.Entry::getKey).sorted().filter(path -> {
            List<String> parts = ConfigUtil.splitPath(path);
            return parts.size() > 2 && parts.get(0).equals("levels") && parts.get(1).equals("symbols")
                    ? !(parts.size() == 4 && SYMBOL_KEYS.contains(parts.get(3)))
                    : !known.hasPathOrNull(path);
        }).map(path -> "exitbrain." + path).toList();
        if (!unknown.isEmpty()) {
            throw new ConfigurationError(String.join(", ", unknown)
                    + (unknown.size() == 1 ? ": unknown setting" : ": unknown settings")
                    + " (misspelt?); the settings are listed in the README's Configuration section and in reference.conf");
        }
    }

    private static Map<String, SymbolDefaults> symbols(Config c, Reader r) {
        Map<String, SymbolDefaults> out = new HashMap<>();
        Config symbols = c.getConfig("levels.symbols");
        for (String symbol : symbols.root().keySet()) {
            String base = "levels.symbols.\"" + symbol + "\".";
            Double mmr = c.hasPath(base + "maintenance-margin-rate")
                    ? r.decimal(base + "maintenance-margin-rate", 0, 0.5, true) : null;
            BigDecimal tick = c.hasPath(base + "tick-size") ? r.positiveDecimal(base + "tick-size") : null;
            BigDecimal lot = c.hasPath(base + "lot-size") ? r.positiveDecimal(base + "lot-size") : null;
            out.put(symbol, new SymbolDefaults(mmr, tick, lot));
        }
        return Map.copyOf(out);
    }

    private static String defaultConsumerName() {
        return hostName() + "-" + ProcessHandle.current().pid();
    }

    /** The host part of the default consumer name {@code <host>-<pid>}. */
    public static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "exitbrain";
        }
    }

    private static Map<String, String> envTable() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("REDIS_URL", "redis.url");
        m.put("EXITBRAIN_REDIS_TIMEOUT_MS", "redis.command-timeout-ms");
        m.put("EXITBRAIN_STREAM_POSITION_OPENED", "streams.position-opened");
        m.put("EXITBRAIN_STREAM_TRADE_CLOSED", "streams.trade-closed");
        m.put("EXITBRAIN_STREAM_LEVELS", "streams.levels");
        m.put("EXITBRAIN_STREAM_STATS", "streams.stats");
        m.put("EXITBRAIN_STREAM_DLQ", "streams.dead-letter");
        m.put("EXITBRAIN_OUTPUT_MAXLEN", "streams.output-max-len");
        m.put("EXITBRAIN_STREAM_FILLS", "streams.fills");
        m.put("EXITBRAIN_STREAM_PLANS", "streams.plans");
        m.put("EXITBRAIN_DLQ_MAXLEN", "streams.dead-letter-max-len");
        m.put("EXITBRAIN_GROUP", "group.name");
        m.put("EXITBRAIN_GROUP_START", "group.start");
        m.put("EXITBRAIN_CONSUMER", "consumer");
        m.put("EXITBRAIN_BATCH_SIZE", "read.batch-size");
        m.put("EXITBRAIN_BLOCK_MS", "read.block-ms");
        m.put("EXITBRAIN_CLAIM_MIN_IDLE_MS", "claim.min-idle-ms");
        m.put("EXITBRAIN_MAX_DELIVERIES", "claim.max-deliveries");
        m.put("EXITBRAIN_MAX_ENTRY_BYTES", "input.max-entry-bytes");
        m.put("ADAPTIVE_LEVERAGE_ENABLED", "levels.adaptive-enabled");
        m.put("CROSS_EXCHANGE_ENABLED", "levels.cross-exchange-enabled");
        m.put("EXITBRAIN_BASE_TP", "levels.base-tp");
        m.put("EXITBRAIN_BASE_SL", "levels.base-sl");
        m.put("EXITBRAIN_STATIC_TP", "levels.static-tp");
        m.put("EXITBRAIN_STATIC_SL", "levels.static-sl");
        m.put("EXITBRAIN_MAX_LEVERAGE", "levels.max-leverage");
        m.put("EXITBRAIN_PNL_SCOPE", "pnl.scope");
        m.put("EXITBRAIN_PNL_WINDOW", "pnl.window");
        m.put("EXITBRAIN_DEDUP_TTL_SECONDS", "pnl.dedup-ttl-seconds");
        m.put("EXITBRAIN_PNL_SCOPE_TTL_SECONDS", "pnl.scope-ttl-seconds");
        m.put("EXITBRAIN_KEY_PREFIX", "pnl.key-prefix");
        m.put("EXITBRAIN_PARTITIONS", "partitions");
        m.put("EXITBRAIN_PLAN_ENABLED", "plan.enabled");
        m.put("EXITBRAIN_PLAN_AFTER_TP1", "plan.after-tp1");
        m.put("EXITBRAIN_PLAN_AFTER_TP2", "plan.after-tp2");
        m.put("EXITBRAIN_PLAN_BREAKEVEN_OFFSET", "plan.breakeven-offset");
        m.put("EXITBRAIN_PLAN_RECORD_TRADES", "plan.record-trades");
        m.put("EXITBRAIN_PLAN_TTL_SECONDS", "plan.ttl-seconds");
        m.put("EXITBRAIN_PLAN_CLOSED_TTL_SECONDS", "plan.closed-ttl-seconds");
        m.put("HEALTH_BIND", "health.bind");
        m.put("HEALTH_PORT", "health.port");
        m.put("EXITBRAIN_SHUTDOWN_TIMEOUT_MS", "shutdown-timeout-ms");
        m.put("LOG_LEVEL", "log-level");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Typed reads that turn every failure into one line naming the key and its variable. */
    private static final class Reader {
        private final Config c;

        Reader(Config c) {
            this.c = c;
        }

        ConfigurationError bad(String path, Object value, String expected) {
            String variable = ENVIRONMENT.entrySet().stream().filter(e -> e.getValue().equals(path))
                    .map(e -> " (" + e.getKey() + ")").findFirst().orElse("");
            return new ConfigurationError("exitbrain." + path + variable + " = " + value + ": expected " + expected);
        }

        private String raw(String path) {
            try {
                return c.getValue(path).unwrapped().toString();
            } catch (ConfigException e) {
                throw bad(path, "(missing)", "a value");
            }
        }

        String string(String path) {
            try {
                return c.getString(path).trim();
            } catch (ConfigException e) {
                throw bad(path, raw(path), "a string");
            }
        }

        String key(String path) {
            String value = string(path);
            if (value.isEmpty()) {
                throw bad(path, "\"\"", "a non-empty name");
            }
            return value;
        }

        /** HOCON's booleans, read by {@link Config#getBoolean}, in any case like every word. */
        boolean bool(String path) {
            String word = raw(path).trim();
            try {
                return c.withValue(path, ConfigValueFactory.fromAnyRef(word.toLowerCase(Locale.ROOT))).getBoolean(path);
            } catch (ConfigException e) {
                throw bad(path, word, "true or false (or yes/no, on/off; in any case)");
            }
        }

        /** One of the {@code allowed} words, in any case. */
        <T> T choice(String path, Map<String, T> allowed) {
            String value = raw(path).trim();
            return allowed.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(value))
                    .map(Map.Entry::getValue).findFirst()
                    .orElseThrow(() -> bad(path, value, "one of " + String.join(", ", allowed.keySet().stream().sorted().toList())));
        }

        /**
         * A duration in whole milliseconds, read by {@link Config#getDuration}: a bare number is
         * milliseconds (what the {@code -ms} names promise), a unit may be given ({@code 30s}).
         */
        long millis(String path, long min, long max) {
            String expected = "milliseconds in " + min + ".." + max + " (a whole number, or with a unit: 30s, 2m)";
            Duration duration;
            try {
                duration = c.getDuration(path);
            } catch (ConfigException e) {
                throw bad(path, raw(path).trim(), expected);
            }
            if (duration.getNano() % 1_000_000 != 0 || duration.compareTo(Duration.ofMillis(min)) < 0
                    || duration.compareTo(Duration.ofMillis(max)) > 0) {
                throw bad(path, raw(path).trim(), expected);
            }
            return duration.toMillis();
        }

        long integer(String path, long min, long max) {
            String value = raw(path).trim();
            long parsed;
            try {
                parsed = Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw bad(path, value, "a whole number in " + min + ".." + max);
            }
            if (parsed < min || parsed > max) {
                throw bad(path, value, "a whole number in " + min + ".." + max);
            }
            return parsed;
        }

        double decimal(String path, double min, double max, boolean minInclusive) {
            String value = raw(path).trim();
            double parsed = parse(path, value);
            boolean aboveMin = minInclusive ? parsed >= min : parsed > min;
            if (!Double.isFinite(parsed) || !aboveMin || parsed > max) {
                throw bad(path, value, "a number in " + (minInclusive ? "[" : "(") + min + ", " + max + "]");
            }
            return parsed;
        }

        BigDecimal positiveDecimal(String path) {
            String value = raw(path).trim();
            try {
                BigDecimal parsed = new BigDecimal(value);
                if (parsed.signum() > 0) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
            throw bad(path, value, "a number greater than 0");
        }

        List<Double> decimals(String path) {
            try {
                return c.getStringList(path).stream().map(v -> parse(path, v.trim())).toList();
            } catch (ConfigException e) {
                throw bad(path, raw(path), "a list of numbers");
            }
        }

        private double parse(String path, String value) {
            try {
                return Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw bad(path, value, "a number");
            }
        }
    }

    /** Used in the start-up line: the effective settings, password masked. */
    public static String describe(Settings s) {
        return "redis=" + s.redisUrlMasked() + " group=" + s.group() + " consumer=" + s.consumer()
                + " inputs=[" + s.streams().positionOpened() + ", " + s.streams().tradeClosed() + ", "
                + s.streams().fills() + "]"
                + " outputs=[" + s.streams().levels() + ", " + s.streams().stats() + ", " + s.streams().plans() + ", "
                + s.streams().deadLetter() + "]" + " plans=" + s.plans().enabled()
                + " adaptive=" + s.tuning().adaptiveEnabled() + " cross_exchange=" + s.tuning().crossExchangeEnabled()
                + " pnl_scope=" + s.pnlScope().name().toLowerCase(Locale.ROOT) + " pnl_window=" + s.pnlWindow()
                + " batch=" + s.batchSize() + " claim_min_idle_ms=" + s.claimMinIdleMs()
                + " max_deliveries=" + s.maxDeliveries() + " health=" + s.healthBind() + ":" + s.healthPort()
                + (s.cluster() ? " partitions=" + s.partitioning().count() : "")
                + " pid=" + ManagementFactory.getRuntimeMXBean().getPid();
    }
}
