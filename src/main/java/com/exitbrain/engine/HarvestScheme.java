package com.exitbrain.engine;

import java.math.BigDecimal;
import java.util.List;

/**
 * Share of the position closed at TP1, TP2 and TP3 (SPEC §1 step 6), kept as exact decimals so
 * stage quantities are computed from 0.3 and not from 0.29999...
 */
public enum HarvestScheme {
    CONSERVATIVE("0.3", "0.3", "0.4"),
    AGGRESSIVE("0.4", "0.4", "0.2"),
    ULTRA_AGGRESSIVE("0.5", "0.3", "0.2");

    private final List<BigDecimal> fractions;

    HarvestScheme(String first, String second, String third) {
        this.fractions = List.of(new BigDecimal(first), new BigDecimal(second), new BigDecimal(third));
    }

    public static HarvestScheme forLeverage(double leverage) {
        if (leverage <= 10) {
            return CONSERVATIVE;
        }
        return leverage <= 30 ? AGGRESSIVE : ULTRA_AGGRESSIVE;
    }

    public List<BigDecimal> fractions() {
        return fractions;
    }

    public BigDecimal fraction(int stage) {
        return fractions.get(stage - 1);
    }
}
