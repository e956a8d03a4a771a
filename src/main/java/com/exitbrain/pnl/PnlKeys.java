package com.exitbrain.pnl;

/** Names of the worker's own Redis keys, under the configured prefix. */
public record PnlKeys(String prefix) {
    public static final String GLOBAL = "global";
    /** The field of a scope hash that holds the rolling average PnL the levels use. */
    public static final String AVERAGE_FIELD = "avg_pnl";

    /** Hash: total_trades, last_id, avg_pnl, win_rate, window_trades. */
    public String scope(String scope) {
        return prefix + ":pnl:" + scope;
    }

    /** List of encoded {@link WindowEntry}, newest first, at most the window size. */
    public String window(String scope) {
        return prefix + ":pnl:" + scope + ":window";
    }

    /**
     * Hash: a position's exit plan (SPEC §9), its version {@code v}, and one field {@code f:<fill id>}
     * per applied fill, so that the applied fill ids expire with their plan.
     */
    public String plan(String positionId) {
        return prefix + ":plan:" + positionId;
    }

    /** Marker of a recorded trade id, with a time to live (SPEC §8, dedup-ttl). */
    public String trade(String tradeId) {
        return prefix + ":trade:" + tradeId;
    }
}
