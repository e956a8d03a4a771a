package com.exitbrain.pnl;

import java.util.HashMap;
import java.util.Map;

/**
 * What this worker last read or wrote of each PnL scope: its state (version and window) and its
 * {@code avg_pnl} text. Only a guess, since other workers record too: the commit script checks
 * both, and a wrong guess costs one retry. Bounded: a worker fed ever new symbols forgets and re-reads.
 */
public final class ScopeCache {
    private static final int MAX_SCOPES = 10_000;

    /**
     * @param state   null when only the average is known
     * @param average the scope's avg_pnl text as stored ("" for none)
     */
    public record Known(ScopeState state, String average) {
    }

    private final Map<String, Known> scopes = new HashMap<>();

    public Known get(String scope) {
        return scopes.get(scope);
    }

    public void put(String scope, ScopeState state, String average) {
        if (scopes.size() >= MAX_SCOPES && !scopes.containsKey(scope)) {
            scopes.clear();
        }
        scopes.put(scope, new Known(state, average));
    }

    public void forget(String scope) {
        scopes.remove(scope);
    }
}
