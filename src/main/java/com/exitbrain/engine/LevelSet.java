package com.exitbrain.engine;

import java.util.Optional;
import java.util.Set;

/**
 * A computed level set with every intermediate step of SPEC §1, so the command line can show the
 * working and the worker can publish the result.
 *
 * @param leverageScalingFactor LSF, step 1 (reported in static mode too)
 * @param baseLevels            step 2; empty in static mode
 * @param volatilityAdjusted    step 3; empty in static mode
 * @param volatility            the volatility factor actually used
 * @param adjustment            step 4, after the clamp; 1 in static mode
 * @param beforeFailSafes       the levels entering step 5
 * @param liquidationDistance   price move to liquidation, step 5
 * @param maxSafeSl             0.8 × the liquidation distance
 * @param slCapped              the stop was cut to {@code maxSafeSl}
 * @param levels                the final levels
 * @param marginView            each final level × leverage (ROE)
 */
public record LevelSet(
        double leverage,
        double leverageScalingFactor,
        Optional<Levels> baseLevels,
        Optional<Levels> volatilityAdjusted,
        double volatility,
        double confidence,
        double averagePnl,
        double adjustment,
        Levels beforeFailSafes,
        double liquidationDistance,
        double maxSafeSl,
        boolean slCapped,
        Mode mode,
        Optional<FallbackReason> fallbackReason,
        Levels levels,
        Levels marginView,
        HarvestScheme harvest,
        Optional<ExitPrices> prices,
        Optional<StageQuantities> quantities,
        Set<Warning> warnings) {
}
