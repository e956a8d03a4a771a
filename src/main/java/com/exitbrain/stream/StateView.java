package com.exitbrain.stream;

import com.exitbrain.event.PositionOpened;
import com.exitbrain.event.TradeClosed;
import com.exitbrain.redis.Pipeline;

import com.exitbrain.config.Settings;
import com.exitbrain.plan.ExitPlan;
import com.exitbrain.plan.Fill;
import com.exitbrain.plan.PlanCache;
import com.exitbrain.pnl.PnlKeys;
import com.exitbrain.pnl.ScopeCache;
import com.exitbrain.pnl.ScopeState;
import com.exitbrain.pnl.WindowEntry;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shared state one round of a batch is computed from: PnL scopes (version, window, average),
 * exit plans and recorded trade ids, as read from Redis or as this worker's caches have them, and
 * then as the batch's own entries change them, one after the other. Every value is a guess the
 * commit script verifies; reads are pipelined, one round trip (two when fills close plans of scopes
 * not yet known).
 */
final class StateView {
    private static final String[] SCOPE_FIELDS = {"total_trades", "last_id", PnlKeys.AVERAGE_FIELD};

    private final Settings settings;
    private final PnlKeys keys;
    /** Null in a rehearsal, which reads as an empty Redis. */
    private final Pipeline pipeline;
    private final ScopeCache scopeCache;
    private final PlanCache planCache;
    private final Map<String, ScopeState> states = new HashMap<>();
    private final Map<String, String> averages = new HashMap<>();
    /** Position id → its plan; a null value is a plan known not to exist. */
    private final Map<String, ExitPlan> plans = new HashMap<>();
    private final Set<String> recorded = new HashSet<>();
    /** Position ids whose stored plan cannot be read back: their fills fail one by one, not the batch. */
    private final Map<String, String> damaged = new HashMap<>();

    /** A state this round did not read: the entry waits for a round that reads everything. */
    static final class NotRead extends RuntimeException {
        NotRead(String what) {
            super(what + " was not read", null, false, false);
        }
    }

    /** Scopes whose stored state cannot be read back: the entries needing them fail one by one. */
    private final Map<String, String> damagedScopes = new HashMap<>();
    /**
     * The view of the batch still in flight, whose predictions this one starts from (its own ones
     * only: the batches before it are settled, their effects in the caches); null for none.
     */
    private StateView base;

    StateView(Settings settings, PnlKeys keys, Pipeline pipeline, ScopeCache scopeCache, PlanCache planCache) {
        this(settings, keys, pipeline, scopeCache, planCache, null);
    }

    /** @param base the view of the batch in flight, or null; its own base is dropped (settled by now) */
    StateView(Settings settings, PnlKeys keys, Pipeline pipeline, ScopeCache scopeCache, PlanCache planCache,
              StateView base) {
        this.settings = settings;
        this.keys = keys;
        this.pipeline = pipeline;
        this.scopeCache = scopeCache;
        this.planCache = planCache;
        this.base = base;
        if (base != null) {
            base.base = null;
        }
    }

    String average(String scope) {
        undamaged(scope);
        String a = averages.get(scope);
        if (a == null && base != null) {
            a = base.averages.get(scope);
        }
        if (a == null) {
            throw new NotRead("scope " + scope);
        }
        return a;
    }

    ScopeState state(String scope) {
        undamaged(scope);
        ScopeState s = states.get(scope);
        if (s == null && base != null) {
            s = base.states.get(scope);
        }
        if (s == null) {
            throw new NotRead("scope " + scope);
        }
        return s;
    }

    private void undamaged(String scope) {
        String why = damagedScopes.get(scope);
        if (why == null && base != null) {
            why = base.damagedScopes.get(scope);
        }
        if (why != null) {
            throw new IllegalStateException("the stored state of PnL scope " + scope + " is damaged: " + why);
        }
    }

    void putState(String scope, ScopeState state, String average) {
        states.put(scope, state);
        averages.put(scope, average);
    }

    /** The plan of a position, or null when there is none (or none is known). */
    ExitPlan plan(String positionId) {
        String why = damaged.get(positionId);
        if (why == null && base != null && !plans.containsKey(positionId)) {
            why = base.damaged.get(positionId);
        }
        if (why != null) {
            throw new IllegalStateException(why);
        }
        return knownPlan(positionId);
    }

