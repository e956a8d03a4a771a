package com.exitbrain.stream;

import com.exitbrain.event.EventFields;
import com.exitbrain.event.FillEvent;
import com.exitbrain.event.PositionOpened;
import com.exitbrain.event.TradeClosed;
import com.exitbrain.output.DeadLetter;
import com.exitbrain.output.LevelsRecord;

import com.exitbrain.redis.Pipeline;
import com.exitbrain.redis.Script;

import com.exitbrain.config.Settings;
import com.exitbrain.engine.Decimals;
import com.exitbrain.engine.ErrorCode;
import com.exitbrain.engine.InvalidInputException;
import com.exitbrain.config.Partitioning;
import com.exitbrain.engine.LevelEngine;
import com.exitbrain.engine.LevelSet;
import com.exitbrain.health.WorkerMetrics;
import com.exitbrain.plan.ExitPlan;
import com.exitbrain.plan.Fill;
import com.exitbrain.plan.PlanCache;
import com.exitbrain.plan.PlanRecord;
import com.exitbrain.plan.PlanRules;
import com.exitbrain.pnl.LeverageBucket;
import com.exitbrain.pnl.PnlKeys;
import com.exitbrain.pnl.PnlStats;
import com.exitbrain.pnl.ScopeCache;
import com.exitbrain.pnl.ScopeState;
import com.exitbrain.pnl.WindowEntry;
import com.exitbrain.redis.Backoff;
import io.lettuce.core.RedisFuture;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a batch of input entries into their effects and commits them with {@code commit.lua}, a
 * chunk of entries per call (SPEC §4): levels (and a plan) for positions, recorded trades, applied
 * fills, dead letters. Entries are taken in time order (entry id) across the input streams. Each
 * effect is computed from the state this worker knows (read, or left by its own last commit);
 * the script applies it only if that state is still current, and entries that lost a race to
 * another worker are re-read and computed again, in order.
 */
final class BatchProcessor {
    private static final Logger log = LoggerFactory.getLogger(BatchProcessor.class);
    private static final Logger deadLetters = LoggerFactory.getLogger("com.exitbrain.deadletters");
    private static final int MAX_ROUNDS = 100;
    /** Entries per script call: Redis commits one chunk while the next is computed. */
    private static final int CHUNK = 100;
    private static final int MAX_TRACKED = 100_000;
    private static final Comparator<Inbound> BY_TIME = (a, b) -> GroupSetup.compare(a.id(), b.id());

    private final Settings settings;
    /** Null in a rehearsal: the view is then read from the caches alone. */
    private final Pipeline pipeline;
    private final Committer committer;
    private final LevelEngine engine;
    private final PlanRules planRules;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final PnlKeys keys;
    private final String outputMaxLen;
    private final String deadLetterMaxLen;
    private final ScopeCache scopes = new ScopeCache();
    /**
     * The plans this worker last created or changed, for the fills that follow soon after. Kept
     * small: every plan in it outlives a few young collections, and copying them is most of a
     * collection's pause (10,000 plans: 6-9 ms each, some 2 a second at 5,000 positions/s; 1,000:
     * 3-4 ms); a fill of a plan not in it costs one read, pipelined with the batch's others.
     */
    private final PlanCache plans = new PlanCache(1_000);
    /** Commit calls answered, kept for reuse: a batch of the default size needs two. */
    private final ArrayDeque<CommitCall> spareCalls = new ArrayDeque<>();
    /** Enough for a whole batch (the rest of its calls are made anew each time). */
    private final int maxSpareCalls;
    /**
     * Deliveries this worker caused itself: entries of a batch whose commit Redis refused or lost are
     * read again from this consumer's own pending list, which counts a delivery each time. They do
     * not count toward max-deliveries (SPEC §4), and a "gone" reply for one of them may be the
     * earlier commit's own effect, so it is counted as that.
     */
    private final Map<String, Long> selfCaused = new HashMap<>();
    /**
     * Entries of a commit whose reply never came (a timeout, a lost connection): Redis may have
     * applied them. Those this consumer reads again were not; those it does not read again were
     * (nobody else could have in the time), and are counted and logged as committed then.
     */
    private final Map<String, Work> unconfirmed = new LinkedHashMap<>();
    /** A batch sent whose replies are not handled yet ({@link #pipelined}); null: none. */
    private Flight inFlight;

