package com.exitbrain.plan;

import java.math.BigDecimal;

/**
 * The stop-move settings of SPEC §9.
 *
 * @param afterTp1         {@code BREAKEVEN} (default) or {@code KEEP}
 * @param afterTp2         {@code TP1} (default), {@code BREAKEVEN} or {@code KEEP}
 * @param breakevenOffset  breakeven = entry × (1 + dir × offset), 0..0.01
 */
public record StopRules(StopRule afterTp1, StopRule afterTp2, BigDecimal breakevenOffset) {
    public static StopRules defaults() {
        return new StopRules(StopRule.BREAKEVEN, StopRule.TP1, BigDecimal.ZERO);
    }
}
