package com.exitbrain.app;

import com.exitbrain.config.Settings;
import com.exitbrain.event.EventFields;
import com.exitbrain.event.PositionOpened;
import com.exitbrain.event.TradeClosed;
import com.exitbrain.output.DeadLetter;
import com.exitbrain.output.LevelsRecord;
import com.exitbrain.redis.Utf8Codec;
import com.exitbrain.engine.Decimals;
import com.exitbrain.engine.InvalidInputException;
import com.exitbrain.engine.LevelEngine;
import com.exitbrain.engine.LevelSet;
import com.exitbrain.pnl.PnlKeys;
import com.exitbrain.pnl.PnlStats;
import com.exitbrain.pnl.ScopeState;
import com.exitbrain.pnl.WindowEntry;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import com.exitbrain.redis.Connection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.StreamReadOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
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
 * for a bounded time: the bytes of an {@code XREADGROUP} reply decoded by Lettuce's own state
 * machine into stream messages, each entry parsed ({@link EventFields}, {@link PositionOpened},
 * {@link TradeClosed}), its levels computed ({@link LevelEngine}) and formatted ({@link
 * LevelsRecord}), trades run through a PnL window and its stats, a few refused entries turned into
 * dead letters, and each output's script call encoded by Lettuce ({@code EVALSHA} with the worker's
 * argument layout) into a throwaway Netty buffer. Then, on a connection the daemon has opened but
 * not used yet, Lettuce's I/O path with pipelined {@code PING}s, which change nothing in Redis.
 *
 * <p>Runs once per process ({@link #start} on a thread of its own, so that it overlaps the JVM's and
 * the daemon's own start-up, or directly in {@link #finish}); it writes nothing to Redis, touches no
 * metrics and no shared state, and a failure only costs speed: it is logged and the daemon starts
 * anyway.
 */
public final class WarmUp {
    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
    /**
     * The warm-up ends after this many events: enough for the per-event methods to pass C2's
     * thresholds (some 10,000 calls) with margin. Counted in events, as a JIT counts calls:
     * on a busy machine the same warm-up takes longer (1.3 s on 2 otherwise idle cores).
     */
    static final int MAX_EVENTS = 16_000;
    /**
     * ... or after this long, whatever it did by then: on a starved machine (load averages of 10 on
     * 2 cores) it gets through some 2,000 events in 3 s, and a longer warm-up only delays the start.
     */
    static final Duration BUDGET = Duration.ofMillis(1500);
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
    public record Result(int positions, int trades, int deadLetters, long encodedBytes, long millis) {
    }

    /** The I/O warm-up: rounds of this many pipelined commands, for at most so long. */
    private static final int IO_PIPELINE = 32;
    private static final int IO_ROUNDS = 150;
    private static final Duration IO_BUDGET = Duration.ofMillis(500);

    private static final AtomicReference<Thread> RUNNING = new AtomicReference<>();
    private static final AtomicBoolean IO_DONE = new AtomicBoolean();
    private static volatile Result done;
    /** Keeps the results reachable, so that the JIT cannot drop the work as unused. */
    private static volatile long sink;

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
            log.info("warm-up: {} positions, {} trades, {} dead letters through parse, engine, format and encode"
                    + " in {} ms", r.positions(), r.trades(), r.deadLetters(), r.millis());
        } catch (RuntimeException | LinkageError e) {
            log.warn("warm-up failed; the worker starts cold", e);
        }
    }

    /** One warm-up of at most {@code budget} and {@code maxEvents} events; touches nothing outside. */
    static Result run(Settings settings, Duration budget, int maxEvents) {
        long started = System.nanoTime();
        long deadline = started + budget.toNanos();
        LevelEngine engine = new LevelEngine(settings.tuning());
        PnlKeys keys = new PnlKeys(settings.keyPrefix());
        String maxLen = Long.toString(settings.streams().outputMaxLen());
        String sha = "0".repeat(40);
        ScopeState scope = ScopeState.empty();
        int positions = 0;
        int trades = 0;
        int deadLetters = 0;
        long bytes = 0;
        long check = 0;
        RedisStateMachine decoder = new RedisStateMachine(ByteBufAllocator.DEFAULT);
        ByteBuf out = ByteBufAllocator.DEFAULT.directBuffer(64 * 1024);
        try {
            for (int round = 0; positions + trades + deadLetters < maxEvents && System.nanoTime() < deadline; round++) {
                boolean tradesRound = round % 4 == 3;
                String stream = tradesRound ? settings.streams().tradeClosed() : settings.streams().positionOpened();
                List<StreamMessage<String, String>> batch = decode(decoder, stream, round, tradesRound);
                long now = System.currentTimeMillis() / 1000;
                for (StreamMessage<String, String> m : batch) {
                    String output;
                    Map<String, String> fields;
                    String[] keysOfCall;
                    String average = "";
                    try {
                        EventFields f = EventFields.of(m.getBody(), settings.maxEntryBytes());
                        if (tradesRound) {
                            TradeClosed t = TradeClosed.parse(f, m.getId(), settings);
                            scope = scope.record(new WindowEntry(t.pnl(), t.bucket()), m.getId(), settings.pnlWindow());
                            fields = statsFields(t, scope.stats(), m.getId(), now);
                            output = settings.streams().stats();
                            keysOfCall = new String[]{stream, output, keys.scope(PnlKeys.GLOBAL),
                                    keys.window(PnlKeys.GLOBAL), keys.trade(t.tradeId())};
                            trades++;
                        } else {
                            PositionOpened p = PositionOpened.parse(f, m.getId(), settings);
                            LevelSet set = engine.compute(p.request(0.0123));
                            fields = LevelsRecord.fields(set, p.context(m.getId()), now);
                            output = settings.streams().levels();
                            keysOfCall = new String[]{stream, output, keys.scope(settings.pnlScopeOf(p.symbol()))};
                            average = "0.0123";
                            positions++;
                        }
                    } catch (InvalidInputException e) {
                        fields = DeadLetter.fields(stream, m.getId(), e.code(), e.reason(), m.getBody(), 1,
                                settings.consumer(), now);
                        output = settings.streams().deadLetter();
                        keysOfCall = new String[]{stream, output};
                        deadLetters++;
                    }
                    bytes += encode(out, sha, keysOfCall, settings.group(), m.getId(), maxLen, average, fields);
                    check += fields.size();
                }
            }
        } finally {
            out.release();
            decoder.close();
        }
        sink = check;
        return new Result(positions, trades, deadLetters, bytes, (System.nanoTime() - started) / 1_000_000);
    }

    /** A synthetic XREADGROUP reply of {@link #BATCH} entries, as bytes, decoded by Lettuce. */
    private static List<StreamMessage<String, String>> decode(RedisStateMachine decoder, String stream, int round,
                                                              boolean trades) {
        StringBuilder resp = new StringBuilder(BATCH * 400);
        resp.append("*1\r\n*2\r\n");
        bulk(resp, stream);
        resp.append('*').append(BATCH).append("\r\n");
        for (int i = 0; i < BATCH; i++) {
            int n = round * BATCH + i;
            Map<String, String> body = n % INVALID_EVERY == 0 ? invalid(n) : trades ? trade(n) : position(n);
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

    /** Encodes the output's script call (the worker's EVALSHA argument layout) and drops the bytes. */
    private static int encode(ByteBuf out, String sha, String[] keysOfCall, String group, String id, String maxLen,
                              String average, Map<String, String> fields) {
        String[] args = new String[4 + fields.size() * 2];
        args[0] = group;
        args[1] = id;
        args[2] = maxLen;
        args[3] = average;
        int i = 4;
        for (Map.Entry<String, String> field : fields.entrySet()) {
            args[i++] = field.getKey();
            args[i++] = field.getValue();
        }
        CommandArgs<String, String> commandArgs = new CommandArgs<>(Utf8Codec.INSTANCE).add(sha)
                .add(keysOfCall.length).addKeys(keysOfCall).addValues(args);
        Command<String, String, Long> command = new Command<>(CommandType.EVALSHA,
                new IntegerOutput<>(Utf8Codec.INSTANCE), commandArgs);
        out.clear();
        command.encode(out);
        return out.readableBytes();
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

    private static Map<String, String> invalid(int n) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("symbol", SYMBOLS[n % SYMBOLS.length]);
        f.put("leverage", n % 2 == 0 ? "lots" : "1000");
        f.put("pnl", "0.01");
        return f;
    }

    /** The stats entry of a recorded trade, as the worker writes it. */
    private static Map<String, String> statsFields(TradeClosed t, PnlStats stats, String sourceId, long now) {
        Map<String, String> f = new LinkedHashMap<>(32);
        f.put("scope", PnlKeys.GLOBAL);
        f.put("trade_id", t.tradeId());
        f.put("symbol", t.symbol());
        f.put("leverage", Decimals.plain(t.leverage()));
        f.put("pnl", Decimals.plain(t.pnl()));
        f.put("avg_pnl_last_20", Decimals.plain(stats.averagePnl()));
        f.put("win_rate", Decimals.plain(stats.winRate()));
        f.put("window_trades", Integer.toString(stats.windowTrades()));
        f.put("total_trades", Long.toString(stats.totalTrades()));
        f.put("by_leverage", stats.byLeverageJson());
        if (t.closedAt() != null) {
            f.put("closed_at", t.closedAt());
        }
        f.put("source_id", sourceId);
        f.put("timestamp", Long.toString(now));
        return f;
    }
}
