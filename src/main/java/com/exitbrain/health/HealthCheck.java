package com.exitbrain.health;

import com.exitbrain.config.Settings;
import com.exitbrain.pnl.PnlKeys;
import com.exitbrain.pnl.PnlStats;
import com.exitbrain.pnl.WindowEntry;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandExecutionException;
import com.exitbrain.redis.Connection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
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
    private final Supplier<Connection> connection;
    private final BooleanSupplier workerHealthy;
    private final Supplier<String> workerError;
    private final WorkerMetrics metrics;
    /** Each partition's view of the settings (SPEC §10): its streams and keys. */
    private final List<Settings> partitions;
    /** SPEC §10: the node the probe is on and the sentinels, null when not told (tests). */
    private final RedisTopology topology;

    /** How long a request waits for Redis before answering with what it knows (SPEC §5: a deadline of its own). */
    static final long REDIS_DEADLINE_MS = 900;
    /** On a cluster, a failed reading is made again this long after the connections were opened. */
    private static final long RETRY_AFTER_MS = 100;

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

    public HealthCheck(Settings settings, Supplier<Connection> connection,
                       BooleanSupplier workerHealthy, Supplier<String> workerError, WorkerMetrics metrics) {
        this(settings, connection, workerHealthy, workerError, metrics, null);
    }

    public HealthCheck(Settings settings, Supplier<Connection> connection,
                       BooleanSupplier workerHealthy, Supplier<String> workerError, WorkerMetrics metrics,
                       RedisTopology topology) {
        this.topology = topology;
        this.settings = settings;
        this.connection = connection;
        this.workerHealthy = workerHealthy;
        this.workerError = workerError;
        this.metrics = metrics;
        this.partitions = settings.partitions();
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
        return partitions.stream().flatMap(p -> inputs(p).stream()).toList();
    }

    private static List<String> inputs(Settings p) {
        return List.of(p.streams().positionOpened(), p.streams().tradeClosed(), p.streams().fills());
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
            Connection c = connection.get();
            topology.describe(redisNode, c == null ? null : c.stateful(), connected ? reading.role() : null);
        }
        // a node that is not the primary (a replica, an old primary demoted) is no Redis to work on
        boolean primary = reading.role() == null || reading.role().equals("master");
        boolean healthy = connected && primary && workerHealthy.getAsBoolean();
        adaptive.put("status", !connected ? "DEGRADED" : settings.tuning().adaptiveEnabled() ? "OK" : "DISABLED");
        root.put("status", healthy ? "UP" : "DOWN");
        root.set("redis", redisNode);
        root.set("streams", streams);
        if (settings.cluster()) {
            root.set("partitions", partitionsNode(lastStreams));
        }
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
                inFlight = reader.submit((java.util.concurrent.Callable<Reading>) this::readRedis);
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
        Connection c = connection.get();
        if (c == null) {
            return new Reading(false, 0, null);
        }
        Reading reading = readRedis(c);
        if (!reading.connected() && c.cluster()) {
            // after a failover the probe's connection to a partition's new master opens on first
            // use, and that first command is refused: open them, and read once more
            partitions.forEach(p -> c.afterFailure(p.streams().positionOpened()));
            try {
                Thread.sleep(RETRY_AFTER_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return reading;
            }
            reading = readRedis(c);
        }
        return reading;
    }

    private Reading readRedis(Connection c) {
        try {
            RedisClusterCommands<String, String> redis = c.sync();
            long start = System.nanoTime();
            redis.ping();
            double latency = (System.nanoTime() - start) / 1_000_000.0;
            // a cluster routes each command to its slot's master: no one node's role to check
            String role = topology == null || c.cluster() ? null : RedisTopology.role(redis.info("replication"));
            if (role != null && !role.equals("master")) {
                // after a failover: reconnecting asks the sentinels for the master again
                RedisTopology.reconnect(c.stateful());
                return new Reading(true, latency, "connected to a " + role + ", not the primary", role);
            }
            ObjectNode fresh = JSON.createObjectNode();
            for (String stream : inputs()) {
                fresh.set(stream, groupInfo(redis, stream));
            }
            ObjectNode figures = JSON.createObjectNode();
            long entries = 0;
            long totalTrades = 0;
            PnlStats stats = null;
            for (Settings p : partitions) {
                PnlKeys keys = new PnlKeys(p.keyPrefix());
                String total = redis.hget(keys.scope(PnlKeys.GLOBAL), "total_trades");
                totalTrades += total == null ? 0 : Long.parseLong(total);
                entries += redis.xlen(p.streams().levels());
                if (partitions.size() == 1) {
                    List<WindowEntry> window = redis.lrange(keys.window(PnlKeys.GLOBAL), 0, settings.pnlWindow() - 1)
                            .stream().map(WindowEntry::decode).toList();
                    stats = PnlStats.of(window, totalTrades);
                }
            }
            if (stats == null) { // SPEC §10: N > 1 keeps no global window
                figures.putNull("avg_pnl_last_20");
                figures.putNull("win_rate");
            } else {
                figures.put("avg_pnl_last_20", stats.averagePnl());
                figures.put("win_rate", stats.winRate());
            }
            figures.put("total_trades", totalTrades);
            figures.put("pnl_stream_entries", entries);
            lastStreams = fresh;
            lastFigures = figures;
            lastReadAt = System.currentTimeMillis() / 1000;
            return new Reading(true, latency, null, role);
        } catch (RuntimeException e) {
            return new Reading(false, 0, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * SPEC §10's health per partition: its tag, the slot the tag hashes to, and the lag and pending
     * count of its inputs, summed (null while a lag is unknown), beside the streams themselves.
     */
    private ArrayNode partitionsNode(ObjectNode streams) {
        ArrayNode out = JSON.createArrayNode();
        for (Settings p : partitions) {
            ObjectNode node = out.addObject();
            node.put("partition", p.partitioning().index());
            node.put("tag", p.partitioning().tag());
            node.put("slot", io.lettuce.core.cluster.SlotHash.getSlot(p.partitioning().tag()));
            long lag = 0;
            long pending = 0;
            boolean lagKnown = true;
            boolean pendingKnown = true;
            ObjectNode own = node.putObject("streams");
            for (String stream : inputs(p)) {
                JsonNode s = streams.path(stream);
                own.set(stream, s.deepCopy());
                lagKnown &= s.path("lag").isNumber();
                pendingKnown &= s.path("pending").isNumber();
                lag += s.path("lag").asLong();
                pending += s.path("pending").asLong();
            }
            if (lagKnown) { // null, as for a stream, while Redis cannot tell
                node.put("lag", lag);
            } else {
                node.putNull("lag");
            }
            if (pendingKnown) {
                node.put("pending", pending);
            } else {
                node.putNull("pending");
            }
        }
        return out;
    }

    private ObjectNode groupInfo(RedisClusterCommands<String, String> redis, String stream) {
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
    private boolean caughtUp(RedisClusterCommands<String, String> redis, String stream, Object lastDelivered) {
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
