package com.exitbrain.health;

import com.exitbrain.config.Settings;
import com.exitbrain.pnl.PnlKeys;
import com.exitbrain.pnl.PnlStats;
import com.exitbrain.pnl.WindowEntry;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the SPEC §5 / §8 health answer from Redis on every request: connectivity and latency,
 * each input stream's group lag and pending count, and the source's adaptive_leverage_status block;
 * within {@link #REDIS_DEADLINE_MS} whatever Redis does, with the last values read when it is slow.
 */
public final class HealthCheck implements Supplier<HealthReport> {
    private static final Logger log = LoggerFactory.getLogger(HealthCheck.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    private final Settings settings;
    private final Supplier<StatefulRedisConnection<String, String>> connection;
    private final BooleanSupplier workerHealthy;
    private final Supplier<String> workerError;
    private final WorkerMetrics metrics;
    private final PnlKeys keys;
    /** SPEC §10: the node the probe is on and the sentinels, null when not told (tests). */
    private final RedisTopology topology;

    /** How long a request waits for Redis before answering with what it knows (SPEC §5: a deadline of its own). */
    static final long REDIS_DEADLINE_MS = 900;

    /** One reading of Redis: connected or not, the PING time, what went wrong, the node's role. */
    private record Reading(boolean connected, double latencyMs, String error, String role) {
        Reading(boolean connected, double latencyMs, String error) {
            this(connected, latencyMs, error, null);
        }
    }

    /** The last values read from Redis, shown (with their time) while it is unreachable. */
    private volatile ObjectNode lastStreams;
    private volatile ObjectNode lastFigures;
    private volatile long lastReadAt;
    private boolean xrangeRefused;
    private final ThreadPoolExecutor reader;
    private Future<Reading> inFlight;

    public HealthCheck(Settings settings, Supplier<StatefulRedisConnection<String, String>> connection,
                       BooleanSupplier workerHealthy, Supplier<String> workerError, WorkerMetrics metrics) {
        this(settings, connection, workerHealthy, workerError, metrics, null);
    }

    public HealthCheck(Settings settings, Supplier<StatefulRedisConnection<String, String>> connection,
                       BooleanSupplier workerHealthy, Supplier<String> workerError, WorkerMetrics metrics,
                       RedisTopology topology) {
        this.topology = topology;
        this.settings = settings;
        this.connection = connection;
        this.workerHealthy = workerHealthy;
        this.workerError = workerError;
        this.metrics = metrics;
        this.keys = new PnlKeys(settings.keyPrefix());
        this.reader = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "health-redis");
            t.setDaemon(true);
            return t;
        });
        reader.allowCoreThreadTimeOut(true);
        this.lastStreams = JSON.createObjectNode();
        for (String stream : inputs()) {
            ObjectNode unknown = lastStreams.putObject(stream);
            unknown.putNull("lag");
            unknown.putNull("pending");
        }
        this.lastFigures = JSON.createObjectNode();
        for (String field : List.of("avg_pnl_last_20", "win_rate", "total_trades", "pnl_stream_entries")) {
            lastFigures.putNull(field);
        }
    }

    private List<String> inputs() {
        return List.of(settings.streams().positionOpened(), settings.streams().tradeClosed(), settings.streams().fills());
    }

    @Override
    public HealthReport get() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode redisNode = JSON.createObjectNode();
        ObjectNode streams = JSON.createObjectNode();
        ObjectNode adaptive = JSON.createObjectNode();
        adaptive.put("enabled", settings.tuning().adaptiveEnabled());
        adaptive.put("models", 1);
        adaptive.put("volatility_source", settings.tuning().crossExchangeEnabled() ? "cross_exchange" : "default");
        Reading reading = reading();
        boolean connected = reading.connected();
        if (connected) {
            redisNode.put("latency_ms", Math.round(reading.latencyMs() * 1000) / 1000.0);
            if (reading.error() != null) {
                redisNode.put("error", reading.error());
            }
        } else {
            // Redis unreachable or slow: the same fields, with the last values read (null if none yet) and when
            if (reading.error() != null) {
                redisNode.put("error", reading.error());
            }
            redisNode.putNull("latency_ms");
            if (lastReadAt > 0) {
                redisNode.put("last_read_at", lastReadAt);
            }
        }
        streams.setAll(lastStreams);
        adaptive.setAll(lastFigures);
        redisNode.put("connected", connected);
        redisNode.put("url", settings.redisUrlMasked());
        if (topology != null) {
            topology.describe(redisNode, connection.get(), connected ? reading.role() : null);
        }
        // a node that is not the primary (a replica, an old primary demoted) is no Redis to work on
        boolean primary = reading.role() == null || reading.role().equals("master");
        boolean healthy = connected && primary && workerHealthy.getAsBoolean();
        adaptive.put("status", !connected ? "DEGRADED" : settings.tuning().adaptiveEnabled() ? "OK" : "DISABLED");
        root.put("status", healthy ? "UP" : "DOWN");
        root.set("redis", redisNode);
        root.set("streams", streams);
        ObjectNode worker = root.putObject("worker");
        worker.put("group", settings.group());
        worker.put("consumer", settings.consumer());
        worker.put("healthy", workerHealthy.getAsBoolean());
        String error = workerError.get();
        if (error != null) {
            worker.put("last_error", error);
        }
        root.set("adaptive_leverage_status", adaptive);
        return new HealthReport(healthy, root.toString());
    }

    /**
     * This request's reading of Redis, waited for {@link #REDIS_DEADLINE_MS} at most: a stalled
     * Redis (DEBUG SLEEP, a slow disk) makes /health answer 503 with what it knows, not hang. A
     * reading still under way is shared by the requests that arrive meanwhile, so a stall piles up
     * no reads on the probe connection.
     */
    private Reading reading() {
        Future<Reading> pending;
        synchronized (this) {
            if (inFlight == null || inFlight.isDone()) {
                inFlight = reader.submit(this::readRedis);
            }
            pending = inFlight;
        }
        try {
            return pending.get(REDIS_DEADLINE_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new Reading(false, 0, "no answer from Redis within " + REDIS_DEADLINE_MS + " ms");
        } catch (ExecutionException e) {
            return new Reading(false, 0, e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reading(false, 0, "interrupted");
        }
    }

    /** Reads everything /health shows from Redis; keeps the values for when it cannot. */
    private Reading readRedis() {
        StatefulRedisConnection<String, String> c = connection.get();
        if (c == null) {
            return new Reading(false, 0, null);
        }
        try {
            RedisCommands<String, String> redis = c.sync();
            long start = System.nanoTime();
            redis.ping();
            double latency = (System.nanoTime() - start) / 1_000_000.0;
            String role = topology == null ? null : RedisTopology.role(redis.info("replication"));
            if (role != null && !role.equals("master")) {
                // after a failover: reconnecting asks the sentinels for the master again
                RedisTopology.reconnect(c);
                return new Reading(true, latency, "connected to a " + role + ", not the primary", role);
            }
            ObjectNode fresh = JSON.createObjectNode();
            for (String stream : inputs()) {
                fresh.set(stream, groupInfo(redis, stream));
            }
            List<WindowEntry> window = redis.lrange(keys.window(PnlKeys.GLOBAL), 0, settings.pnlWindow() - 1)
                    .stream().map(WindowEntry::decode).toList();
            String total = redis.hget(keys.scope(PnlKeys.GLOBAL), "total_trades");
            PnlStats stats = PnlStats.of(window, total == null ? 0 : Long.parseLong(total));
            ObjectNode figures = JSON.createObjectNode();
            figures.put("avg_pnl_last_20", stats.averagePnl());
            figures.put("win_rate", stats.winRate());
            figures.put("total_trades", stats.totalTrades());
            figures.put("pnl_stream_entries", redis.xlen(settings.streams().levels()));
            lastStreams = fresh;
            lastFigures = figures;
            lastReadAt = System.currentTimeMillis() / 1000;
            return new Reading(true, latency, null, role);
        } catch (RuntimeException e) {
            return new Reading(false, 0, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private ObjectNode groupInfo(RedisCommands<String, String> redis, String stream) {
        ObjectNode node = JSON.createObjectNode();
        node.putNull("lag");
        node.put("pending", 0);
        if (redis.exists(stream) == 0) {
            node.put("group", "missing");
            return node;
        }
        boolean found = false;
        for (Object group : redis.xinfoGroups(stream)) {
            List<?> fields = (List<?>) group;
            if (!settings.group().equals(field(fields, "name"))) {
                continue;
            }
            found = true;
            Object pending = field(fields, "pending");
            Object lag = field(fields, "lag");
            if (pending instanceof Long p) {
                node.put("pending", p);
                metrics.pending(stream, p);
            }
            if (!Long.valueOf(0).equals(lag) && caughtUp(redis, stream, field(fields, "last-delivered-id"))) {
                // Redis 7.0 can report a stale lag (after a restart from its append-only file) for a
                // group that has read everything: it has none, whatever the counter says.
                node.put("lag", 0);
            } else if (lag instanceof Long l) {
                node.put("lag", l);
            }
        }
        if (!found) {
            node.put("group", "missing");
        }
        return node;
    }

    /**
     * Whether nothing follows the group's last-delivered id: one XRANGE of at most one entry, asked
     * only when Redis reports a lag (not XINFO STREAM, whose reply carries the first and last
     * entries whole, however large).
     */
    private boolean caughtUp(RedisCommands<String, String> redis, String stream, Object lastDelivered) {
        if (lastDelivered == null || xrangeRefused) {
            return false;
        }
        try {
            Range<String> after = Range.from(Range.Boundary.excluding(String.valueOf(lastDelivered)),
                    Range.Boundary.unbounded());
            return redis.xrange(stream, after, Limit.from(1)).isEmpty();
        } catch (RedisCommandExecutionException e) {
            if (!String.valueOf(e.getMessage()).startsWith("NOPERM")) {
                throw e;
            }
            xrangeRefused = true; // an ACL written for an earlier version
            log.warn("the Redis user may not run XRANGE; /health shows Redis's own lag as it is"
                    + " (see deploy/redis-acl.conf)");
            return false;
        }
    }

    private static Object field(List<?> fields, String name) {
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            if (name.equals(String.valueOf(fields.get(i)))) {
                return fields.get(i + 1);
            }
        }
        return null;
    }
}
