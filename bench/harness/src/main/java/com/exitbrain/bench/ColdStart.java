package com.exitbrain.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A freshly launched worker: the time from launch to the first HTTP 200 of {@code /health} (the
 * moment it says it is up), then the end-to-end latency of position-opened events sent at the rate
 * from that first 200 on, for {@code seconds} (p50, p99, max, and when the last one later than
 * 50 ms was due). Nothing is warm but what the worker warms itself. With {@code underLoad} the
 * producer already sends from the launch, as a restart in production meets it: a backlog builds up
 * while the JVM starts, and the events due after the first 200 wait behind it.
 */
final class ColdStart {
    private static final String PREFIX = "cold-";
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long HEALTH_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long HEALTH_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long SETTLED_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long DRAIN_GRACE_MILLIS = TimeUnit.SECONDS.toMillis(30);

    /** Launches the worker with its health port at {@code port}. */
    interface Launcher {
        JavaChild start(String consumer, int healthPort) throws Exception;
    }

    record Result(int rate, int seconds, boolean underLoad, double launchToHealthySeconds, long backlogAtHealthy, long sent,
                  long received, double p50Ms, double p99Ms, double maxMs, double behindUntilSeconds, long redisClockP99Ms,
                  long peakRssKib) {
    }

    private final RedisClient client;
    private final RedisAdmin redis;

    ColdStart(RedisClient client, RedisAdmin redis) {
        this.client = client;
        this.redis = redis;
    }

