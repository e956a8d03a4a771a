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
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ReconnectFailedEvent;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.time.Duration;
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

    private final Settings settings;
    private final WorkerMetrics metrics = new WorkerMetrics();
    private final RedisClient client;
    private final ClientResources resources;
    private final HashedWheelTimer timer;
    private final HealthServer health;
    private final AtomicReference<StreamWorker> worker = new AtomicReference<>();
    private final AtomicReference<StatefulRedisConnection<String, String>> probe = new AtomicReference<>();
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
        RedisURI uri = redisUri(settings);
        this.client = RedisClient.create(resources, uri);
        // SPEC §10: which node each connection is on (a sentinel URL: the master found at each (re)connect)
        RedisTopology topology = new RedisTopology(uri);
        client.addListener(topology);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofMillis(
                        Math.min(settings.commandTimeoutMs(), 2000))).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(settings.commandTimeoutMs())))
                .build());
        HealthCheck check = new HealthCheck(settings, probe::get,
                () -> worker.get() != null && worker.get().healthy(),
                this::lastError, metrics, topology);
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
        StreamWorker w = worker.get();
        if (w == null) {
            return trouble == null ? "connecting to Redis" : trouble;
        }
        String error = w.lastError();
        return error == null || trouble == null ? error : trouble;
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
            StatefulRedisConnection<String, String> read = connect();
            StatefulRedisConnection<String, String> write = connect();
            StatefulRedisConnection<String, String> control = connect();
            StatefulRedisConnection<String, String> healthConnection = connect();
            if (healthConnection != null) {
                healthConnection.setTimeout(Duration.ofMillis(Math.min(settings.commandTimeoutMs(), 2000)));
                probe.set(healthConnection);
            }
            if (read == null || write == null || control == null || stopping) {
                return;
            }
            WarmUp.finish(settings, control); // hot path compiled before the first event and /health 200 (issue 10)
            StreamWorker loop = new StreamWorker(settings, read, write, control, metrics);
            worker.set(loop);
            if (stopping) {
                loop.stop();
            }
            loop.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            finished.countDown();
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
        StreamWorker w = worker.get();
        if (w != null) {
            w.stop();
        }
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
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        resources.shutdown(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2000);
        timer.stop();
    }

    private StatefulRedisConnection<String, String> connect() throws InterruptedException {
        Backoff backoff = new Backoff(100, RECONNECT_MAX_MS);
        for (int attempt = 1; !stopping; attempt++) {
            try {
                StatefulRedisConnection<String, String> connection = client.connect(Utf8Codec.INSTANCE);
                connectionTrouble = null;
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
