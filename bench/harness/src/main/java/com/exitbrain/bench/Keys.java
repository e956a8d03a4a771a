package com.exitbrain.bench;

/** The worker's default stream, group and key names (its reference.conf); the reference clients use the same. */
final class Keys {
    static final String POSITIONS = "quantum:stream:exitbrain.position_opened";
    static final String TRADES = "quantum:stream:exitbrain.trade_closed";
    static final String LEVELS = "quantum:stream:exitbrain.pnl";
    static final String STATS = "quantum:stream:exitbrain.stats";
    static final String DEAD_LETTERS = "quantum:stream:exitbrain.dlq";
    static final String GROUP = "exitbrain";
    static final String PREFIX = "exitbrain";
    static final String GLOBAL_SCOPE = PREFIX + ":pnl:global";
    static final String GLOBAL_WINDOW = PREFIX + ":pnl:global:window";
    static final String OUTPUT_MAX_LEN = "1000000";
    static final String PNL_WINDOW = "20";
    static final String DEDUP_TTL_SECONDS = "604800";

    private Keys() {
    }

    static String tradeMarker(String tradeId) {
        return PREFIX + ":trade:" + tradeId;
    }
}
