package com.exitbrain.engine;

import java.math.BigDecimal;

/** Quantity closed at each take-profit stage; the three always sum to the position's quantity. */
public record StageQuantities(BigDecimal tp1, BigDecimal tp2, BigDecimal tp3) {

    public BigDecimal total() {
        return tp1.add(tp2).add(tp3);
    }
}