    /** Where the commit calls of a round go: Redis, or nowhere in a rehearsal ({@link Rehearsal}). */
    interface Committer {
        /** Queues a call: Redis commits it while the next one is computed. */
        void send(CommitCall call);

        /** The replies of these calls, the oldest sent and not answered yet, in order: one code per entry of each. */
        List<List<Object>> replies(List<CommitCall> calls);

        /** Forgets the calls sent since the last replies (a round given up): the next replies are the next calls'. */
        void discard();
    }

    BatchProcessor(Settings settings, Pipeline pipeline, WorkerMetrics metrics, Clock clock, Script commit) {
        this(settings, pipeline, metrics, clock, new RedisCommitter(pipeline, commit));
    }

    BatchProcessor(Settings settings, Pipeline pipeline, WorkerMetrics metrics, Clock clock, Committer committer) {
        this.settings = settings;
        this.pipeline = pipeline;
        this.committer = committer;
        this.engine = new LevelEngine(settings.tuning());
        this.planRules = new PlanRules(settings.plans().stopRules());
        this.metrics = metrics;
        this.clock = clock;
        this.keys = new PnlKeys(settings.keyPrefix());
        this.outputMaxLen = Long.toString(settings.streams().outputMaxLen());
        this.deadLetterMaxLen = Long.toString(settings.streams().deadLetterMaxLen());
        this.maxSpareCalls = settings.batchSize() / CHUNK + 2;
    }

    /** A rehearsal's starting state: this scope as this worker would have it cached, without Redis. */
    void assumeScope(String scope, ScopeState state, String average) {
        scopes.put(scope, state, average);
    }

    private enum Kind { VANISHED, DEAD, POSITION, TRADE, FILL }

    /** One input entry, parsed once, and what the current round computed for it. */
    private static final class Work {
        final Inbound in;
        final Kind kind;
        final Object event;
        final ErrorCode code;
        final String reason;
        // the current round's computation
        char op;
        ErrorCode refusedCode;
        String refusedReason;
        String scope;
        ScopeState scopeAfter;
        String averageAfter;
        ExitPlan planAfter;
        /** planAfter encoded, as the commit stores it */
        String planState;
        PlanRules.Applied applied;
        boolean tradeRecorded;
        boolean confirmed;

        Work(Inbound in, Kind kind, Object event, ErrorCode code, String reason) {
            this.in = in;
            this.kind = kind;
            this.event = event;
            this.code = code;
            this.reason = reason;
        }

        String key() {
            return in.stream() + " " + in.id();
        }

        String positionId() {
            return kind == Kind.FILL ? ((Fill) event).positionId()
                    : kind == Kind.POSITION ? ((PositionOpened) event).positionId() : null;
        }
    }

    void process(List<Inbound> batch) {
        process(batch, null);
    }

    /**
     * Entries delivered to this consumer by a read whose batch was never handled (read ahead when a
     * commit failed): reading them back from its own pending list counts a delivery of ours.
     */
    void deliveredUnhandled(String stream, String id) {
        if (selfCaused.size() > MAX_TRACKED) {
            selfCaused.clear();
        }
        selfCaused.merge(stream + " " + id, 1L, Long::sum);
    }

    /**
     * A batch handled whole before returning: its effects committed, or its entries left pending
     * (the batch in flight, if any, is settled first).
     *
     * @param whileCommitting run once, when the first round's last commit call is sent (null: nothing)
     */
    void process(List<Inbound> batch, Runnable whileCommitting) {
        settle();
        List<Work> works = parse(batch);
        guarded(works, null, () -> retry(collect(send(works, true, whileCommitting, null))));
    }

