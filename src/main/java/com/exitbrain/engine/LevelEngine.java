package com.exitbrain.engine;

import java.math.BigDecimal;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The adaptive take-profit / stop-loss computation of SPEC §1. Pure and deterministic: no I/O, no
 * clock, no configuration library. Refused input raises {@link InvalidInputException}; a result
 * never holds NaN or Infinity.
 */
public final class LevelEngine {
    private static final double TP_VOLATILITY_WEIGHT = 0.4;
    private static final double SL_VOLATILITY_WEIGHT = 0.2;
    private static final double MAX_VOLATILITY = 10;
    private static final double MAX_MMR = 0.5;

    private final Tuning tuning;

    public LevelEngine(Tuning tuning) {
        this.tuning = tuning;
    }

    public Tuning tuning() {
        return tuning;
    }

    public LevelSet compute(PositionRequest request) {
        validate(request);
        double leverage = request.leverage();
        double volatility = tuning.crossExchangeEnabled() ? request.volatility() : 1.0;
        double lsf = leverageScalingFactor(leverage);
        double liquidation = liquidationDistance(leverage, request.maintenanceMarginRate(), request.side());
        if (!(liquidation > 0)) {
            throw new InvalidInputException(ErrorCode.LIQUIDATION, String.format(java.util.Locale.ROOT,
                    "maintenance_margin_rate %s at leverage %s leaves no distance to liquidation "
                            + "(it must be below 1/leverage = %s).",
                    Decimals.plain(request.maintenanceMarginRate()), Decimals.plain(leverage),
                    Decimals.plain(1 / leverage)));
        }
        if (!tuning.adaptiveEnabled()) {
            return staticSet(request, lsf, volatility, liquidation, FallbackReason.DISABLED);
        }
        Levels base = baseLevels(lsf);
        Levels volatile_ = base.scale(1 + TP_VOLATILITY_WEIGHT * volatility, 1 + SL_VOLATILITY_WEIGHT * volatility);
        double adjustment = pnlAdjustment(request.averagePnl(), request.confidence());
        Levels adjusted = volatile_.scale(adjustment, adjustment);
        Set<Warning> warnings = EnumSet.noneOf(Warning.class);
        StopCap cap = capStop(adjusted, liquidation, warnings);
        if (!cap.levels.progresses()) {
            return staticSet(request, lsf, volatility, liquidation, FallbackReason.INVALID_LEVELS);
        }
        return finish(request, lsf, Optional.of(base), Optional.of(volatile_), volatility, adjustment,
                adjusted, liquidation, cap, Mode.ADAPTIVE, Optional.empty(), warnings);
    }

    /** SPEC §1 step 1: {@code 1 / (1 + ln(L + 1))}. */
    public static double leverageScalingFactor(double leverage) {
        return 1 / (1 + Math.log(leverage + 1));
    }

    /**
     * SPEC §1 step 5: isolated-margin liquidation distance as a fraction of price. Long
     * {@code (1/L − mmr)/(1 − mmr)}, short {@code (1/L − mmr)/(1 + mmr)}; an unknown side takes the
     * short value, the smaller of the two.
     */
    public static double liquidationDistance(double leverage, double mmr, Optional<Side> side) {
        double numerator = 1 / leverage - mmr;
        boolean isLong = side.isPresent() && side.get() == Side.LONG;
        return isLong ? numerator / (1 - mmr) : numerator / (1 + mmr);
    }

    /** SPEC §1 step 4: multiplicative, then clamped to [0.8, 1.2]. */
    public static double pnlAdjustment(double averagePnl, double confidence) {
        double adjustment = 1.0;
        if (averagePnl < 0) {
            adjustment *= 0.9;
        } else if (averagePnl > 0.30) {
            adjustment *= 1.1;
        }
        if (confidence < 0.5) {
            adjustment *= 0.95;
        }
        return Math.min(1.2, Math.max(0.8, adjustment));
    }

    private Levels baseLevels(double lsf) {
        double baseTp = tuning.baseTp();
        return new Levels(
                baseTp * (0.6 + lsf),
                baseTp * (1.2 + lsf / 2),
                baseTp * (1.8 + lsf / 4),
                tuning.baseSl() * (1 + (1 - lsf) * 0.8));
    }

    private record StopCap(Levels levels, boolean capped, double maxSafeSl) {
    }