    /** The plan this view, or the one it starts from, knows (null: none, or none known). */
    private ExitPlan knownPlan(String positionId) {
        if (base != null && !plans.containsKey(positionId)) {
            return base.plans.get(positionId);
        }
        return plans.get(positionId);
    }

    /** Whether this view, or the one it starts from, knows the plan (as a plan or as none). */
    private boolean knowsPlan(String positionId) {
        return plans.containsKey(positionId) || base != null && base.plans.containsKey(positionId);
    }

    /** Whether a plan is stored under this id that cannot be read back. */
    boolean damagedPlan(String positionId) {
        return damaged.containsKey(positionId)
                || base != null && !plans.containsKey(positionId) && base.damaged.containsKey(positionId);
    }

    void putPlan(String positionId, ExitPlan plan) {
        plans.put(positionId, plan);
    }

    /** Whether the trade id was read as recorded (only read when memory is not trusted). */
    boolean recorded(String tradeId) {
        return recorded.contains(tradeId) || base != null && base.recorded.contains(tradeId);
    }

    /**
     * Fills the view for these entries. With memory trusted (a batch's first round) the caches
     * answer what they can and every trade id is taken for new; otherwise everything is read.
     */
    void read(List<PositionOpened> positions, List<TradeClosed> trades, List<Fill> fills, boolean trustMemory) {
        Set<String> needAverage = new LinkedHashSet<>();
        Set<String> needState = new LinkedHashSet<>();
        Set<String> needPlan = new LinkedHashSet<>();
        Set<String> needMarker = new LinkedHashSet<>();
        for (PositionOpened p : positions) {
            String scope = settings.pnlScopeOf(p.symbol());
            if (!fromCache(scope, false, trustMemory)) {
                needAverage.add(scope);
            }
            if (!trustMemory && p.plannable()) {
                needPlan.add(p.positionId());
            }
        }
        for (TradeClosed t : trades) {
            String scope = settings.pnlScopeOf(t.symbol());
            if (!fromCache(scope, true, trustMemory)) {
                needState.add(scope);
            }
            if (!trustMemory) {
                needMarker.add(t.tradeId());
            }
        }
        for (Fill f : fills) {
            if (trustMemory && knowsPlan(f.positionId())) {
                continue; // the batch in flight predicts it
            }
            ExitPlan cached = trustMemory ? planCache.get(f.positionId()) : null;
            if (cached != null) {
                plans.put(f.positionId(), cached);
            } else {
                needPlan.add(f.positionId());
            }
            if (!trustMemory && settings.plans().recordTrades()) {
                needMarker.add(f.positionId());
            }
        }
        if (settings.plans().recordTrades()) {
            // a fill may close a plan a position of this batch creates: its scope must be read too
            Set<String> filled = new HashSet<>();
            fills.forEach(f -> filled.add(f.positionId()));
            for (PositionOpened p : positions) {
                String scope = settings.pnlScopeOf(p.symbol());
                if (p.plannable() && filled.contains(p.positionId()) && !fromCache(scope, true, trustMemory)) {
                    needState.add(scope);
                }
            }
        }
        needAverage.removeAll(needState);
        fetch(needAverage, needState, needPlan, needMarker);
        // a fill may close its plan and record the trade: the plan's scope is needed too
        Set<String> closingScopes = new LinkedHashSet<>();
        if (settings.plans().recordTrades()) {
            for (Fill f : fills) {
                ExitPlan plan = damagedPlan(f.positionId()) ? null : knownPlan(f.positionId());
                if (plan != null) {
                    String scope = settings.pnlScopeOf(plan.symbol());
                    if (!fromCache(scope, true, trustMemory)) {
                        closingScopes.add(scope);
                    }
                }
            }
        }
        if (!closingScopes.isEmpty()) {
            fetch(Set.of(), closingScopes, Set.of(), Set.of());
        }
    }

