package com.exitbrain.engine;

import java.util.Locale;

/** Non-fatal findings reported with a level set (SPEC §8), each at most once, in this order. */
public enum Warning {
    /** The liquidation cap pushed the stop below the 0.1% floor. */
    SL_BELOW_FLOOR,
    /** A price could only be kept off the entry by rounding it away from the entry. */
    LEVEL_WITHIN_ONE_TICK,
    /** The quantity itself is not a multiple of the lot; stage 3 carries the odd remainder. */
    QUANTITY_NOT_LOT_MULTIPLE;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
