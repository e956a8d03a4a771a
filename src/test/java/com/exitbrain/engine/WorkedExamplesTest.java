package com.exitbrain.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The source's two worked examples and SPEC §1's 100x check, to ±0.002 percentage points. */
class WorkedExamplesTest {
    /** The source rounds its intermediate steps; SPEC §1 allows this much, in percentage points. */
    private static final double TOLERANCE_PP = 0.002;

    private final LevelEngine engine = new LevelEngine(Tuning.defaults());

    @Test
    void sourceExampleOneAtTenTimesLeverage() {
        // Given the source's first example: 10x, volatility 1.0, confidence 0.75, avg PnL +0.15
        LevelSet set = engine.compute(PositionRequest.of(10, 1.0, 0.75, 0.15));

        // Then the levels are the source's, in percent of price
        assertPercent(1.252, set.levels().tp1(), "tp1");
        assertPercent(1.886, set.levels().tp2(), "tp2");
        assertPercent(2.623, set.levels().tp3(), "tp3");
        assertPercent(0.939, set.levels().sl(), "sl");
        assertEquals(1.0, set.adjustment());
        assertEquals(HarvestScheme.CONSERVATIVE, set.harvest());
        assertEquals(List.of("0.3", "0.3", "0.4"), plain(set.harvest()));
        assertEquals(0.294, set.leverageScalingFactor(), 0.0005);
        assertFalse(set.slCapped());
        assertEquals(Mode.ADAPTIVE, set.mode());
        assertTrue(set.fallbackReason().isEmpty());
        assertTrue(set.warnings().isEmpty());
    }

    @Test
    void sourceExampleTwoAtFiftyTimesLeverage() {
        // Given the source's second example: 50x, volatility 1.5, confidence 0.65, avg PnL -0.05
        LevelSet set = engine.compute(PositionRequest.of(50, 1.5, 0.65, -0.05));

        assertPercent(1.156, set.levels().tp1(), "tp1");
        assertPercent(1.874, set.levels().tp2(), "tp2");
        assertPercent(2.665, set.levels().tp3(), "tp3");
        assertPercent(0.958, set.levels().sl(), "sl");
        // a negative average PnL costs 10%; confidence 0.65 is not below 0.5
        assertEquals(0.9, set.adjustment());
        assertEquals(HarvestScheme.ULTRA_AGGRESSIVE, set.harvest());
        assertEquals(List.of("0.5", "0.3", "0.2"), plain(set.harvest()));
        assertEquals(0.203, set.leverageScalingFactor(), 0.0005);
        // liquidation at 2%, so the stop may go to 1.6% and 0.958% is not capped
        assertPercent(1.6, set.maxSafeSl(), "max safe sl");
        assertFalse(set.slCapped());
    }

    @Test
    void stopIsCappedAtEightyPercentOfLiquidationAtHundredTimes() {
        // Given 100x without maintenance margin: liquidation 1% away
        LevelSet set = engine.compute(PositionRequest.of(100, 1.0, 0.5, 0));

        assertPercent(1.0, set.liquidationDistance(), "liquidation distance");
        assertPercent(0.800, set.levels().sl(), "sl");
        assertTrue(set.slCapped());
        // the stop before the cap was wider than the safe stop
        assertTrue(set.beforeFailSafes().sl() > 0.008);
        assertEquals(HarvestScheme.ULTRA_AGGRESSIVE, set.harvest());
        assertTrue(set.warnings().isEmpty(), "0.8% is above the 0.1% floor: " + set.warnings());
    }

    private static void assertPercent(double expectedPercent, double fraction, String what) {
        assertEquals(expectedPercent, fraction * 100, TOLERANCE_PP, what + " in percent");
    }

    private static List<String> plain(HarvestScheme harvest) {
        return harvest.fractions().stream().map(Decimals::plain).toList();
    }
}
