package com.exitbrain.engine;

import java.util.Locale;

/** How the levels were obtained (SPEC §8). */
public enum Mode {
    ADAPTIVE,
    STATIC;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
