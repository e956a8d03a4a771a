package com.exitbrain.engine;

import java.math.BigDecimal;

/** The price of each level for a given entry and side, on the tick when one was given (SPEC §1 step 8). */
public record ExitPrices(BigDecimal tp1, BigDecimal tp2, BigDecimal tp3, BigDecimal sl) {
}
