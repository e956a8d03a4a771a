package com.exitbrain.pnl;

import java.util.ArrayList;
import java.util.List;

/**
 * What a worker read of one scope: its lifetime count, the source id of the last recorded trade
 * (together the version the recording script checks), and the window, newest first.
 */
public record ScopeState(long totalTrades, String lastId, List<WindowEntry> window) {

    public static ScopeState empty() {
        return new ScopeState(0, "", List.of());
    }

    /** The state after recording one more trade with the given source id. */
    public ScopeState record(WindowEntry entry, String sourceId, int windowSize) {
        List<WindowEntry> next = new ArrayList<>(Math.min(window.size() + 1, windowSize));
        next.add(entry);
        for (int i = 0; i < window.size() && next.size() < windowSize; i++) {
            next.add(window.get(i));
        }
        return new ScopeState(totalTrades + 1, sourceId, List.copyOf(next));
    }

    public PnlStats stats() {
        return PnlStats.of(window, totalTrades);
    }
}