    Result run(Launcher launcher, int rate, int seconds, boolean underLoad) throws Exception {
        redis.flush();
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        // room for a minute of start-up plus the measured seconds
        int capacity = Math.multiplyExact(rate, seconds + 60);
        long[] latencies = new long[capacity];
        long[] bySequence = new long[capacity];
        long[] redisClockMillis = new long[capacity];
        long[] scheduledBySequence = new long[capacity];
        AtomicLong received = new AtomicLong();
        String tag = PREFIX + Long.toString(System.nanoTime(), 36) + "-";
        Events events = new Events(11);
        Progress.say("cold start: producer at %,d events/s from the worker's %s; measured %d s from its first"
                + " /health 200", rate, underLoad ? "launch" : "first /health 200", seconds);
        try (StatefulRedisConnection<String, String> out = client.connect();
             StatefulRedisConnection<String, String> in = client.connect(new PositionIdCodec())) {
            RedisAsyncCommands<String, String> producer = out.async();
            RedisCommands<String, String> reader = in.sync();
            Thread readerThread = new Thread(() -> Latency.read(reader, "0-0", tag, latencies, bySequence,
                    redisClockMillis, received, capacity), "cold-start-reader");
            readerThread.setDaemon(true);
            readerThread.start();
            out.setAutoFlushCommands(false);
            warmProducer(out, new Events(12));
            long launched = System.nanoTime();
            try (JavaChild worker = launcher.start("worker-cold-start", port)) {
                // polled on a thread of its own, so that a slow answer does not hold the producer up
                AtomicLong firstOk = new AtomicLong();
                Thread poller = new Thread(() -> {
                    while (firstOk.get() == 0 && !Thread.currentThread().isInterrupted()) {
                        if (healthOk(port)) {
                            firstOk.set(System.nanoTime());
                        } else {
                            LockSupport.parkNanos(HEALTH_POLL_NANOS);
                        }
                    }
                }, "cold-start-health");
                poller.setDaemon(true);
                poller.start();
                long healthy = 0;
                long end = Long.MAX_VALUE;
                int sent = 0;
                int firstMeasured = -1;
                long base = launched;
                if (!underLoad) {
                    while (firstOk.get() == 0) {
                        worker.requireAlive();
                        if (System.nanoTime() - launched > HEALTH_DEADLINE_NANOS) {
                            throw new IllegalStateException("no /health 200 within 60 s of launch");
                        }
                        LockSupport.parkNanos(TICK_NANOS);
                    }
                    base = firstOk.get();
                }
                for (long tick = 0; ; tick++) {
                    long scheduled = base + tick * TICK_NANOS;
                    if (scheduled >= end) {
                        break;
                    }
                    long wait;
                    while ((wait = scheduled - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    long due = Math.min(capacity, (tick + 1) * rate / 1000);
                    for (; sent < due; sent++) {
                        scheduledBySequence[sent] = scheduled;
                        producer.xadd(Keys.POSITIONS, events.position(tag + sent + "-" + scheduled));
                    }
                    out.flushCommands();
                    if (healthy == 0 && firstOk.get() != 0) {
                        healthy = firstOk.get();
                        end = healthy + TimeUnit.SECONDS.toNanos(seconds);
                        // the events due from the first 200 on are measured
                        firstMeasured = sent;
                        while (firstMeasured > 0 && scheduledBySequence[firstMeasured - 1] >= healthy) {
                            firstMeasured--;
                        }
                        Progress.say("  first /health 200 %.2f s after launch, %,d events sent by then",
                                (healthy - launched) / 1e9, firstMeasured);
                    } else if (healthy == 0 && tick % 100 == 0) {
                        worker.requireAlive();
                        if (scheduled - launched > HEALTH_DEADLINE_NANOS) {
                            throw new IllegalStateException("no /health 200 within 60 s of launch");
                        }
                    }
                    if (sent >= capacity) {
                        throw new IllegalStateException("cold start: more than " + capacity + " events sent");
                    }
                }
                int total = sent;
                long deadline = System.currentTimeMillis() + DRAIN_GRACE_MILLIS;
                while (received.get() < total && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
                readerThread.interrupt();
                long peakRss = worker.peakRssKib();
                worker.stop();
                // the events due from the first 200 on; one never received counts as infinitely late
                long[] measured = Arrays.copyOfRange(bySequence, firstMeasured, total);
                long got = Arrays.stream(measured).filter(v -> v > 0).count();
                for (int i = 0; i < measured.length; i++) {
                    if (measured[i] <= 0) {
                        measured[i] = Long.MAX_VALUE;
                    }
                }
                double behind = 0;
                for (int seq = total - 1; seq >= firstMeasured; seq--) {
                    if (bySequence[seq] <= 0 || bySequence[seq] > SETTLED_NANOS) {
                        behind = (scheduledBySequence[seq] - healthy) / 1e9;
                        break;
                    }
                }
                long[] sorted = measured.clone();
                Arrays.sort(sorted);
                Result r = new Result(rate, seconds, underLoad, (healthy - launched) / 1e9, firstMeasured, measured.length, got,
                        Latency.percentile(sorted, 0.50), Latency.percentile(sorted, 0.99),
                        sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6, behind,
                        redisClockP99(redisClockMillis, (int) received.get()), peakRss);
                Progress.say("  first %d s after it: p50 %.3f ms, p99 %.3f ms, max %.3f ms; later than 50 ms until"
                                + " %.2f s after it; %,d/%,d received; on Redis's clock (input id -> output id) p99 %d ms",
                        seconds, r.p50Ms(), r.p99Ms(), r.maxMs(), r.behindUntilSeconds(), r.received(), r.sent(),
                        r.redisClockP99Ms());
                return r;
            }
        }
    }

    /** The p99 of input id -> output id (Redis's clock, 1 ms) of what was received: the worker's share, the harness's left out. */
    private static long redisClockP99(long[] redisClockMillis, int received) {
        if (received == 0) {
            return -1;
        }
        long[] sorted = Arrays.copyOf(redisClockMillis, received);
        Arrays.sort(sorted);
        return sorted[Math.min(received - 1, (int) Math.ceil(received * 0.99) - 1)];
    }

    /**
     * The producer's own code path (event making, Lettuce's XADD, flushes) run for a while into a
     * scratch stream no worker reads, before the launch: a cold harness producer falls behind its
     * schedule in its first second, and that counts as the worker's latency (events are stamped
     * with their scheduled time).
     */
    private static void warmProducer(StatefulRedisConnection<String, String> out, Events events) {
        RedisAsyncCommands<String, String> producer = out.async();
        String scratch = "bench:cold-start:producer-warm-up";
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (int i = 0; System.nanoTime() < until; i++) {
            for (int n = 0; n < 50; n++) {
                producer.xadd(scratch, events.position("warm-" + i + "-" + n));
            }
            out.flushCommands();
            LockSupport.parkNanos(TICK_NANOS);
        }
        producer.del(scratch);
        out.flushCommands();
    }

    /** One GET /health; true on HTTP 200. A refused connection (not listening yet) is false. */
    private static boolean healthOk(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(1000);
            OutputStream os = s.getOutputStream();
            os.write(("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            os.flush();
            InputStream is = s.getInputStream();
            byte[] head = is.readNBytes(12);
            return new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
        } catch (IOException e) {
            return false;
        }
    }
}
