package com.exitbrain.stream;

import com.exitbrain.config.Settings;
import com.exitbrain.engine.Decimals;
import com.exitbrain.health.WorkerMetrics;
import com.exitbrain.pnl.PnlKeys;
import com.exitbrain.pnl.PnlStats;
import com.exitbrain.pnl.ScopeState;
import com.exitbrain.pnl.WindowEntry;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records closed trades in the shared rolling windows (SPEC §2). The worker takes each scope's
 * state (remembered from its own last recording, or read), computes the stats every trade leads
 * to, and sends one script call per trade that applies them only if the scope is still at that
 * version and the trade id is new; calls that lost a race are re-read and re-sent, in order, so
 * the window stays in processing order and each trade id counts once.
 */
final class TradeRecorder {
    private static final Logger log = LoggerFactory.getLogger(TradeRecorder.class);
    private static final int MAX_ROUNDS = 100;
    /** Index of the new avg_pnl among the script's arguments (ARGV[9]). */
    private static final int AVERAGE_ARG = 8;
    /** Trades computed and sent at a time. */
    private static final int CHUNK = 32;
    /** Symbol scopes are as many as symbols; a worker fed ever new symbols forgets and re-reads. */
    private static final int MAX_REMEMBERED_SCOPES = 10_000;

    record Trade(Inbound in, TradeClosed event) {
    }

    private final Settings settings;
    private final Pipeline pipeline;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final Script script;
    private final PnlKeys keys;
    private final BiConsumer<String, String> recordedAverage;
    /** Scope → the state this worker's last recording in it left: a guess the script verifies. */
    private final Map<String, ScopeState> remembered = new HashMap<>();

    /** @param recordedAverage told each scope's new avg_pnl text, in order, as trades are recorded */
    TradeRecorder(Settings settings, Pipeline pipeline, WorkerMetrics metrics, Clock clock, Script script, PnlKeys keys,
                  BiConsumer<String, String> recordedAverage) {
        this.settings = settings;
        this.pipeline = pipeline;
        this.metrics = metrics;
        this.clock = clock;
        this.script = script;
        this.keys = keys;
        this.recordedAverage = recordedAverage;
    }

