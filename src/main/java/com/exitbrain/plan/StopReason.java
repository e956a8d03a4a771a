package com.exitbrain.plan;

import java.util.Locale;

/** Why the stop is where it is (SPEC §9 {@code stop_reason}). */
public enum StopReason {
    INITIAL,
    BREAKEVEN,
    TP1;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static StopReason fromWire(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
