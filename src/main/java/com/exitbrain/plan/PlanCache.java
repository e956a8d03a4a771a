package com.exitbrain.plan;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The plans this worker created or changed last, so that the fills that follow need no read. A
 * guess like any cache of shared state: the commit script applies a change only to the version it
 * was computed from. Least recently used first out.
 */
public final class PlanCache {
    private final Map<String, ExitPlan> plans;

    public PlanCache(int capacity) {
        this.plans = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ExitPlan> eldest) {
                return size() > capacity;
            }
        };
    }

    public ExitPlan get(String positionId) {
        return plans.get(positionId);
    }

    public boolean contains(String positionId) {
        return plans.containsKey(positionId);
    }

    public void put(ExitPlan plan) {
        plans.put(plan.positionId(), plan);
    }

    public void forget(String positionId) {
        plans.remove(positionId);
    }
}
