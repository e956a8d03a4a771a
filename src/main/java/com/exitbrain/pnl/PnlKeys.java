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

    /** Marker of a recorded trade id, with a time to live (SPEC §8, dedup-ttl). */
    public String trade(String tradeId) {
        return prefix + ":trade:" + tradeId;
    }
}
