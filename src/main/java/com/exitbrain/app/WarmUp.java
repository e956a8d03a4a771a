package com.exitbrain.app;

import com.exitbrain.config.Settings;
import com.exitbrain.redis.Connection;
import com.exitbrain.redis.Utf8Codec;
import com.exitbrain.stream.Rehearsal;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.output.StreamReadOutput;
import io.lettuce.core.protocol.RedisStateMachine;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles the hot path before the first real event: a JVM started into a backlog or under load
 * would otherwise run its first seconds interpreted, on the same cores as its JIT compiler, and
 * publish stops a second late (scripts/bench, cold start). On synthetic events, no Redis needed,
 * for a bounded time: the bytes of {@code XREADGROUP} replies decoded by Lettuce's own state
 * machine into stream messages, then handed to the worker's own batch code ({@link Rehearsal}):
 * positions (levels and plans), fills of those plans (tp1, then the stop closing them and recording
 * their trades), trade-closed events, a few refused entries, and every commit call encoded. Then, on
 * a connection the daemon has opened but not used yet, Lettuce's I/O path with pipelined
 * {@code PING}s, which change nothing in Redis.
 *
 * <p>Runs once per process ({@link #start} on a thread of its own, so that it overlaps the JVM's and
 * the daemon's own start-up, or directly in {@link #finish}); it writes nothing to Redis, touches no
 * metrics and no shared state, and a failure only costs speed: it is logged and the daemon starts
 * anyway.
 */
public final class WarmUp {
    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
    /**
     * The warm-up ends after this many events, the per-event methods' C2 thresholds (some 10,000
     * calls) passed many times over; counted in events, as a JIT counts calls ...
     */
    static final int MAX_EVENTS = 60_000;
    /**
     * ... or after this long, whatever it did by then. Measured on 2 shared cores (bench/README.md):
     * C2 needs some 15 s of one core to compile the whole hot path there, while the worker's start-up
     * runs beside it; a 4 s warm-up raised the drain that follows from 6,700 to 8,500 positions/s, an
     * 8 s one only to 8,700, so 3 s (the first /health 200 comes after it).
     */
    static final Duration BUDGET = Duration.ofMillis(3000);
    /** Entries per synthetic XREADGROUP reply, as the worker's default batch. */
    private static final int BATCH = 200;
    /** One in this many synthetic entries is invalid, for the dead-letter path. */
    private static final int INVALID_EVERY = 97;
    private static final String[] SYMBOLS = {"BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "DOGEUSDT"};
    private static final double[] PRICES = {65012.3, 3401.27, 150.123, 0.5213, 0.12345};
    private static final String[] TICKS = {"0.1", "0.01", "0.001", "0.0001", "0.00001"};
    private static final String[] LOTS = {"0.001", "0.001", "0.1", "1", "1"};
    private static final int[] LEVERAGES = {1, 3, 5, 10, 20, 25, 50, 75, 100, 125};

    /** What a warm-up did: events through the path, bytes encoded, time taken. */
    public record Result(int positions, int trades, int fills, int deadLetters, long encodedBytes, long millis) {
    }

    /** The I/O warm-up: rounds of this many pipelined commands, for at most so long. */
    private static final int IO_PIPELINE = 32;
    private static final int IO_ROUNDS = 150;
    private static final Duration IO_BUDGET = Duration.ofMillis(500);

    private static final AtomicReference<Thread> RUNNING = new AtomicReference<>();
    private static final AtomicBoolean IO_DONE = new AtomicBoolean();
    private static volatile Result done;

    private WarmUp() {
    }

    /** Starts the warm-up on a background thread, once per process; {@link #finish} waits for it. */
    public static void start(Settings settings) {
        Thread t = new Thread(() -> runOnce(settings), "exitbrain-warm-up");
        t.setDaemon(true);
        if (RUNNING.compareAndSet(null, t)) {
            t.start();
        }
    }

    /**
     * Returns once the process is warm: waits for a warm-up {@link #start} began, or runs one here
     * when none did (at most once per process either way); then, once per process too, warms the
     * client's I/O path on {@code connection} ({@link #warmConnection}).
     */
    public static Result finish(Settings settings, Connection connection) {
        start(settings);
        Thread t = RUNNING.get();
        try {
            t.join(BUDGET.toMillis() * 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return done;
        }
        if (connection != null && IO_DONE.compareAndSet(false, true)) {
            warmConnection(connection);
        }
        return done;
    }

    /**
     * Lettuce's I/O path (queueing, pipelined flush, Netty's write, reply decoding, futures) with
     * pipelined {@code PING}s (a command the worker's ACL user may run): the offline warm-up leaves it
     * cold, and at 5,000 events/s in small batches it is most of the work. PING touches no key, no script cache,
     * nothing in Redis. The connection's auto-flush is restored; a failure only costs speed.
     */
    private static void warmConnection(Connection connection) {
        long started = System.nanoTime();
        long deadline = started + IO_BUDGET.toNanos();
        int rounds = 0;
        connection.setAutoFlushCommands(false);
        try {
            RedisClusterAsyncCommands<String, String> async = connection.async();
            for (; rounds < IO_ROUNDS && System.nanoTime() < deadline; rounds++) {
                List<RedisFuture<String>> replies = new ArrayList<>(IO_PIPELINE);
                for (int i = 0; i < IO_PIPELINE; i++) {
                    replies.add(async.ping());
                }
                connection.flushCommands();
                if (!LettuceFutures.awaitAll(Duration.ofSeconds(2), replies.toArray(RedisFuture[]::new))) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            log.debug("warm-up of the Redis connection stopped: {}", e.toString());
        } finally {
            connection.setAutoFlushCommands(true);
        }
        log.info("warm-up: {} pipelined round trips to Redis in {} ms", rounds,
                (System.nanoTime() - started) / 1_000_000);
    }

    /** One warm-up here and now (the {@code warm-up} command, an AppCDS training run); not once-only. */
    public static Result runNow(Settings settings) {
        return run(settings, BUDGET, MAX_EVENTS);
    }

    private static void runOnce(Settings settings) {
        try {
            Result r = run(settings, BUDGET, MAX_EVENTS);
            done = r;
            log.info("warm-up: {} positions, {} trades, {} fills, {} dead letters through the worker's batch code"
                    + " (no Redis) in {} ms", r.positions(), r.trades(), r.fills(), r.deadLetters(), r.millis());
        } catch (RuntimeException | LinkageError e) {
            log.warn("warm-up failed; the worker starts cold", e);
        }
    }

    /** One warm-up of at most {@code budget} and {@code maxEvents} events; touches nothing outside. */
    static Result run(Settings settings, Duration budget, int maxEvents) {
        long started = System.nanoTime();
        long deadline = started + budget.toNanos();
        RedisStateMachine decoder = new RedisStateMachine(ByteBufAllocator.DEFAULT);
        Rehearsal.Tally t;
        try (Rehearsal rehearsal = new Rehearsal(settings, List.of(SYMBOLS))) {
            int events = 0;
            for (int round = 0; events < maxEvents && System.nanoTime() < deadline; round++) {
                // positions, then fills of the positions of two rounds before, then trades
                Input input = round % 4 == 3 ? Input.TRADES : round % 4 == 2 && round >= 4 ? Input.FILLS : Input.POSITIONS;
                rehearsal.process(decode(decoder, settings, input, round));
                events += BATCH;
            }
            t = rehearsal.tally();
        } finally {
            decoder.close();
        }
        return new Result(t.positions(), t.trades(), t.fills(), t.deadLetters(), t.bytes(),
                (System.nanoTime() - started) / 1_000_000);
    }

    private enum Input { POSITIONS, TRADES, FILLS }

    /** A synthetic XREADGROUP reply of {@link #BATCH} entries, as bytes, decoded by Lettuce. */
    private static List<StreamMessage<String, String>> decode(RedisStateMachine decoder, Settings settings,
                                                              Input input, int round) {
        String stream = switch (input) {
            case POSITIONS -> settings.streams().positionOpened();
            case TRADES -> settings.streams().tradeClosed();
            case FILLS -> settings.streams().fills();
        };
        StringBuilder resp = new StringBuilder(BATCH * 400);
        resp.append("*1\r\n*2\r\n");
        bulk(resp, stream);
        resp.append('*').append(BATCH).append("\r\n");
        for (int i = 0; i < BATCH; i++) {
            int n = round * BATCH + i;
            Map<String, String> body = switch (input) {
                case POSITIONS -> n % INVALID_EVERY == 0 ? invalid(n) : position(n);
                case TRADES -> n % INVALID_EVERY == 0 ? invalid(n) : trade(n);
                // the positions of two rounds before: a tp1 fill of one lot, then the stop's, closing
                case FILLS -> fill((round - 2) * BATCH + i / 2, i % 2 == 0);
            };
            resp.append("*2\r\n");
            bulk(resp, (1_796_000_000_000L + n) + "-0");
            resp.append('*').append(body.size() * 2).append("\r\n");
            body.forEach((k, v) -> {
                bulk(resp, k);
                bulk(resp, v);
            });
        }
        ByteBuf in = ByteBufAllocator.DEFAULT.directBuffer(resp.length() * 2);
        try {
            in.writeCharSequence(resp, StandardCharsets.UTF_8);
            StreamReadOutput<String, String> output = new StreamReadOutput<>(Utf8Codec.INSTANCE);
            if (!decoder.decode(in, output)) {
                throw new IllegalStateException("warm-up: incomplete synthetic reply");
            }
            decoder.reset();
            return output.get();
        } finally {
            in.release();
        }
    }

    private static void bulk(StringBuilder resp, String s) {
        resp.append('$').append(s.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(s).append("\r\n");
    }

    private static Map<String, String> position(int n) {
        int s = n % SYMBOLS.length;
        Map<String, String> f = new LinkedHashMap<>();
        f.put("position_id", "warm-up-" + n);
        f.put("symbol", SYMBOLS[s]);
        f.put("side", n % 2 == 0 ? "long" : "short");
        f.put("leverage", Integer.toString(LEVERAGES[n % LEVERAGES.length]));
        BigDecimal tick = new BigDecimal(TICKS[s]);
        f.put("entry_price", BigDecimal.valueOf(PRICES[s] * (0.98 + (n % 41) / 1000.0))
                .divide(tick, 0, java.math.RoundingMode.HALF_UP).multiply(tick).toPlainString());
        f.put("quantity", new BigDecimal(LOTS[s]).multiply(BigDecimal.valueOf(1 + n % 173)).toPlainString());
        if (n % 5 != 0) {
            f.put("tick_size", TICKS[s]);
            f.put("lot_size", LOTS[s]);
        }
        f.put("confidence", BigDecimal.valueOf(30 + n % 66, 2).toPlainString());
        f.put("volatility_factor", BigDecimal.valueOf(50 + n % 200, 2).toPlainString());
        if (n % 7 == 0) {
            // the JSON form of an entry (SPEC §3)
            StringBuilder json = new StringBuilder("{");
            f.forEach((k, v) -> json.append('"').append(k).append("\":\"").append(v).append("\","));
            json.setCharAt(json.length() - 1, '}');
            return Map.of("payload", json.toString());
        }
        return f;
    }

    private static Map<String, String> trade(int n) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("trade_id", "warm-up-" + n);
        f.put("symbol", SYMBOLS[n % 4]);
        f.put("leverage", Integer.toString(LEVERAGES[n % LEVERAGES.length]));
        f.put("pnl", BigDecimal.valueOf(n % 1300 - 500, 4).toPlainString());
        f.put("closed_at", Long.toString(1_732_430_000_000L + n));
        return f;
    }

    /** A fill of position {@code n} of {@link #position}: one lot at tp1, or the rest at the stop. */
    private static Map<String, String> fill(int n, boolean tp1) {
        int s = n % SYMBOLS.length;
        BigDecimal lot = new BigDecimal(LOTS[s]);
        Map<String, String> f = new LinkedHashMap<>();
        f.put("position_id", "warm-up-" + n);
        f.put("order", tp1 ? "tp1" : "sl");
        f.put("quantity", (tp1 ? lot : lot.multiply(BigDecimal.valueOf(n % 173))).toPlainString());
        f.put("price", BigDecimal.valueOf(PRICES[s]).toPlainString());
        f.put("fee", "0.01");
        f.put("fill_id", "warm-up-fill-" + n + (tp1 ? "-tp1" : "-sl"));
        return f;
    }

    private static Map<String, String> invalid(int n) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("symbol", SYMBOLS[n % SYMBOLS.length]);
        f.put("leverage", n % 2 == 0 ? "lots" : "1000");
        f.put("pnl", "0.01");
        return f;
    }
}
