package com.exitbrain.engine;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * One level computation's inputs (SPEC §1, §3). Ranges are checked by {@link LevelEngine}, which
 * knows the configured maximum leverage; optional decimals are {@code null} when absent.
 *
 * @param volatility            the event's volatility factor, 1.0 when it sent none
 * @param confidence            signal confidence, 0.5 when it sent none
 * @param averagePnl            rolling average PnL of the scope, 0 when nothing was recorded
 * @param maintenanceMarginRate 0 when neither the event nor the configuration gives one
 */
public record PositionRequest(
        double leverage,
        double volatility,
        double confidence,
        double averagePnl,
        Optional<Side> side,
        BigDecimal entryPrice,
        BigDecimal quantity,
        BigDecimal tickSize,
        BigDecimal lotSize,
        double maintenanceMarginRate) {

    public PositionRequest {
        side = side == null ? Optional.empty() : side;
    }

    /** The levels alone: no side, no prices, no quantities, no maintenance margin. */
    public static PositionRequest of(double leverage, double volatility, double confidence, double averagePnl) {
        return new PositionRequest(leverage, volatility, confidence, averagePnl, Optional.empty(),
                null, null, null, null, 0);
    }
}
