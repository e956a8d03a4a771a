package com.exitbrain.plan;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The plans this worker created or changed last, so that the fills that follow need no read. A
 * guess like any cache of shared state: the commit script applies a change only to the version it
 * was computed from. Least recently used first out. A plan is kept as it is stored (its encoded
 * line and version, two strings) and decoded when a fill needs it: kept as objects, the 10,000
 * plans of a drain were some 1.5 KB each to copy into the old generation, one per position, and
 * filled it every few seconds (a full collection of 100 ms each time, bench/README.md).
 */
public final class PlanCache {
    private record Stored(String state, String version) {
    }

    private final Map<String, Stored> plans;

    public PlanCache(int capacity) {
        this.plans = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Stored> eldest) {
                return size() > capacity;
            }
        };
    }

    public ExitPlan get(String positionId) {
        Stored stored = plans.get(positionId);
        return stored == null ? null : ExitPlan.decode(positionId, stored.state(), stored.version());
    }

    public boolean contains(String positionId) {
        return plans.containsKey(positionId);
    }

    /** @param encoded the plan's {@link ExitPlan#encode}d line, as the commit stored it */
    public void put(ExitPlan plan, String encoded) {
        plans.put(plan.positionId(), new Stored(encoded, plan.version()));
    }

    public void forget(String positionId) {
        plans.remove(positionId);
    }
}
