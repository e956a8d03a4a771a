package com.exitbrain.pnl;

/** The per-leverage groups of the PnL stats (SPEC §2). */
public enum LeverageBucket {
    LE10("le10"),
    TEN_TO_30("10to30"),
    GT30("gt30");

    private final String wire;

    LeverageBucket(String wire) {
        this.wire = wire;
    }

    public static LeverageBucket of(double leverage) {
        if (leverage <= 10) {
            return LE10;
        }
        return leverage <= 30 ? TEN_TO_30 : GT30;
    }

    public static LeverageBucket fromWire(String wire) {
        for (LeverageBucket b : values()) {
            if (b.wire.equals(wire)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown leverage bucket: " + wire);
    }

    public String wire() {
        return wire;
    }
}