    void record(List<Trade> trades) {
        List<Trade> remaining = trades;
        for (int round = 0; !remaining.isEmpty(); round++) {
            if (round == MAX_ROUNDS) {
                log.warn("{} trades still contended after {} rounds; left pending for redelivery", remaining.size(), round);
                return;
            }
            if (round > 0) {
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(100_000, 2_000_000L * Math.min(round, 10)));
            }
            remaining = attempt(remaining, round == 0);
        }
    }

    /**
     * One read-compute-apply round; returns the trades that must be tried again. The first round
     * trusts what this worker remembers of each scope (the state its own last recording left) and
     * takes every trade id for new; the scripts check both, and a wrong guess only costs a retry,
     * which then reads every scope and every id.
     */
    private List<Trade> attempt(List<Trade> trades, boolean trustMemory) {
        Map<String, ScopeState> states = new HashMap<>();
        List<Boolean> known = new ArrayList<>(trades.size());
        read(trades, states, known, trustMemory);

        Set<String> seen = new HashSet<>();
        long now = clock.instant().getEpochSecond();
        List<List<String>> calls = new ArrayList<>(trades.size());
        List<ScopeState> results = new ArrayList<>(trades.size());
        List<RedisFuture<String>> futures = new ArrayList<>(trades.size());
        for (int i = 0; i < trades.size(); i++) {
            TradeClosed t = trades.get(i).event();
            String scope = settings.pnlScopeOf(t.symbol());
            ScopeState before = states.get(scope);
            boolean duplicate = known.get(i) || !seen.add(t.tradeId());
            ScopeState after = before;
            if (!duplicate) {
                after = before.record(new WindowEntry(t.pnl(), t.bucket()), trades.get(i).in().id(), settings.pnlWindow());
                states.put(scope, after);
            }
            calls.add(arguments(trades.get(i), scope, before, after, duplicate, now));
            results.add(duplicate ? null : after);
            if ((i + 1) % CHUNK == 0 || i == trades.size() - 1) {
                // sent as they are ready: Redis records these while the next ones are computed
                send(trades, calls, futures.size(), i + 1, futures);
                pipeline.flush();
            }
        }
        List<String> replies = pipeline.awaitOrResend(futures, redis -> {
            List<RedisFuture<String>> again = new ArrayList<>(calls.size());
            send(trades, calls, 0, calls.size(), again);
            return again;
        });
        List<Trade> retry = new ArrayList<>();
        for (int i = 0; i < replies.size(); i++) {
            String reply = replies.get(i);
            String scope = settings.pnlScopeOf(trades.get(i).event().symbol());
            if (!"recorded".equals(reply) && results.get(i) != null) {
                // the state computed for this scope from here on is not the scope's
                remembered.remove(scope);
            }
            switch (reply) {
                case "conflict" -> {
                    retry.add(trades.get(i));
                    metrics.conflict();
                }
                case "gone" -> metrics.event(InputKind.TRADE_CLOSED.metricTag, "skipped");
                case "recorded" -> {
                    remember(scope, results.get(i));
                    recordedAverage.accept(scope, calls.get(i).get(AVERAGE_ARG));
                    metrics.event(InputKind.TRADE_CLOSED.metricTag, reply);
                }
                default -> metrics.event(InputKind.TRADE_CLOSED.metricTag, reply);
            }
        }
        return retry;
    }

    /** Queues the script calls {@code from} (inclusive) to {@code to} (exclusive). */
    private void send(List<Trade> trades, List<List<String>> calls, int from, int to, List<RedisFuture<String>> futures) {
        for (int i = from; i < to; i++) {
            Trade trade = trades.get(i);
            String scope = settings.pnlScopeOf(trade.event().symbol());
            futures.add(script.call(pipeline.commands(), List.of(trade.in().stream(), settings.streams().stats(),
                    keys.scope(scope), keys.window(scope), keys.trade(trade.event().tradeId()),
                    keys.scope(PnlKeys.GLOBAL), keys.window(PnlKeys.GLOBAL)), calls.get(i)));
        }
    }

    private void remember(String scope, ScopeState state) {
        if (remembered.size() >= MAX_REMEMBERED_SCOPES && !remembered.containsKey(scope)) {
            remembered.clear();
        }
        remembered.put(scope, state);
    }

    /**
     * Reads, in one round trip, the state of the scopes the trades fall in and, unless memory is
     * trusted, whether each trade id is already recorded; with memory trusted, only scopes this
     * worker knows nothing of are read (often none: no round trip). The script checks both again,
     * atomically; this read only has to be recent enough to usually be right.
     */
    private void read(List<Trade> trades, Map<String, ScopeState> states, List<Boolean> known, boolean trustMemory) {
        Set<String> scopes = new LinkedHashSet<>();
        for (Trade t : trades) {
            String scope = settings.pnlScopeOf(t.event().symbol());
            ScopeState memory = trustMemory ? remembered.get(scope) : null;
            if (memory != null) {
                states.put(scope, memory);
            } else {
                scopes.add(scope);
            }
        }
        List<String> ordered = new ArrayList<>(scopes);
        if (ordered.isEmpty() && trustMemory) {
            trades.forEach(t -> known.add(false));
            return;
        }
        List<Object> replies = pipeline.run(redis -> {
            List<RedisFuture<Object>> futures = new ArrayList<>(2 * ordered.size() + trades.size());
            for (String s : ordered) {
                futures.add(cast(redis.hmget(keys.scope(s), "total_trades", "last_id")));
                futures.add(cast(redis.lrange(keys.window(s), 0, settings.pnlWindow() - 1)));
            }
            if (!trustMemory) {
                trades.forEach(t -> futures.add(cast(redis.exists(keys.trade(t.event().tradeId())))));
            }
            return futures;
        });
        for (int i = 0; i < ordered.size(); i++) {
            @SuppressWarnings("unchecked")
            List<KeyValue<String, String>> version = (List<KeyValue<String, String>>) replies.get(2 * i);
            @SuppressWarnings("unchecked")
            List<String> window = (List<String>) replies.get(2 * i + 1);
            long total = Long.parseLong(version.get(0).getValueOrElse("0"));
            String lastId = version.get(1).getValueOrElse("");
            states.put(ordered.get(i), new ScopeState(total, lastId, window.stream().map(WindowEntry::decode).toList()));
        }
        for (int i = 0; i < trades.size(); i++) {
            known.add(!trustMemory && (Long) replies.get(2 * ordered.size() + i) > 0);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static RedisFuture<Object> cast(RedisFuture<?> future) {
        return (RedisFuture) future;
    }

    /** @param duplicate taken for a duplicate: no window entry, and the script refuses it if the id is not recorded */
    private List<String> arguments(Trade trade, String scope, ScopeState before, ScopeState after, boolean duplicate,
                                   long now) {
        TradeClosed t = trade.event();
        PnlStats stats = after.stats();
        Map<String, String> f = new LinkedHashMap<>();
        f.put("scope", scope);
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
        f.put("source_id", trade.in().id());
        f.put("timestamp", Long.toString(now));
        List<String> args = new ArrayList<>(11 + f.size() * 2);
        args.add(settings.group());
        args.add(trade.in().id());
        args.add(Long.toString(settings.streams().outputMaxLen()));
        args.add(Long.toString(before.totalTrades()));
        args.add(before.lastId());
        args.add(duplicate ? "" : new WindowEntry(t.pnl(), t.bucket()).encode());
        args.add(Integer.toString(settings.pnlWindow()));
        args.add(Long.toString(settings.dedupTtlSeconds()));
        args.add(f.get("avg_pnl_last_20"));
        args.add(f.get("win_rate"));
        args.add(f.get("window_trades"));
        f.forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        return args;
    }

}
