package com.exitbrain.cli;

import com.exitbrain.engine.HarvestScheme;
import com.exitbrain.engine.LevelEngine;
import com.exitbrain.engine.LevelSet;
import com.exitbrain.engine.PositionRequest;
import com.exitbrain.engine.Tuning;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The source's two worked examples and SPEC §1's worked checks, as pass/fail comparisons in
 * percentage points with the source's rounding tolerance (±0.002).
 */
public final class WorkedExamples {
    public static final double TOLERANCE_PP = 0.002;

    private WorkedExamples() {
    }

    /** One compared figure. */
    public record Check(String example, String figure, double actual, double expected, double tolerance) {
        public boolean passed() {
            return Double.isFinite(actual) && Math.abs(actual - expected) <= tolerance + 1e-12;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s  %-34s %-22s %10.4f  expected %.3f ±%.3f",
                    passed() ? "PASS" : "FAIL", example, figure, actual, expected, tolerance);
        }
    }

    /** Runs every check with the default tuning (the source's constants). */
    public static List<Check> run() {
        LevelEngine engine = new LevelEngine(Tuning.defaults());
        List<Check> checks = new ArrayList<>();

        String first = "source example 1 (10x, vol 1.0)";
        LevelSet one = engine.compute(PositionRequest.of(10, 1.0, 0.75, 0.15));
        levels(checks, first, one, 1.252, 1.886, 2.623, 0.939);
        checks.add(new Check(first, "LSF", one.leverageScalingFactor(), 0.294, 0.0005));
        checks.add(new Check(first, "adjustment", one.adjustment(), 1.0, 0));
        harvest(checks, first, one, HarvestScheme.CONSERVATIVE);

        String second = "source example 2 (50x, vol 1.5)";
        LevelSet two = engine.compute(PositionRequest.of(50, 1.5, 0.65, -0.05));
        levels(checks, second, two, 1.156, 1.874, 2.665, 0.958);
        checks.add(new Check(second, "LSF", two.leverageScalingFactor(), 0.203, 0.0005));
        checks.add(new Check(second, "adjustment", two.adjustment(), 0.9, 0));
        checks.add(new Check(second, "max safe SL %", two.maxSafeSl() * 100, 1.6, TOLERANCE_PP));
        harvest(checks, second, two, HarvestScheme.ULTRA_AGGRESSIVE);

        String third = "SPEC check (100x, liquidation 1%)";
        LevelSet hundred = engine.compute(PositionRequest.of(100, 1.0, 0.5, 0));
        checks.add(new Check(third, "liquidation distance %", hundred.liquidationDistance() * 100, 1.0, TOLERANCE_PP));
        checks.add(new Check(third, "SL %", hundred.levels().sl() * 100, 0.8, TOLERANCE_PP));
        checks.add(new Check(third, "sl_capped (1 = true)", hundred.slCapped() ? 1 : 0, 1, 0));
        return checks;
    }

    private static void levels(List<Check> checks, String example, LevelSet set, double tp1, double tp2,
                               double tp3, double sl) {
        add(checks, example, "TP1 %", set, l -> l.levels().tp1(), tp1);
        add(checks, example, "TP2 %", set, l -> l.levels().tp2(), tp2);
        add(checks, example, "TP3 %", set, l -> l.levels().tp3(), tp3);
        add(checks, example, "SL %", set, l -> l.levels().sl(), sl);
    }

    private static void add(List<Check> checks, String example, String figure, LevelSet set,
                            ToDoubleFunction<LevelSet> level, double expectedPercent) {
        checks.add(new Check(example, figure, level.applyAsDouble(set) * 100, expectedPercent, TOLERANCE_PP));
    }

    private static void harvest(List<Check> checks, String example, LevelSet set, HarvestScheme expected) {
        for (int stage = 1; stage <= 3; stage++) {
            checks.add(new Check(example, "harvest TP" + stage, set.harvest().fraction(stage).doubleValue(),
                    expected.fraction(stage).doubleValue(), 0));
        }
    }
}
