package com.exitbrain.bench;

/** The worker's default stream, group and key names (its reference.conf); the reference clients use the same. */
final class Keys {
    static final String POSITIONS = "quantum:stream:exitbrain.position_opened";
    static final String TRADES = "quantum:stream:exitbrain.trade_closed";
    static final String LEVELS = "quantum:stream:exitbrain.pnl";
    static final String STATS = "quantum:stream:exitbrain.stats";
    static final String DEAD_LETTERS = "quantum:stream:exitbrain.dlq";
    static final String FILLS = "quantum:stream:exitbrain.fills";
    static final String PLANS = "quantum:stream:exitbrain.plans";
    static final String PLAN_TTL_SECONDS = "2592000";
    /** Fills per plan in the fills drain: each a tp1 fill of 1 out of a 300 stage, so none closes. */
    static final int FILLS_PER_PLAN = 4;
    /**
     * An open plan as the worker stores it (ExitPlan.encode): long 10x at 100, quantity 1000, tick
     * 0.01, stages 300/300/400 at 101/102/103, stop 99.
     */
    static final String PLAN_STATE = "long|10|100|1000|0.01|101|102|103|99|300|300|400|0|1000|0|0|initial|open|BTCUSDT";
    static final String GROUP = "exitbrain";
    static final String PREFIX = "exitbrain";
    static final String GLOBAL_SCOPE = PREFIX + ":pnl:global";
    static final String GLOBAL_WINDOW = PREFIX + ":pnl:global:window";
    static final String OUTPUT_MAX_LEN = "1000000";
    static final String PNL_WINDOW = "20";
    static final String DEDUP_TTL_SECONDS = "604800";

    private Keys() {
    }

    static String plan(String positionId) {
        return PREFIX + ":plan:" + positionId;
    }

    static String tradeMarker(String tradeId) {
        return PREFIX + ":trade:" + tradeId;
    }
}
