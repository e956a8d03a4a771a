package com.exitbrain.engine;

import java.util.Locale;

/** Why static levels were published (SPEC §8). */
public enum FallbackReason {
    /** {@code ADAPTIVE_LEVERAGE_ENABLED=false}. */
    DISABLED,
    /** The adaptive levels failed the progression check. */
    INVALID_LEVELS;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