    private boolean fromCache(String scope, boolean needState, boolean trustMemory) {
        if (states.containsKey(scope) || !needState && averages.containsKey(scope)) {
            return true;
        }
        if (base != null && (base.states.containsKey(scope) || !needState && base.averages.containsKey(scope))) {
            return true; // the batch in flight predicts it
        }
        ScopeCache.Known known = trustMemory ? scopeCache.get(scope) : null;
        if (known == null || needState && known.state() == null) {
            return false;
        }
        averages.put(scope, known.average());
        if (known.state() != null) {
            states.put(scope, known.state());
        }
        return true;
    }

    private void fetch(Set<String> needAverage, Set<String> needState, Set<String> needPlan, Set<String> needMarker) {
        if (needAverage.isEmpty() && needState.isEmpty() && needPlan.isEmpty() && needMarker.isEmpty()) {
            return;
        }
        List<String> averageScopes = new ArrayList<>(needAverage);
        List<String> stateScopes = new ArrayList<>(needState);
        List<String> planIds = new ArrayList<>(needPlan);
        List<String> markerIds = new ArrayList<>(needMarker);
        List<Object> replies = pipeline == null ? emptyStore(averageScopes, stateScopes, planIds, markerIds) : pipeline.run(redis -> {
            List<RedisFuture<Object>> futures = new ArrayList<>();
            averageScopes.forEach(s -> futures.add(cast(redis.hget(keys.scope(s), PnlKeys.AVERAGE_FIELD))));
            for (String s : stateScopes) {
                futures.add(cast(redis.hmget(keys.scope(s), SCOPE_FIELDS)));
                futures.add(cast(redis.lrange(keys.window(s), 0, settings.pnlWindow() - 1)));
            }
            planIds.forEach(id -> futures.add(cast(redis.hmget(keys.plan(id), "state", "v"))));
            markerIds.forEach(id -> futures.add(cast(redis.exists(keys.trade(id)))));
            return futures;
        });
        int at = 0;
        for (String s : averageScopes) {
            Object value = replies.get(at++);
            averages.put(s, value == null ? "" : (String) value);
        }
        for (String s : stateScopes) {
            List<KeyValue<String, String>> version = values(replies.get(at++));
            @SuppressWarnings("unchecked")
            List<String> window = (List<String>) replies.get(at++);
            try {
                long total = Long.parseLong(version.get(0).getValueOrElse("0"));
                states.put(s, new ScopeState(total, version.get(1).getValueOrElse(""),
                        window.stream().map(WindowEntry::decode).toList()));
                averages.put(s, version.get(2).getValueOrElse(""));
            } catch (RuntimeException e) {
                damagedScopes.put(s, e.getMessage());
            }
        }
        for (String id : planIds) {
            List<KeyValue<String, String>> stored = values(replies.get(at++));
            try {
                plans.put(id, ExitPlan.decode(id, stored.get(0).getValueOrElse(null), stored.get(1).getValueOrElse("0")));
            } catch (RuntimeException e) {
                damaged.put(id, e.getMessage());
            }
        }
        for (String id : markerIds) {
            if ((Long) replies.get(at++) > 0) {
                recorded.add(id);
            }
        }
    }

    /** A rehearsal's store (no pipeline): the replies of an empty Redis. */
    private static List<Object> emptyStore(List<String> averageScopes, List<String> stateScopes, List<String> planIds,
                                           List<String> markerIds) {
        List<Object> replies = new ArrayList<>();
        averageScopes.forEach(s -> replies.add(null));
        for (String s : stateScopes) {
            replies.add(absent(SCOPE_FIELDS));
            replies.add(List.of());
        }
        planIds.forEach(id -> replies.add(absent("state", "v")));
        markerIds.forEach(id -> replies.add(0L));
        return replies;
    }

    private static List<KeyValue<String, String>> absent(String... fields) {
        List<KeyValue<String, String>> values = new ArrayList<>(fields.length);
        for (String f : fields) {
            values.add(KeyValue.empty(f));
        }
        return values;
    }

    @SuppressWarnings("unchecked")
    private static List<KeyValue<String, String>> values(Object reply) {
        return (List<KeyValue<String, String>>) reply;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static RedisFuture<Object> cast(RedisFuture<?> future) {
        return (RedisFuture) future;
    }
}
