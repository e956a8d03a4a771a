package com.exitbrain.pnl;

import java.math.BigDecimal;

/** One trade in the rolling window, stored in Redis as {@code <pnl>|<bucket>}. */
public record WindowEntry(BigDecimal pnl, LeverageBucket bucket) {

    public String encode() {
        return pnl.toPlainString() + "|" + bucket.wire();
    }

    public static WindowEntry decode(String stored) {
        int bar = stored.indexOf('|');
        if (bar < 0) {
            throw new IllegalArgumentException("not a window entry: " + stored);
        }
        return new WindowEntry(new BigDecimal(stored.substring(0, bar)), LeverageBucket.fromWire(stored.substring(bar + 1)));
    }

    boolean win() {
        return pnl.signum() > 0;
    }
}
