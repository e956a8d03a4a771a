package com.exitbrain.engine;

import java.math.BigDecimal;

/** The one number format of every output (SPEC §8): plain decimal, no exponent, no trailing zeros. */
public final class Decimals {
    private Decimals() {
    }

    public static String plain(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("not a finite number: " + value);
        }
        return plain(BigDecimal.valueOf(value));
    }

    public static String plain(BigDecimal value) {
        if (value.signum() == 0) {
            return "0";
        }
        return value.stripTrailingZeros().toPlainString();
    }
}
