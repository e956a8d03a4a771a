package com.exitbrain.engine;

import java.util.Optional;

/**
 * SPEC §1 steps 1 to 5 transcribed once more, as plainly as possible and independently of
 * {@link LevelEngine}, so tests can compare the engine with the formulas over many inputs.
 * Default tuning only: base_tp 0.01, base_sl 0.005.
 */
final class SpecFormulas {
    private SpecFormulas() {
    }

    /** tp1, tp2, tp3, sl after every step of SPEC §1 up to the liquidation cap. */
    static double[] levels(double leverage, double volatility, double confidence, double averagePnl,
                           double mmr, Optional<Side> side) {
        double lsf = 1 / (1 + Math.log(leverage + 1));
        double tp1 = 0.01 * (0.6 + lsf);
        double tp2 = 0.01 * (1.2 + lsf / 2);
        double tp3 = 0.01 * (1.8 + lsf / 4);
        double sl = 0.005 * (1 + (1 - lsf) * 0.8);
        double tpVolatility = 1 + 0.4 * volatility;
        double slVolatility = 1 + 0.2 * volatility;
        tp1 *= tpVolatility;
        tp2 *= tpVolatility;
        tp3 *= tpVolatility;
        sl *= slVolatility;
        double adj = adjustment(averagePnl, confidence);
        tp1 *= adj;
        tp2 *= adj;
        tp3 *= adj;
        sl *= adj;
        sl = Math.max(0.001, Math.min(0.02, sl));
        double maxSafe = 0.8 * liquidation(leverage, mmr, side);
        if (sl > maxSafe) {
            sl = maxSafe;
        }
        return new double[] {tp1, tp2, tp3, sl};
    }

    static double adjustment(double averagePnl, double confidence) {
        double adj = 1.0;
        if (averagePnl < 0) {
            adj *= 0.9;
        } else if (averagePnl > 0.30) {
            adj *= 1.1;
        }
        if (confidence < 0.5) {
            adj *= 0.95;
        }
        return Math.max(0.8, Math.min(1.2, adj));
    }

    static double liquidation(double leverage, double mmr, Optional<Side> side) {
        if (side.isPresent() && side.get() == Side.LONG) {
            return (1 / leverage - mmr) / (1 - mmr);
        }
        return (1 / leverage - mmr) / (1 + mmr);
    }
}