    /**
     * A batch computed and sent while the one before it, still in flight, runs in Redis; then that
     * one is settled, and this one is left in flight (until the next batch, or {@link #settle}).
     * This batch is computed from the state the batch before predicts (its view, run ahead of
     * Redis's answer): every guess is checked by the commit script, and an entry whose guess was
     * wrong is refused ("stale", "conflict"), changes nothing, and is computed again from the
     * stored state. So a batch costs Redis's time or the worker's, whichever is longer, not both.
     * Should the batch before need entries computed again, this one is settled with it, in time
     * order, before anything else is computed.
     */
    void pipelined(List<Inbound> batch, Runnable whileCommitting) {
        Flight previous = inFlight;
        inFlight = null;
        if (previous != null && !previous.deferred().isEmpty()) {
            // entries of it wait for a round that reads everything: nothing after them is computed first
            settle(previous);
            previous = null;
        }
        Flight before = previous;
        List<Work> works = parse(batch);
        guarded(works, before, () -> {
            Flight current = send(works, true, whileCommitting, before == null ? null : before.view());
            List<Work> again = before == null ? List.of() : collect(before);
            if (again.isEmpty()) {
                inFlight = current;
                return;
            }
            // the batch before was not all as predicted: this one is answered too, and the entries of
            // both that must be computed again are, in time order, from the state as stored
            again.addAll(collect(current));
            again.sort((a, b) -> BY_TIME.compare(a.in, b.in));
            retry(again);
        });
    }

    /** Settles the batch in flight, if any: its replies, and the rounds its refused entries need. */
    void settle() {
        Flight flight = inFlight;
        inFlight = null;
        if (flight != null) {
            settle(flight);
        }
    }

    private void settle(Flight flight) {
        guarded(flight.works(), null, () -> retry(collect(flight)));
    }

    /**
     * After a Redis failure outside the processor (the next batch's read): the batch in flight is
     * given up as one whose replies were lost. Its entries are read again by this consumer, as
     * deliveries of its own (not counted toward max-deliveries), and those not read again were
     * committed ({@link #settleUnconfirmed}).
     */
    void abandonInFlight() {
        Flight flight = inFlight;
        if (flight != null) {
            givenUp(flight.works());
        }
    }

    /** Whether a batch is in flight (sent, its replies not handled yet). */
    boolean inFlight() {
        return inFlight != null;
    }

    private List<Work> parse(List<Inbound> batch) {
        List<Inbound> ordered = new ArrayList<>(batch);
        ordered.sort(BY_TIME);
        List<Work> works = new ArrayList<>(ordered.size());
        for (Inbound in : ordered) {
            if (!unconfirmed.isEmpty()) {
                unconfirmed.remove(in.stream() + " " + in.id());
            }
            Work w = parse(in);
            if (w != null) {
                works.add(w);
            }
        }
        return works;
    }

    /** Computes entries that lost a race in the first round again, from the state as stored, until none is left. */
    private void retry(List<Work> remaining) {
        Backoff contention = new Backoff(1, 20);
        for (int round = 1; !remaining.isEmpty(); round++) {
            if (round == MAX_ROUNDS) {
                log.warn("{} entries still contended after {} rounds; left pending for redelivery",
                        remaining.size(), round);
                remaining.forEach(w -> metrics.event(w.in.kind().metricTag, "failed"));
                return;
            }
            // another worker changed what these entries depend on: let it finish, not in step
            LockSupport.parkNanos(contention.nextJittered() * 1_000_000L);
            remaining = collect(send(remaining, false, null, null));
        }
    }

