package com.exitbrain.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * End-to-end latency at a fixed rate: a producer XADDs position-opened events on a schedule, every
 * millisecond the events due (5 at 5,000/s) in one flush, each carrying the scheduled send time in
 * its position_id (which the worker echoes); a reader blocked in XREAD on the levels stream takes
 * the difference when the level set becomes visible. Stamping the schedule, not the actual send,
 * keeps a stalled producer from hiding a stalled worker; sending per millisecond rather than per
 * event keeps the producer's wake-ups (and its share of the two cores) small.
 * A warm-up run comes first; the worker's heap after a full GC is taken between the warm-up and the
 * measured run, and after it, with the producer quiet.
 */
final class Latency {
    private static final String PREFIX = "lat-";
    /** The producer sends the events due every millisecond together, as one burst. */
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long TICKS_PER_SECOND = 1000;
    private static final long DRAIN_GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** Far above the steady state's worst (about 20 ms here): an event this late means a backlog. */
    private static final long SETTLED_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    record Result(String name, int rate, int seconds, long sent, long received, long errors, double p50Ms,
                  double p99Ms, double p999Ms, double maxMs, long heapStartKib, long heapEndKib, long peakRssKib,
                  List<Long> rssSamplesKib, double workerBusy, double redisBusy, double harnessBusy,
                  double redisP50Ms, double redisP99Ms, double redisP999Ms, double cpuStall,
                  int warmupSeconds, double warmupP50Ms, double warmupP99Ms, double warmupSettledSeconds) {
    }

    private final RedisClient client;
    private final RedisAdmin redis;
    private final long redisPid;

    Latency(RedisClient client, RedisAdmin redis, long redisPid) {
        this.client = client;
        this.redis = redis;
        this.redisPid = redisPid;
    }

