package com.exitbrain.app;

import com.exitbrain.stream.StreamWorker;

import ch.qos.logback.classic.Level;
import com.exitbrain.config.ConfigurationError;
import com.exitbrain.config.Settings;
import com.exitbrain.config.SettingsLoader;
import com.exitbrain.health.HealthCheck;
import com.exitbrain.redis.Backoff;
import com.exitbrain.redis.RedisRefusal;
import com.exitbrain.redis.Utf8Codec;
import com.exitbrain.health.HealthServer;
import com.exitbrain.health.RedisTopology;
import com.exitbrain.health.WorkerMetrics;
import com.exitbrain.redis.Connection;
import com.exitbrain.redis.TopologyRefresh;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ReconnectFailedEvent;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The daemon (SPEC §4–§7): health port, Redis connections (retried with backoff while Redis is
 * unreachable), and the worker loop. {@link #run(Settings)} is the process entry point with its
 * SIGTERM/SIGINT handling; tests start and stop instances in-process.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);
    private static final long TIMER_TICK_MS = 10;
    /** Longest wait between two connection attempts while Redis is unreachable. */
    private static final long RECONNECT_MAX_MS = 1000;
    /** The shutdown watchdog ends the process this long before the timeout (half of it at most). */
    private static final long SHUTDOWN_MARGIN_MS = 500;
    /** While Redis stays unreachable at start-up, one warning per this many attempts (about 30 s). */
    private static final int CONNECT_WARN_EVERY = 30;
    /** While Redis refuses the credentials of reconnecting connections, one error line this often. */
    private static final long REFUSAL_LOG_EVERY_MS = 30_000;
    /** Refreshes of a cluster's topology asked for by failing workers: one per this many milliseconds at most. */
    private static final long CLUSTER_REFRESH_MIN_MS = 200;

    private final Settings settings;
    private final WorkerMetrics metrics = new WorkerMetrics();
    /** A {@link RedisClient} (standalone, Sentinel) or a {@link RedisClusterClient} (SPEC §10). */
    private final AbstractRedisClient client;
    private final ClientResources resources;
    /** On a cluster, the topology refresh a failing worker asks for; null for one Redis. */
    private final TopologyRefresh refreshTopology;
    private final HashedWheelTimer timer;
    private final HealthServer health;
    /** One worker per partition (SPEC §10), each on its own connections; empty until connected. */
    private final AtomicReference<List<StreamWorker>> workers = new AtomicReference<>(List.of());
    private final AtomicReference<Connection> probe = new AtomicReference<>();
    /** Every connection opened, closed before the client shuts down. */
    private final List<Connection> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    /** Why Redis cannot be reached or used right now (null when it can): /health's last_error. */
    private volatile String connectionTrouble;
    private String refusalLogged;
    private long refusalLoggedAt;

    public Daemon(Settings settings) throws IOException {
        this.settings = settings;
        // Lettuce arms a command-timeout task per command on this timer; a completed command's task is
        // only dropped at the timer's next tick, and with it the command and its arguments. At the
        // default 100 ms tick every script call of the last tenth of a second is still reachable at
        // each young collection, and gets promoted: with the unit's small heap that meant a full GC
        // about every second. A 10 ms tick lets them die young.
        this.timer = new HashedWheelTimer(new DefaultThreadFactory("lettuce-timer", true), TIMER_TICK_MS,
                TimeUnit.MILLISECONDS);
        // Lettuce's default reconnect delay grows to 30 s: after a long outage the worker would stay
        // down (and /health 503) for up to half a minute with Redis back. 1 s at most.
        this.resources = DefaultClientResources.builder().timer(timer)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofMillis(RECONNECT_MAX_MS), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        // A connection that lettuce re-opens after a drop runs the handshake again: credentials
        // rotated under the worker surface only here, the commands merely see "not connected".
        resources.eventBus().get().subscribe(event -> {
            if (event instanceof ReconnectFailedEvent failed) {
                reconnectFailed(failed.getCause());
            } else if (event instanceof ConnectionActivatedEvent) {
                connectionTrouble = null;
            }
        });
        RedisClients clients = RedisClients.create(settings, resources);
        this.client = clients.client();
        RedisTopology topology = clients.topology();
        if (client instanceof RedisClusterClient cluster) {
            this.refreshTopology = new TopologyRefresh(cluster, CLUSTER_REFRESH_MIN_MS);
        } else {
            this.refreshTopology = null;
        }
        HealthCheck check = new HealthCheck(settings, probe::get, this::workersHealthy, this::lastError, metrics,
                topology);
        this.health = new HealthServer(settings.healthBind(), settings.healthPort(), check, metrics);
        log.info("health port listening on http://{}:{}/health", settings.healthBind(), health.port());
        if (!health.loopbackOnly()) {
            log.warn("the health port is reachable beyond this host (HEALTH_BIND={}{}): /health and /metrics"
                    + " answer anyone who can reach port {}; restrict it with a firewall", settings.healthBind(),
                    health.allInterfaces() ? ", every IPv4 and IPv6 interface" : "", health.port());
        }
    }

    /** The process entry point: runs until SIGTERM or SIGINT, then returns exit status 0. */
    public static int run(Settings settings) throws Exception {
        setLogLevel(settings.logLevel());
        log.info("ExitBrain starting: {}", SettingsLoader.describe(settings));
        try (Daemon daemon = new Daemon(settings)) {
            Signal.handle(new Signal("TERM"), s -> daemon.requestStop("SIGTERM", true));
            Signal.handle(new Signal("INT"), s -> daemon.requestStop("SIGINT", true));
            daemon.runLoop();
        }
        log.info("ExitBrain stopped");
        return 0;
    }

    /** Starts the loop on a thread of its own (tests). */
    public Daemon start() {
        Thread t = new Thread(this::runLoop, "exitbrain-worker");
        t.start();
        return this;
    }

    public int healthPort() {
        return health.port();
    }

    public WorkerMetrics metrics() {
        return metrics;
    }

    /**
     * For /health: the worker's last error, unless the connections are down for a reason of their
     * own (refused credentials, refused connection), which says more than "not connected".
     */
    private String lastError() {
        String trouble = connectionTrouble;
        List<StreamWorker> all = workers.get();
        if (all.isEmpty()) {
            return trouble == null ? "connecting to Redis" : trouble;
        }
        String error = all.stream().map(StreamWorker::lastError).filter(Objects::nonNull).findFirst().orElse(null);
        return error == null || trouble == null ? error : trouble;
    }

    /** Healthy when every partition's worker is. */
    private boolean workersHealthy() {
        List<StreamWorker> all = workers.get();
        return !all.isEmpty() && all.stream().allMatch(StreamWorker::healthy);
    }

    private synchronized void reconnectFailed(Throwable cause) {
        RedisRefusal refusal = RedisRefusal.in(cause);
        if (refusal == null) {
            connectionTrouble = "cannot reconnect to Redis: " + RedisRefusal.describe(cause);
            return;
        }
        String text = "authentication failure: " + describe(refusal, cause);
        connectionTrouble = text;
        long now = System.currentTimeMillis();
        if (!text.equals(refusalLogged) || now - refusalLoggedAt >= REFUSAL_LOG_EVERY_MS) {
            log.error("{}; retrying every {} ms at most", text, RECONNECT_MAX_MS);
            refusalLogged = text;
            refusalLoggedAt = now;
        }
    }

    /**
     * Connects and runs the worker on the calling thread until a stop is requested.
     *
     * @throws ConfigurationError when Redis refuses the credentials or a command the worker needs
     */
    public void runLoop() {
        try {
            // per partition: the blocking read, the pipelined commits, the control commands
            List<Settings> partitions = settings.partitions();
            List<Connection[]> links = new ArrayList<>();
            for (int p = 0; p < partitions.size() && !stopping; p++) {
                Connection[] three = {connect(), connect(), connect()};
                links.add(three);
            }
            Connection healthConnection = connect();
            if (healthConnection != null) {
                healthConnection.setTimeout(Duration.ofMillis(Math.min(settings.commandTimeoutMs(), 2000)));
                probe.set(healthConnection);
            }
            if (stopping || links.size() < partitions.size()
                    || links.stream().flatMap(java.util.Arrays::stream).anyMatch(Objects::isNull)) {
                return;
            }
            WarmUp.finish(settings, links.get(0)[2]); // hot path compiled before the first event and /health 200 (issue 10)
            List<StreamWorker> loops = new ArrayList<>();
            for (int p = 0; p < partitions.size(); p++) {
                Connection[] c = links.get(p);
                loops.add(new StreamWorker(partitions.get(p), c[0], c[1], c[2], metrics));
            }
            workers.set(List.copyOf(loops));
            if (stopping) {
                loops.forEach(StreamWorker::stop);
            }
            runAll(loops);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            finished.countDown();
        }
    }

    /**
     * Runs partition 0's loop here and every other partition's on a thread of its own, until all
     * have stopped; a configuration error found by any of them stops them all and is thrown here.
     */
    private void runAll(List<StreamWorker> loops) throws InterruptedException {
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int p = 1; p < loops.size(); p++) {
            StreamWorker loop = loops.get(p);
            Thread t = new Thread(() -> {
                try {
                    loop.run();
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                    loops.forEach(StreamWorker::stop);
                }
            }, "exitbrain-worker-p" + p);
            t.start();
            threads.add(t);
        }
        try {
            loops.get(0).run();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
            loops.forEach(StreamWorker::stop);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /**
     * Stops reading; the batch in flight finishes and is acknowledged. With {@code watchdog}, the
     * process is ended anyway once the shutdown timeout has passed.
     */
    public void requestStop(String why, boolean watchdog) {
        if (stopping) {
            return;
        }
        stopping = true;
        log.info("{}: stopping after the batch in flight", why);
        workers.get().forEach(StreamWorker::stop);
        if (watchdog) {
            // the process must be gone *within* the timeout: halting takes a few hundred ms of its own
            // (measured 330 ms with Redis frozen), so the watchdog fires that much earlier
            long margin = Math.min(SHUTDOWN_MARGIN_MS, settings.shutdownTimeoutMs() / 2);
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(settings.shutdownTimeoutMs() - margin);
                    log.warn("shutdown timeout of {} ms about to pass; exiting now, unfinished entries stay pending",
                            settings.shutdownTimeoutMs());
                    Runtime.getRuntime().halt(0);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "shutdown-watchdog");
            t.setDaemon(true);
            t.start();
        }
    }

    @Override
    public void close() {
        if (finished.getCount() == 0) {
            stopping = true; // the loop has ended (a configuration error): nothing in flight to announce
        } else {
            requestStop("closing", false);
        }
        try {
            finished.await(settings.shutdownTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        health.close();
        opened.forEach(Connection::close); // a cluster connection's own node connections with it
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        resources.shutdown(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2000);
        timer.stop();
    }

    private Connection connect() throws InterruptedException {
        Backoff backoff = new Backoff(100, RECONNECT_MAX_MS);
        for (int attempt = 1; !stopping; attempt++) {
            try {
                Connection connection = client instanceof RedisClusterClient cluster
                        ? ready(Connection.of(cluster.connect(Utf8Codec.INSTANCE), refreshTopology))
                        : Connection.of(((RedisClient) client).connect(Utf8Codec.INSTANCE));
                connectionTrouble = null;
                opened.add(connection);
                return connection;
            } catch (RuntimeException e) {
                RedisRefusal refusal = RedisRefusal.in(e);
                if (refusal != null) { // at start-up: a configuration error, not worth a restart loop
                    throw new ConfigurationError(describe(refusal, e));
                }
                connectionTrouble = "cannot connect to Redis: " + RedisRefusal.describe(e);
                if (attempt % CONNECT_WARN_EVERY == 1) {
                    log.warn("{}; attempt {}, retrying every {} ms at most", connectionTrouble, attempt,
                            RECONNECT_MAX_MS);
                }
                long until = System.currentTimeMillis() + backoff.next();
                while (!stopping && System.currentTimeMillis() < until) {
                    Thread.sleep(20);
                }
            }
        }
        return null;
    }

    /**
     * A new cluster connection opens its node connections in the background: its first commands
     * are rejected as "not connected" for a moment. Returned once it answers a PING and a read of
     * a key of each partition's slot (within the connect timeout), else closed and the failure
     * thrown, for {@link #connect} to retry.
     */
    private Connection ready(Connection connection) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(settings.commandTimeoutMs(), 2000));
        while (true) {
            try {
                connection.sync().ping();
                for (Settings p : settings.partitions()) { // each partition's master: a key of its slot
                    connection.sync().exists(p.streams().positionOpened());
                }
                return connection;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline || RedisRefusal.in(e) != null) {
                    connection.close();
                    throw e;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    connection.close();
                    throw e;
                }
            }
        }
    }

    /** A refusal by the sentinels names their own credentials (SPEC §10), one by a data node REDIS_URL. */
    private String describe(RedisRefusal refusal, Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (String.valueOf(c.getMessage()).contains("Redis Sentinel")) {
                return com.exitbrain.config.SentinelSettings.refused(refusal.reply(), settings.sentinel());
            }
        }
        return refusal.describe(settings.redisUrlMasked());
    }

    public static RedisURI redisUri(Settings settings) {
        RedisURI uri = RedisURI.create(settings.redisUrl());
        uri.setTimeout(Duration.ofMillis(settings.commandTimeoutMs()));
        if (settings.sentinel() != null) {
            settings.sentinel().applyTo(uri); // REDIS_SENTINEL_USER / REDIS_SENTINEL_PASSWORD
        }
        return uri;
    }

    private static void setLogLevel(String level) {
        if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(Level.toLevel(level, Level.INFO));
        }
    }
}