    /**
     * Runs {@code step}; should Redis refuse or lose a commit, the entries of {@code works} and of the
     * flight {@code also} not confirmed will be read again by this consumer: counted as its own
     * deliveries, and as maybe committed (their replies may be lost, not their effects).
     */
    private void guarded(List<Work> works, Flight also, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            givenUp(works);
            if (also != null) {
                unconfirmedOf(also.works());
            }
            throw e;
        }
    }

    /**
     * The calls sent are never to be answered here (not the next round's replies), nothing stays in
     * flight, and these entries are this consumer's to read again.
     */
    private void givenUp(List<Work> works) {
        committer.discard();
        inFlight = null;
        if (selfCaused.size() > MAX_TRACKED) {
            selfCaused.clear();
        }
        if (unconfirmed.size() > MAX_TRACKED) {
            unconfirmed.clear();
        }
        unconfirmedOf(works);
    }

    private void unconfirmedOf(List<Work> works) {
        for (Work w : works) {
            if (!w.confirmed) {
                selfCaused.merge(w.key(), 1L, Long::sum);
                if (w.op != 0) {
                    unconfirmed.put(w.key(), w);
                }
            }
        }
    }

    /**
     * Called once this consumer has read all of its own pending entries again after a failure: the
     * unconfirmed entries it did not get back were committed by the call whose reply was lost.
     */
    void settleUnconfirmed() {
        for (Work w : unconfirmed.values()) {
            forget(w);
            count(w);
        }
        unconfirmed.clear();
    }

    private Work parse(Inbound in) {
        if (in.body() == null) {
            return new Work(in, Kind.VANISHED, null, null, null);
        }
        long deliveries = in.deliveries()
                - (selfCaused.isEmpty() ? 0L : selfCaused.getOrDefault(in.stream() + " " + in.id(), 0L));
        if (deliveries > settings.maxDeliveries()) {
            return new Work(in, Kind.DEAD, null, ErrorCode.MAX_DELIVERIES, "delivered " + deliveries
                    + " times, more than max-deliveries (" + settings.maxDeliveries() + ").");
        }
        try {
            EventFields fields = EventFields.of(in.body(), settings.maxEntryBytes());
            Work work = switch (in.kind()) {
                case POSITION_OPENED -> new Work(in, Kind.POSITION, PositionOpened.parse(fields, in.id(), settings), null, null);
                case TRADE_CLOSED -> new Work(in, Kind.TRADE, TradeClosed.parse(fields, in.id(), settings), null, null);
                case FILL -> new Work(in, Kind.FILL, FillEvent.parse(fields, in.id()), null, null);
            };
            String symbol = switch (in.kind()) {
                case POSITION_OPENED -> ((PositionOpened) work.event).symbol();
                case TRADE_CLOSED -> ((TradeClosed) work.event).symbol();
                // optional on a fill: the producer routes it by its position's symbol
                case FILL -> fields.text("symbol");
            };
            checkPartition(symbol == null ? null : symbol.trim());
            return work;
        } catch (InvalidInputException e) {
            return new Work(in, Kind.DEAD, null, e.code(), e.reason());
        } catch (RuntimeException e) {
            // A bug, not bad input: the entry stays pending; redelivery and max-deliveries decide.
            log.error("reading {} {} failed; left pending", in.stream(), in.id(), e);
            metrics.event(in.kind().metricTag, "failed");
            return null;
        }
    }

    /**
     * SPEC §10: an event read from another partition's stream than its symbol's would split the
     * symbol's PnL window and plans over two partitions; it is refused.
     */
    private void checkPartition(String symbol) {
        Partitioning partitioning = settings.partitioning();
        if (symbol != null && !symbol.isEmpty() && !partitioning.owns(symbol)) {
            throw new InvalidInputException(ErrorCode.INVALID_VALUE, "symbol " + symbol + " belongs to partition "
                    + Partitioning.of(symbol, partitioning.count()) + " (crc32 of the symbol mod "
                    + partitioning.count() + "), not to partition " + partitioning.index()
                    + "; route the producer's events by symbol");
        }
    }

    /** One round's commit calls, sent: the entries, the view they were computed from, the calls and who is in each. */
    private record Flight(List<Work> works, StateView view, List<CommitCall> calls, List<List<Work>> members,
                          List<Work> deferred) {
    }

    /**
     * Computes one round (reading what the view lacks) and sends its commit calls.
     *
     * @param carried the view of a batch still in flight (its predictions are this round's start), or null
     */
    private Flight send(List<Work> works, boolean trustMemory, Runnable whileCommitting, StateView carried) {
        // none of these is confirmed by this round yet: a failure from here on is Redis's, not theirs
        works.forEach(w -> w.confirmed = false);
        StateView view = new StateView(settings, keys, pipeline, scopes, plans, carried);
        view.read(works.stream().filter(w -> w.kind == Kind.POSITION).map(w -> (PositionOpened) w.event).toList(),
                works.stream().filter(w -> w.kind == Kind.TRADE).map(w -> (TradeClosed) w.event).toList(),
                works.stream().filter(w -> w.kind == Kind.FILL).map(w -> (Fill) w.event).toList(), trustMemory);
        long now = clock.instant().getEpochSecond();
        Set<String> tradeIds = new HashSet<>();
        List<Work> deferred = new ArrayList<>();
        List<CommitCall> calls = new ArrayList<>();
        List<List<Work>> members = new ArrayList<>();
        CommitCall call = newCall();
        List<Work> inCall = new ArrayList<>();
        for (int k = 0; k < works.size(); k++) {
            Work w = works.get(k);
            CommitCall.Mark mark = call.mark();
            try {
                encode(w, call, view, tradeIds, now);
                inCall.add(w);
            } catch (StateView.NotRead e) {
                // a state this round did not read (a plan created earlier in the batch): this entry and
                // every one after it wait for the next round, which reads all, so the order is kept
                call.rollback(mark);
                deferred.addAll(works.subList(k, works.size()));
                break;
            } catch (RuntimeException e) {
                call.rollback(mark);
                // A bug or damaged state, not bad input: left pending; redelivery and max-deliveries decide.
                log.error("computing the effect of {} {} failed; left pending", w.in.stream(), w.in.id(), e);
                metrics.event(w.in.kind().metricTag, "failed");
                continue;
            }
            if (call.entries() == CHUNK) {
                committer.send(call);
                calls.add(call);
                members.add(inCall);
                call = newCall();
                inCall = new ArrayList<>();
            }
        }
        if (call.entries() > 0) {
            committer.send(call);
            calls.add(call);
            members.add(inCall);
        }
        if (whileCommitting != null) {
            try {
                whileCommitting.run();
            } catch (RuntimeException e) {
                log.debug("reading ahead failed to start: {}", e.toString()); // the next read is then a plain one
            }
        }
        return new Flight(works, view, calls, members, deferred);
    }

    /** The replies of a round's calls, handled; returns the entries to try again (they lost a race). */
    private List<Work> collect(Flight flight) {
        List<CommitCall> calls = flight.calls();
        if (calls.isEmpty()) {
            return new ArrayList<>(flight.deferred());
        }
        List<List<Object>> replies = committer.replies(calls);
        List<Work> retry = new ArrayList<>();
        for (int c = 0; c < calls.size(); c++) {
            List<Work> ws = flight.members().get(c);
            List<Object> codes = replies.get(c);
            for (int i = 0; i < ws.size(); i++) {
                if (!outcome(ws.get(i), String.valueOf(codes.get(i)))) {
                    retry.add(ws.get(i));
                }
            }
        }
        // answered: their buffers (some 80 KB a call) serve the next round
        calls.forEach(c -> {
            if (spareCalls.size() < maxSpareCalls) {
                c.reset();
                spareCalls.add(c);
            }
        });
        retry.addAll(flight.deferred());
        return retry;
    }

    private CommitCall newCall() {
        CommitCall call = spareCalls.poll();
        return call != null ? call : new CommitCall(settings.group(), outputMaxLen, deadLetterMaxLen, CHUNK);
    }

    /** Commits through the worker's pipeline. */
    private static final class RedisCommitter implements Committer {
        private final Pipeline pipeline;
        private final Script commit;
        /** Sent, not answered yet, in order: the calls of up to two rounds (one in flight). */
        private final ArrayDeque<RedisFuture<List<Object>>> futures = new ArrayDeque<>();

        RedisCommitter(Pipeline pipeline, Script commit) {
            this.pipeline = pipeline;
            this.commit = commit;
        }

        @Override
        public void send(CommitCall call) {
            futures.add(call.send(commit, pipeline.commands()));
            pipeline.flush();
        }

        @Override
        public void discard() {
            futures.clear();
        }

        @Override
        public List<List<Object>> replies(List<CommitCall> calls) {
            List<RedisFuture<List<Object>>> sent = new ArrayList<>(calls.size());
            for (int i = 0; i < calls.size(); i++) {
                sent.add(futures.poll());
            }
            // sent again whole if Redis lost its scripts: entries that did commit then answer "gone" or "dup"
            return pipeline.awaitOrResend(sent, redis -> {
                List<RedisFuture<List<Object>>> again = new ArrayList<>(calls.size());
                calls.forEach(c -> again.add(c.send(commit, redis)));
                return again;
            });
        }
    }

    /** Computes one entry's effect from the view (advancing the view past it) and adds its record to the call. */
    private void encode(Work w, CommitCall call, StateView view, Set<String> tradeIds, long now) {
        w.op = 0;
        w.confirmed = false;
        w.refusedCode = null;
        w.scopeAfter = null;
        w.planAfter = null;
        w.planState = null;
        w.applied = null;
        switch (w.kind) {
            case VANISHED -> {
                w.op = 'A';
                call.entry('A', w.in.stream(), w.in.id());
            }
            case DEAD -> deadLetter(w, call, w.code, w.reason);
            case POSITION -> {
                try {
                    levels(w, (PositionOpened) w.event, call, view, now);
                } catch (InvalidInputException e) {
                    deadLetter(w, call, e.code(), e.reason());
                }
            }
            case TRADE -> trade(w, (TradeClosed) w.event, call, view, tradeIds, now);
            case FILL -> fill(w, (Fill) w.event, call, view, tradeIds, now);
        }
    }

    private void deadLetter(Work w, CommitCall call, ErrorCode code, String reason) {
        w.op = 'D';
        w.refusedCode = code;
        w.refusedReason = reason;
        call.entry('D', w.in.stream(), w.in.id()).key(settings.streams().deadLetter()).fields(deadLetterFields(w, code, reason));
    }

    private Map<String, String> deadLetterFields(Work w, ErrorCode code, String reason) {
        return DeadLetter.fields(w.in.stream(), w.in.id(), code, reason, w.in.body(), w.in.deliveries(),
                settings.consumer(), clock.instant().getEpochSecond());
    }

    private void levels(Work w, PositionOpened p, CommitCall call, StateView view, long now) {
        String scope = settings.pnlScopeOf(p.symbol());
        String average = view.average(scope);
        LevelSet set = engine.compute(p.request(parseAverage(scope, average)));
        Map<String, String> fields = LevelsRecord.fields(set, p.context(w.in.id()), now);
        String planKey = null;
        String planState = "";
        String planVersion = "";
        if (settings.plans().enabled() && p.plannable()) {
            ExitPlan plan = PlanRules.create(p.positionId(), p.symbol(), p.side().orElseThrow(), p.leverage(),
                    p.entryPrice(), p.quantity(), p.tickSize(), set.prices().orElseThrow(), set.quantities().orElseThrow())
                    .withVersion(changeId(w));
            planKey = keys.plan(p.positionId());
            planState = plan.encode();
            planVersion = plan.version();
            if (!view.damagedPlan(p.positionId()) && view.plan(p.positionId()) == null) {
                view.putPlan(p.positionId(), plan);
                w.planAfter = plan;
                w.planState = planState;
            }
            fields.put("plan", "created"); // the script makes it "exists" when the plan is there already
        } else {
            fields.put("plan", "none");
        }
        w.op = 'L';
        w.scope = scope;
        call.entry('L', w.in.stream(), w.in.id()).key(settings.streams().levels()).key(keys.scope(scope)).arg(average)
                .key(planKey).arg(Long.toString(settings.plans().ttlSeconds())).arg(planVersion).arg(planState).fields(fields);
    }

    private void trade(Work w, TradeClosed t, CommitCall call, StateView view, Set<String> tradeIds, long now) {
        String scope = settings.pnlScopeOf(t.symbol());
        boolean duplicate = view.recorded(t.tradeId()) || !tradeIds.add(t.tradeId());
        WindowEntry entry = new WindowEntry(t.pnl(), t.bucket());
        w.op = 'T';
        call.entry('T', w.in.stream(), w.in.id());
        tradePart(w, call, view, scope, t.tradeId(), duplicate ? null : entry, t.symbol(), Decimals.plain(t.leverage()),
                t.closedAt(), now);
    }

    /**
     * The trade part of a record: where the trade goes and the state it moves its scope to.
     *
     * @param entry null when the id is taken for a duplicate: the script then only checks that it is
     */
    private void tradePart(Work w, CommitCall call, StateView view, String scope, String tradeId, WindowEntry entry,
                           String symbol, String leverage, String closedAt, long now) {
        ScopeState before = view.state(scope);
        // last_id names the input kind too: a trade and a fill can have the same entry id
        ScopeState after = entry == null ? before : before.record(entry, changeId(w), settings.pnlWindow());
        PnlStats stats = after.stats();
        String average = Decimals.plain(stats.averagePnl());
        Map<String, String> fields = Map.of();
        if (entry != null) {
            view.putState(scope, after, average);
            w.scope = scope;
            w.scopeAfter = after;
            w.averageAfter = average;
            fields = statsFields(scope, tradeId, symbol, leverage, Decimals.plain(entry.pnl()), stats, closedAt,
                    w.in.id(), now);
        }
        call.key(settings.streams().stats()).key(keys.scope(scope)).key(keys.window(scope)).key(keys.trade(tradeId))
                .key(keys.scope(PnlKeys.GLOBAL)).key(keys.window(PnlKeys.GLOBAL))
                .arg(Long.toString(before.totalTrades())).arg(before.lastId()).arg(entry == null ? "" : entry.encode())
                .arg(Integer.toString(settings.pnlWindow())).arg(Long.toString(settings.dedupTtlSeconds()))
                .arg(Long.toString(settings.scopeTtlSeconds()))
                .arg(average).arg(fields.isEmpty() ? "" : fields.get("win_rate"))
                .arg(Integer.toString(stats.windowTrades())).arg(after.lastId()).fields(fields);
    }

    private static Map<String, String> statsFields(String scope, String tradeId, String symbol, String leverage,
                                                   String pnl, PnlStats stats, String closedAt, String sourceId,
                                                   long now) {
        Map<String, String> f = new LinkedHashMap<>(32);
        f.put("scope", scope);
        f.put("trade_id", tradeId);
        f.put("symbol", symbol);
        f.put("leverage", leverage);
        f.put("pnl", pnl);
        f.put("avg_pnl_last_20", Decimals.plain(stats.averagePnl()));
        f.put("win_rate", Decimals.plain(stats.winRate()));
        f.put("window_trades", Integer.toString(stats.windowTrades()));
        f.put("total_trades", Long.toString(stats.totalTrades()));
        f.put("by_leverage", stats.byLeverageJson());
        if (closedAt != null) {
            f.put("closed_at", closedAt);
        }
        f.put("source_id", sourceId);
        f.put("timestamp", Long.toString(now));
        return f;
    }

    /** SPEC §9: rules 2 to 5 on the plan as the view has it (rule 1, an applied fill id, is the script's). */
    private void fill(Work w, Fill f, CommitCall call, StateView view, Set<String> tradeIds, long now) {
        if (!settings.plans().enabled()) {
            deadLetter(w, call, ErrorCode.UNKNOWN_POSITION, "position " + f.positionId()
                    + " has no exit plan: plans are disabled (plan.enabled=false, EXITBRAIN_PLAN_ENABLED).");
            return;
        }
        ExitPlan plan = view.plan(f.positionId());
        String version = plan == null ? "" : plan.version();
        PlanRules.Outcome outcome = plan == null ? new PlanRules.Refused(ErrorCode.UNKNOWN_POSITION,
                "no exit plan for position_id " + f.positionId() + ": its position-opened entry (with position_id, "
                        + "side, entry_price and quantity) was not processed before this fill, or the plan expired.")
                : planRules.apply(plan, f);
        if (outcome instanceof PlanRules.Refused refused) {
            w.op = 'R';
            w.refusedCode = refused.code();
            w.refusedReason = refused.reason();
            call.entry('R', w.in.stream(), w.in.id()).key(settings.streams().deadLetter()).key(keys.plan(f.positionId()))
                    .arg(version).arg(f.fillId()).fields(deadLetterFields(w, refused.code(), refused.reason()));
            return;
        }
        PlanRules.Applied applied = (PlanRules.Applied) outcome;
        ExitPlan after = applied.plan().withVersion(changeId(w));
        applied = new PlanRules.Applied(after, applied.stopMoved(), applied.pnl());
        boolean record = after.closed() && settings.plans().recordTrades();
        boolean duplicate = record && (view.recorded(f.positionId()) || !tradeIds.add(f.positionId()));
        w.op = 'F';
        w.applied = applied;
        w.planAfter = after;
        w.planState = after.encode();
        w.tradeRecorded = record && !duplicate;
        view.putPlan(f.positionId(), after);
        long ttl = after.closed() ? settings.plans().closedTtlSeconds() : settings.plans().ttlSeconds();
        call.entry('F', w.in.stream(), w.in.id()).key(settings.streams().plans()).key(keys.plan(f.positionId()))
                .arg(version).arg(f.fillId()).arg(Long.toString(ttl)).arg(after.version()).arg(w.planState)
                .fields(PlanRecord.fields(applied, f, w.in.id(), now, w.tradeRecorded))
                .arg(record ? duplicate ? "2" : "1" : "0");
        if (record) {
            WindowEntry entry = new WindowEntry(Decimals.exact(applied.pnl()),
                    LeverageBucket.of(Double.parseDouble(after.leverage())));
            tradePart(w, call, view, settings.pnlScopeOf(after.symbol()), f.positionId(), duplicate ? null : entry,
                    after.symbol(), after.leverage(), f.filledAt(), now);
        }
    }

    /**
     * The id of the change an entry makes to shared state (a plan's version, a scope's last_id): its
     * input kind and entry id, since entry ids of different streams can be equal.
     */
    private static String changeId(Work w) {
        return w.in.kind().metricTag + ":" + w.in.id();
    }

    /** Handles one entry's reply; false when the entry must be computed again. */
    private boolean outcome(Work w, String code) {
        String type = w.in.kind().metricTag;
        Long ourDeliveries = selfCaused.isEmpty() ? null : selfCaused.remove(w.key());
        boolean ours = ourDeliveries != null;
        w.confirmed = true;
        switch (code) {
            case "ok", "exists" -> committed(w, code.equals("exists"));
            case "gone" -> {
                forget(w);
                if (ours) {
                    // an earlier commit of ours that Redis applied but whose reply was lost
                    count(w);
                } else {
                    metrics.event(type, "skipped");
                }
            }
            case "dup" -> {
                forget(w);
                metrics.event(type, "duplicate");
            }
            case "stale", "conflict" -> {
                forget(w);
                metrics.conflict();
                if (ours) {
                    selfCaused.put(w.key(), ourDeliveries); // retried in this process: still ours
                }
                return false;
            }
            default -> {
                forget(w);
                // wrongtype:<key>: a key of the worker's holds another type; nothing was done
                log.error("{} {} left pending: {} (the key must be removed or renamed by an operator)",
                        w.in.stream(), w.in.id(), code);
                metrics.event(type, "failed");
            }
        }
        return true;
    }

    /** The predictions an entry that did not commit made are not the store's: drop them. */
    private void forget(Work w) {
        if (w.scope != null) {
            scopes.forget(w.scope);
        }
        String positionId = w.positionId();
        if (positionId != null) {
            plans.forget(positionId);
        }
    }

    private void committed(Work w, boolean planExisted) {
        switch (w.op) {
            case 'L' -> {
                if (planExisted) {
                    plans.forget(w.positionId());
                } else if (w.planAfter != null) {
                    plans.put(w.planAfter, w.planState);
                }
            }
            case 'T' -> {
                if (w.scopeAfter != null) {
                    scopes.put(w.scope, w.scopeAfter, w.averageAfter);
                }
            }
            case 'F' -> {
                plans.put(w.planAfter, w.planState);
                if (w.scopeAfter != null) {
                    scopes.put(w.scope, w.scopeAfter, w.averageAfter);
                }
            }
            default -> {
            }
        }
        count(w);
    }

    /** The metrics and log lines of an entry Redis committed. */
    private void count(Work w) {
        String type = w.in.kind().metricTag;
        switch (w.op) {
            case 'A' -> {
                log.warn("entry {} of {} was deleted while pending; acknowledged without processing", w.in.id(), w.in.stream());
                metrics.event(type, "vanished");
            }
            case 'D', 'R' -> {
                metrics.event(type, "dead_letter");
                metrics.deadLetter(w.refusedCode.wire());
                deadLetters.warn("dead letter: {} {} {}: {}", w.in.stream(), w.in.id(), w.refusedCode.wire(), w.refusedReason);
            }
            case 'L' -> metrics.event(type, "published");
            case 'T' -> metrics.event(type, "recorded");
            case 'F' -> {
                metrics.event(type, "applied");
                if (w.applied.stopMoved()) {
                    metrics.stopMoved(w.planAfter.stopReason().wire());
                }
                if (w.planAfter.closed()) {
                    metrics.planClosed(w.tradeRecorded);
                }
            }
            default -> throw new IllegalStateException("no op for " + w.key());
        }
    }

    /** The scope's average as a number: 0 for none; a damaged value fails the levels that need it. */
    private static double parseAverage(String scope, String text) {
        if (text.isEmpty()) {
            return 0.0;
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("avg_pnl of scope " + scope + " is not a number: " + text, e);
        }
    }
}
