package com.exitbrain.engine;

/**
 * The engine's configurable constants (SPEC §1, §6). Built once from the settings; the engine
 * never reads configuration itself.
 *
 * @param adaptiveEnabled       false is the kill switch: static levels, every fail-safe still on
 * @param crossExchangeEnabled  false ignores the event's volatility and uses 1.0
 */
public record Tuning(
        double baseTp,
        double baseSl,
        Levels staticLevels,
        double maxLeverage,
        boolean adaptiveEnabled,
        boolean crossExchangeEnabled) {

    public static final double SL_FLOOR = 0.001;
    public static final double SL_CEILING = 0.02;

    public static Tuning defaults() {
        return new Tuning(0.01, 0.005, new Levels(0.010, 0.015, 0.020, 0.005), 125, true, true);
    }

    public Tuning withAdaptive(boolean enabled) {
        return new Tuning(baseTp, baseSl, staticLevels, maxLeverage, enabled, crossExchangeEnabled);
    }

    public Tuning withCrossExchange(boolean enabled) {
        return new Tuning(baseTp, baseSl, staticLevels, maxLeverage, adaptiveEnabled, enabled);
    }
}