    /** SPEC §1 step 5, first two fail-safes: the stop clamp, then the liquidation cap. */
    private static StopCap capStop(Levels levels, double liquidation, Set<Warning> warnings) {
        double sl = Math.min(Tuning.SL_CEILING, Math.max(Tuning.SL_FLOOR, levels.sl()));
        // 4/5 rather than 0.8×: the same number, without 0.8's binary rounding (0.1 → 0.08, not 0.08000000000000002).
        double maxSafeSl = liquidation * 4 / 5;
        boolean capped = sl > maxSafeSl;
        if (capped) {
            sl = maxSafeSl;
            if (sl < Tuning.SL_FLOOR) {
                warnings.add(Warning.SL_BELOW_FLOOR);
            }
        }
        return new StopCap(levels.withSl(sl), capped, maxSafeSl);
    }

    /** SPEC §1 step 7: the static levels, with every fail-safe of step 5 still applied. */
    private LevelSet staticSet(PositionRequest request, double lsf, double volatility, double liquidation,
                               FallbackReason reason) {
        Set<Warning> warnings = EnumSet.noneOf(Warning.class);
        Levels fixed = tuning.staticLevels();
        StopCap cap = capStop(fixed, liquidation, warnings);
        if (!cap.levels.progresses()) {
            // Only reachable with a broken static configuration, which the settings refuse at start-up.
            throw new IllegalStateException("static levels do not progress: " + cap.levels);
        }
        return finish(request, lsf, Optional.empty(), Optional.empty(), volatility, 1.0, fixed, liquidation,
                cap, Mode.STATIC, Optional.of(reason), warnings);
    }

    private static LevelSet finish(PositionRequest request, double lsf, Optional<Levels> base,
                                   Optional<Levels> volatile_, double volatility, double adjustment,
                                   Levels beforeFailSafes, double liquidation, StopCap cap, Mode mode,
                                   Optional<FallbackReason> reason, Set<Warning> warnings) {
        double leverage = request.leverage();
        Levels levels = cap.levels;
        Optional<ExitPrices> prices = Optional.empty();
        if (request.entryPrice() != null && request.side().isPresent()) {
            prices = Optional.of(Sizing.prices(levels, request.entryPrice(), request.side().get(),
                    request.tickSize(), cap.maxSafeSl, warnings));
        }
        HarvestScheme harvest = HarvestScheme.forLeverage(leverage);
        Optional<StageQuantities> quantities = Optional.empty();
        if (request.quantity() != null) {
            quantities = Optional.of(Sizing.quantities(request.quantity(), harvest, request.lotSize(), warnings));
        }
        return new LevelSet(leverage, lsf, base, volatile_, volatility, request.confidence(),
                request.averagePnl(), adjustment, beforeFailSafes, liquidation, cap.maxSafeSl, cap.capped,
                mode, reason, levels, levels.timesLeverage(leverage), harvest, prices, quantities,
                java.util.Collections.unmodifiableSet(warnings));
    }

    private void validate(PositionRequest request) {
        requireWithin("leverage", request.leverage(), 1, tuning.maxLeverage());
        if (tuning.crossExchangeEnabled()) {
            requireWithin("volatility_factor", request.volatility(), 0, MAX_VOLATILITY);
        }
        requireWithin("confidence", request.confidence(), 0, 1);
        if (!Double.isFinite(request.averagePnl())) {
            throw new InvalidInputException(ErrorCode.INVALID_NUMBER,
                    "avg_pnl_last_20 is " + request.averagePnl() + ", not a finite number.");
        }
        requireWithin("maintenance_margin_rate", request.maintenanceMarginRate(), 0, MAX_MMR);
        requirePositive("entry_price", request.entryPrice());
        requirePositive("quantity", request.quantity());
        requirePositive("tick_size", request.tickSize());
        requirePositive("lot_size", request.lotSize());
        if (request.tickSize() != null && request.entryPrice() != null
                && request.tickSize().compareTo(request.entryPrice()) >= 0) {
            throw new InvalidInputException(ErrorCode.OUT_OF_RANGE, "tick_size " + Decimals.plain(request.tickSize())
                    + " is not smaller than entry_price " + Decimals.plain(request.entryPrice()) + ".");
        }
    }

    private static void requireWithin(String field, double value, double min, double max) {
        if (!Double.isFinite(value)) {
            throw new InvalidInputException(ErrorCode.INVALID_NUMBER, field + " is " + value + ", not a finite number.");
        }
        if (value < min || value > max) {
            throw InvalidInputException.outOfRange(field, Decimals.plain(value),
                    Decimals.plain(min)+ ".." + Decimals.plain(max));
        }
    }

    private static void requirePositive(String field, BigDecimal value) {
        if (value != null && value.signum() <= 0) {
            throw new InvalidInputException(ErrorCode.OUT_OF_RANGE,
                    field + " is " + Decimals.plain(value) + ", it must be greater than 0.");
        }
    }
}
