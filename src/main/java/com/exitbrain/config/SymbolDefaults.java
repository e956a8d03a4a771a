package com.exitbrain.config;

import java.math.BigDecimal;

/** Per-symbol values for events that do not carry them; {@code null} when not configured. */
public record SymbolDefaults(Double maintenanceMarginRate, BigDecimal tickSize, BigDecimal lotSize) {
    public static final SymbolDefaults NONE = new SymbolDefaults(null, null, null);
}
