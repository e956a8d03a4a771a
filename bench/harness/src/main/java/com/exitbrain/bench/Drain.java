package com.exitbrain.bench;

import java.util.concurrent.TimeUnit;

/**
 * The drain measurement: a backlog of {@code n} entries is loaded before the client starts; the
 * clock runs from the group's first delivery to the moment XINFO GROUPS shows everything delivered
 * and nothing pending, so JVM start-up is reported apart. Then the outputs are counted: exactly one
 * per input, no dead letters.
 */
final class Drain {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(120);

    enum Kind {
        POSITIONS("positions", Keys.POSITIONS, Keys.LEVELS), TRADES("trades", Keys.TRADES, Keys.STATS),
        FILLS("fills", Keys.FILLS, Keys.PLANS);

        final String wire;
        final String input;
        final String output;

        Kind(String wire, String input, String output) {
            this.wire = wire;
            this.input = input;
            this.output = output;
        }
    }

    /** One drain; {@code startupSeconds} is from process start to the first delivery. */
    record Result(String client, Kind kind, int round, int events, double seconds, double startupSeconds,
                  double secondHalfSeconds, long peakRssKib, double clientCpuSeconds, double redisCpuSeconds,
                  String check) {
        double eventsPerSecond() {
            return events / seconds;
        }

        /** The rate over the second half of the backlog: warm JIT, no start-up; NaN before Redis 7. */
        double secondHalfEventsPerSecond() {
            return secondHalfSeconds > 0 ? (events - events / 2) / secondHalfSeconds : Double.NaN;
        }

        /** The client's CPU time per event, microseconds. */
        double clientCpuMicrosPerEvent() {
            return clientCpuSeconds * 1e6 / events;
        }

        /** Share of one core Redis was busy during the drain. */
        double redisBusy() {
            return redisCpuSeconds / seconds;
        }

        boolean ok() {
            return "ok".equals(check);
        }
    }

    /** Starts the client under test once the backlog is in place. */
    interface Launcher {
        JavaChild start(String consumer) throws Exception;
    }

    private final RedisAdmin redis;
    private final long redisPid;

    Drain(RedisAdmin redis, long redisPid) {
        this.redis = redis;
        this.redisPid = redisPid;
    }

    Result run(String clientName, Launcher launcher, Kind kind, int count, int round) throws Exception {
        redis.flush();
        Events events = new Events(round);
        String lastId = switch (kind) {
            case POSITIONS -> redis.load(kind.input, count, i -> events.position(String.format("pos-%010d", i)));
            case TRADES -> redis.load(kind.input, count,
                    i -> events.trade(String.format("trade-%010d", i), 1_732_430_000_000L + i));
            case FILLS -> {
                // the plans the fills apply to, as the worker would have created them
                redis.seedPlans((count + Keys.FILLS_PER_PLAN - 1) / Keys.FILLS_PER_PLAN);
                yield redis.load(kind.input, count, i -> events.fill(i));
            }
        };
        Progress.say("drain %s %,d: %s (round %d)", kind.wire, count, clientName, round);
        long launched = System.nanoTime();
        try (JavaChild child = launcher.start(clientName + "-" + kind.wire + "-" + round)) {
            long first = 0;
            double clientCpuAtFirst = 0;
            double redisCpuAtFirst = 0;
            long half = 0;
            long done;
            long lastChange = launched;
            String lastSeen = "";
            while (true) {
                long now = System.nanoTime();
                RedisAdmin.GroupState g = redis.group(kind.input, Keys.GROUP);
                if (g != null) {
                    if (first == 0 && !"0-0".equals(g.lastDeliveredId())) {
                        first = now;
                        clientCpuAtFirst = ProcCpu.seconds(child.pid());
                        redisCpuAtFirst = ProcCpu.seconds(redisPid);
                    }
                    if (half == 0 && g.lag() >= 0 && g.lag() <= count / 2 && first != 0) {
                        half = now;
                    }
                    if (g.pending() == 0 && g.lastDeliveredId().equals(lastId)) {
                        done = now;
                        break;
                    }
                    String seen = g.lastDeliveredId() + "/" + g.pending();
                    if (!seen.equals(lastSeen)) {
                        lastSeen = seen;
                        lastChange = now;
                    }
                }
                if (now - lastChange > STALL_NANOS) {
                    throw new IllegalStateException(clientName + " made no progress on " + kind.input + " for "
                            + TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS) + " s (group: " + g + ")");
                }
                child.requireAlive();
                long rest = POLL_NANOS - (System.nanoTime() - now);
                if (rest > 0) {
                    Thread.sleep(rest / 1_000_000, (int) (rest % 1_000_000));
                }
            }
            double clientCpu = ProcCpu.seconds(child.pid()) - clientCpuAtFirst;
            double redisCpu = ProcCpu.seconds(redisPid) - redisCpuAtFirst;
            long peakRss = child.peakRssKib();
            int status = child.stop();
            String check = check(kind, count);
            if (status != 0 && clientName.equals("worker")) {
                check = "worker exit status " + status;
            }
            Result r = new Result(clientName, kind, round, count, (done - first) / 1e9, (first - launched) / 1e9,
                    half == 0 ? 0 : (done - half) / 1e9, peakRss, clientCpu, redisCpu, check);
            Progress.say("  %,.0f events/s over %.2f s (second half %,.0f/s; start-up %.2f s); CPU: %s %.1f us/event,"
                            + " redis busy %.0f%%; peak RSS %,d KiB; outputs: %s", r.eventsPerSecond(), r.seconds(),
                    r.secondHalfEventsPerSecond(), r.startupSeconds(),
                    clientName, r.clientCpuMicrosPerEvent(), 100 * r.redisBusy(), peakRss, check);
            return r;
        }
    }

    /** Nothing lost, nothing doubled: one output per input, no dead letter, each trade counted once. */
    private String check(Kind kind, int count) {
        long outputs = redis.length(kind.output);
        long deadLetters = redis.length(Keys.DEAD_LETTERS);
        StringBuilder problems = new StringBuilder();
        if (outputs != count) {
            problems.append(outputs).append(" outputs for ").append(count).append(" inputs; ");
        }
        if (deadLetters != 0) {
            problems.append(deadLetters).append(" dead letters; ");
        }
        if (kind == Kind.TRADES) {
            String total = redis.hashField(Keys.GLOBAL_SCOPE, "total_trades");
            if (!Integer.toString(count).equals(total)) {
                problems.append("total_trades ").append(total).append(" for ").append(count).append(" trades; ");
            }
        }
        return problems.isEmpty() ? "ok" : problems.toString().trim();
    }
}