    Result run(String name, Drain.Launcher launcher, int rate, int warmupSeconds, int seconds) throws Exception {
        redis.flush();
        String consumer = "worker-" + name;
        try (JavaChild worker = launcher.start(consumer)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!redis.consumerExists(Keys.POSITIONS, Keys.GROUP, consumer)) {
                worker.requireAlive();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the worker did not start reading within 60 s");
                }
                Thread.sleep(20);
            }
            Events events = new Events(7);
            double warmupP50 = Double.NaN;
            double warmupP99 = Double.NaN;
            double warmupSettled = Double.NaN;
            if (warmupSeconds > 0) {
                Progress.say("%s: warm-up, %,d events/s for %d s", name, rate, warmupSeconds);
                Run warmup = send(events, rate, warmupSeconds, worker, false);
                long[] sortedWarmup = Arrays.copyOf(warmup.latencies, (int) warmup.received);
                Arrays.sort(sortedWarmup);
                warmupP50 = percentile(sortedWarmup, 0.50);
                warmupP99 = percentile(sortedWarmup, 0.99);
                warmupSettled = settledSeconds(warmup.bySequence, rate);
                Progress.say("  warm-up (a fresh JVM, still compiling): p50 %.3f ms, p99 %.3f ms; no event over %d ms"
                        + " after the first %.1f s", warmupP50, warmupP99, TimeUnit.NANOSECONDS.toMillis(SETTLED_NANOS),
                        warmupSettled);
            }
            long heapStart = worker.heapAfterGcKib();
            Progress.say("%s: %,d events/s for %d s (heap after GC at start: %,d KiB)", name, rate, seconds, heapStart);
            long self = ProcessHandle.current().pid();
            double workerCpu = ProcCpu.seconds(worker.pid());
            double redisCpu = ProcCpu.seconds(redisPid);
            double harnessCpu = ProcCpu.seconds(self);
            long stallBefore = Machine.cpuStallMicros();
            long started = System.nanoTime();
            Run measured = send(events, rate, seconds, worker, true);
            double wall = (System.nanoTime() - started) / 1e9;
            workerCpu = (ProcCpu.seconds(worker.pid()) - workerCpu) / wall;
            redisCpu = (ProcCpu.seconds(redisPid) - redisCpu) / wall;
            harnessCpu = (ProcCpu.seconds(self) - harnessCpu) / wall;
            long stallAfter = Machine.cpuStallMicros();
            double cpuStall = stallBefore < 0 || stallAfter < 0 ? Double.NaN : (stallAfter - stallBefore) / 1e6 / wall;
            long heapEnd = worker.heapAfterGcKib();
            long peakRss = worker.peakRssKib();
            worker.stop();
            long[] sorted = Arrays.copyOf(measured.latencies, (int) measured.received);
            Arrays.sort(sorted);
            long[] inRedis = Arrays.copyOf(measured.redisClockMillis, (int) measured.received);
            Arrays.sort(inRedis);
            Result r = new Result(name, rate, seconds, measured.sent, measured.received, measured.errors,
                    percentile(sorted, 0.50), percentile(sorted, 0.99), percentile(sorted, 0.999),
                    sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6, heapStart, heapEnd, peakRss,
                    measured.rssSamples, workerCpu, redisCpu, harnessCpu, percentile(inRedis, 0.50) * 1e6,
                    percentile(inRedis, 0.99) * 1e6, percentile(inRedis, 0.999) * 1e6, cpuStall, warmupSeconds,
                    warmupP50, warmupP99, warmupSettled);
            Progress.say("  p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms; %,d/%,d received; peak RSS %,d KiB,"
                            + " heap after GC %,d -> %,d KiB; busy (share of a core): worker %.0f%%, redis %.0f%%,"
                            + " harness %.0f%%", r.p50Ms(), r.p99Ms(), r.p999Ms(), r.maxMs(), r.received(), r.sent(),
                    peakRss, heapStart, heapEnd, 100 * workerCpu, 100 * redisCpu, 100 * harnessCpu);
            Progress.say("  input id -> output id on Redis's clock (1 ms resolution): p50 %.0f ms, p99 %.0f ms,"
                    + " p99.9 %.0f ms; some task waited for a CPU %.0f%% of the time", r.redisP50Ms(), r.redisP99Ms(),
                    r.redisP999Ms(), 100 * cpuStall);
            return r;
        }
    }

    private record Run(long sent, long received, long errors, long[] latencies, long[] bySequence,
                       long[] redisClockMillis, List<Long> rssSamples) {
    }

    /**
     * Seconds into the run at which the last event slower than {@link #SETTLED_NANOS} was due: from
     * then on every event met the target. An event never received counts as slow.
     */
    private static double settledSeconds(long[] bySequence, int rate) {
        for (int seq = bySequence.length - 1; seq >= 0; seq--) {
            if (bySequence[seq] <= 0 || bySequence[seq] > SETTLED_NANOS) {
                return (seq + 1) / (double) rate;
            }
        }
        return 0;
    }

    /** Sends {@code rate × seconds} events on schedule and waits until each one's levels are visible. */
    private Run send(Events events, int rate, int seconds, JavaChild worker, boolean sampleRss) throws Exception {
        int total = Math.multiplyExact(rate, seconds);
        long[] latencies = new long[total];
        long[] bySequence = new long[total];
        long[] redisClockMillis = new long[total];
        AtomicLong received = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        String runTag = Long.toString(System.nanoTime(), 36);
        String tag = PREFIX + runTag + "-";
        List<Long> rssSamples = new ArrayList<>();
        try (StatefulRedisConnection<String, String> out = client.connect();
             StatefulRedisConnection<String, String> in = client.connect(new PositionIdCodec())) {
            RedisAsyncCommands<String, String> producer = out.async();
            RedisCommands<String, String> reader = in.sync();
            String from = lastId(reader);
            Thread readerThread = new Thread(() -> read(reader, from, tag, latencies, bySequence, redisClockMillis, received, total),
                    "latency-reader");
            readerThread.setDaemon(true);
            readerThread.start();
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            long nextSample = start;
            out.setAutoFlushCommands(false);
            int i = 0;
            for (long tick = 0; i < total; tick++) {
                long scheduled = start + tick * TICK_NANOS;
                long wait;
                while ((wait = scheduled - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                long due = Math.min(total, (tick + 1) * rate / TICKS_PER_SECOND);
                for (; i < due; i++) {
                    producer.xadd(Keys.POSITIONS, events.position(tag + i + "-" + scheduled)).exceptionally(e -> {
                        errors.incrementAndGet();
                        return null;
                    });
                }
                out.flushCommands();
                if (sampleRss && scheduled >= nextSample) {
                    rssSamples.add(worker.rssKib());
                    nextSample += TimeUnit.SECONDS.toNanos(10);
                    worker.requireAlive();
                }
            }
            readerThread.join(TimeUnit.NANOSECONDS.toMillis(DRAIN_GRACE_NANOS));
            readerThread.interrupt();
            return new Run(total, received.get(), errors.get(), latencies, bySequence, redisClockMillis, rssSamples);
        }
    }

    private static String lastId(RedisCommands<String, String> reader) {
        List<StreamMessage<String, String>> last = reader.xrevrange(Keys.LEVELS, io.lettuce.core.Range.create("-", "+"),
                io.lettuce.core.Limit.from(1));
        return last.isEmpty() ? "0-0" : last.get(0).getId();
    }

    /**
     * Records each of this run's events: the end-to-end latency (nanoseconds), and the time between
     * its input entry id and its output entry id, both stamped by Redis's clock (milliseconds): the
     * part spent waiting in the input stream and in the worker, without the reader's own delay.
     */
    static void read(RedisCommands<String, String> reader, String from, String tag, long[] latencies,
                             long[] bySequence, long[] redisClockMillis, AtomicLong received, int total) {
        String cursor = from;
        XReadArgs args = XReadArgs.Builder.count(1000).block(200);
        while (received.get() < total && !Thread.currentThread().isInterrupted()) {
            List<StreamMessage<String, String>> messages;
            try {
                messages = reader.xread(args, StreamOffset.from(Keys.LEVELS, cursor));
            } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                throw e;
            }
            long now = System.nanoTime();
            for (StreamMessage<String, String> m : messages) {
                cursor = m.getId();
                String id = m.getBody().get(PositionIdCodec.POSITION_ID);
                if (id == null || !id.startsWith(tag)) {
                    continue;
                }
                int dash = id.indexOf('-', tag.length());
                int seq = Integer.parseInt(id.substring(tag.length(), dash));
                long scheduled = Long.parseLong(id.substring(dash + 1));
                if (seq >= total) {
                    throw new IllegalStateException("unexpected sequence " + seq);
                }
                int n = (int) received.getAndIncrement();
                latencies[n] = now - scheduled;
                bySequence[seq] = now - scheduled;
                String source = m.getBody().get(PositionIdCodec.SOURCE_ID);
                redisClockMillis[n] = millisOf(m.getId()) - millisOf(source);
            }
        }
    }

    private static long millisOf(String streamId) {
        return Long.parseLong(streamId, 0, streamId.indexOf('-'), 10);
    }

    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
