package com.exitbrain.stream;

import ch.qos.logback.classic.Level;
import com.exitbrain.config.Settings;
import com.exitbrain.config.SettingsLoader;
import com.exitbrain.health.HealthCheck;
import com.exitbrain.health.HealthServer;
import com.exitbrain.health.WorkerMetrics;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Wires the daemon (SPEC §4–§7): health port, Redis connections, the worker loop on the calling
 * thread, and SIGTERM/SIGINT handling that stops reading, lets the batch in flight finish and
 * returns exit status 0 within the shutdown timeout.
 */
public final class Daemon {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    private Daemon() {
    }

    public static int run(Settings settings) throws Exception {
        setLogLevel(settings.logLevel());
        log.info("ExitBrain starting: {}", SettingsLoader.describe(settings));
        WorkerMetrics metrics = new WorkerMetrics();
        RedisClient client = RedisClient.create(redisUri(settings));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofMillis(
                        Math.min(settings.commandTimeoutMs(), 2000))).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(settings.commandTimeoutMs())))
                .build());
        AtomicReference<StreamWorker> worker = new AtomicReference<>();
        AtomicReference<StatefulRedisConnection<String, String>> healthConnection = new AtomicReference<>();
        Stopper stopper = new Stopper(settings, worker);
        Signal.handle(new Signal("TERM"), s -> stopper.stop("SIGTERM"));
        Signal.handle(new Signal("INT"), s -> stopper.stop("SIGINT"));

        HealthCheck check = new HealthCheck(settings, healthConnection::get,
                () -> worker.get() != null && worker.get().healthy(),
                () -> worker.get() == null ? "connecting to Redis" : worker.get().lastError(), metrics);
        try (HealthServer health = new HealthServer(settings.healthBind(), settings.healthPort(), check, metrics)) {
            log.info("health port listening on http://{}:{}/health", settings.healthBind(), health.port());
            StatefulRedisConnection<String, String> read = connect(client, stopper);
            StatefulRedisConnection<String, String> write = connect(client, stopper);
            StatefulRedisConnection<String, String> control = connect(client, stopper);
            StatefulRedisConnection<String, String> probe = connect(client, stopper);
            if (probe != null) {
                probe.setTimeout(Duration.ofMillis(Math.min(settings.commandTimeoutMs(), 2000)));
                healthConnection.set(probe);
            }
            if (read != null && write != null && control != null && !stopper.stopping()) {
                StreamWorker loop = new StreamWorker(settings, read, write, control, metrics);
                worker.set(loop);
                if (stopper.stopping()) {
                    loop.stop();
                }
                log.info("consuming {} and {} as {} in group {}", settings.streams().positionOpened(),
                        settings.streams().tradeClosed(), settings.consumer(), settings.group());
                loop.run();
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
        log.info("ExitBrain stopped");
        return 0;
    }

    /** Connects, retrying with backoff while Redis is unreachable; null when asked to stop first. */
    private static StatefulRedisConnection<String, String> connect(RedisClient client, Stopper stopper)
            throws InterruptedException {
        long backoff = 100;
        while (!stopper.stopping()) {
            try {
                return client.connect();
            } catch (RuntimeException e) {
                log.warn("cannot connect to Redis ({}); retrying in {} ms", e.getMessage(), backoff);
                Thread.sleep(backoff);
                backoff = Math.min(5000, backoff * 2);
            }
        }
        return null;
    }

    static RedisURI redisUri(Settings settings) {
        RedisURI uri = RedisURI.create(settings.redisUrl());
        uri.setTimeout(Duration.ofMillis(settings.commandTimeoutMs()));
        return uri;
    }

    private static void setLogLevel(String level) {
        if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(Level.toLevel(level, Level.INFO));
        }
    }

    /** Signal side: stop reading, and exit anyway once the shutdown timeout has passed. */
    private static final class Stopper {
        private final Settings settings;
        private final AtomicReference<StreamWorker> worker;
        private volatile boolean stopping;

        Stopper(Settings settings, AtomicReference<StreamWorker> worker) {
            this.settings = settings;
            this.worker = worker;
        }

        boolean stopping() {
            return stopping;
        }

        void stop(String why) {
            if (stopping) {
                return;
            }
            stopping = true;
            log.info("{} received: finishing the batch in flight", why);
            StreamWorker w = worker.get();
            if (w != null) {
                w.stop();
            }
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(settings.shutdownTimeoutMs());
                    log.warn("shutdown timeout of {} ms passed; exiting, unfinished entries stay pending",
                            settings.shutdownTimeoutMs());
                    Runtime.getRuntime().halt(0);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "shutdown-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }
    }
}
