package com.exitbrain.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * SPEC §1 steps 8 and 9 on hand-checked cases: ticks and lots that divide neither the entry nor the
 * quantity, prices within one tick of the entry, quantities that are not lot multiples.
 */
class PricesAndQuantitiesTest {
    private final LevelEngine engine = new LevelEngine(Tuning.defaults());

    /** Source example 1 (tp1 1.2520%, tp2 1.8860%, tp3 2.6230%, sl 0.9387%, harvest 30/30/40). */
    private LevelSet exampleOne(Side side, String entry, String tick, String quantity, String lot) {
        return engine.compute(new PositionRequest(10, 1.0, 0.75, 0.15, Optional.ofNullable(side), decimal(entry),
                decimal(quantity), decimal(tick), decimal(lot), 0));
    }

    private static BigDecimal decimal(String text) {
        return text == null ? null : new BigDecimal(text);
    }

    private static void assertPrices(ExitPrices actual, String tp1, String tp2, String tp3, String sl) {
        List<BigDecimal> got = List.of(actual.tp1(), actual.tp2(), actual.tp3(), actual.sl());
        List<String> expected = List.of(tp1, tp2, tp3, sl);
        for (int i = 0; i < 4; i++) {
            assertEquals(0, new BigDecimal(expected.get(i)).compareTo(got.get(i)),
                    "price " + i + ": expected " + expected + ", got " + got);
        }
    }

    private static void assertStages(StageQuantities actual, String tp1, String tp2, String tp3) {
        List<BigDecimal> got = List.of(actual.tp1(), actual.tp2(), actual.tp3());
        List<String> expected = List.of(tp1, tp2, tp3);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, new BigDecimal(expected.get(i)).compareTo(got.get(i)),
                    "stage " + (i + 1) + ": expected " + expected + ", got " + got);
        }
    }

    @Test
    void pricesWithoutTickAreExactDecimals() {
        LevelSet set = exampleOne(Side.LONG, "65000", null, null, null);

        Levels levels = set.levels();
        ExitPrices prices = set.prices().orElseThrow();
        BigDecimal entry = new BigDecimal("65000");
        assertEquals(entry.multiply(BigDecimal.ONE.add(BigDecimal.valueOf(levels.tp1()))), prices.tp1());
        assertEquals(entry.multiply(BigDecimal.ONE.subtract(BigDecimal.valueOf(levels.sl()))), prices.sl());
    }

    @Test
    void longPricesRoundTowardTheEntryOnATickThatDividesNothing() {
        // exact: 101.2520…, 101.8860…, 102.6230…, 99.0612…; the tick 0.3 does not divide the entry 100
        LevelSet set = exampleOne(Side.LONG, "100", "0.3", null, null);

        assertPrices(set.prices().orElseThrow(), "101.1", "101.7", "102.6", "99.3");
        assertTrue(set.warnings().isEmpty(), set.warnings().toString());
    }

    @Test
    void shortPricesRoundTowardTheEntryToo() {
        // exact: 98.7479…, 98.1139…, 97.3769…, 100.9387…
        LevelSet set = exampleOne(Side.SHORT, "100", "0.3", null, null);

        assertPrices(set.prices().orElseThrow(), "99", "98.4", "97.5", "100.8");
        assertTrue(set.warnings().isEmpty(), set.warnings().toString());
    }

    @Test
    void levelWithinOneTickOfTheEntryIsRoundedAwayWithAWarning() {
        // tick 2: tp1 101.25 and tp2 101.89 would round down onto the entry, the stop 99.06 up onto it
        LevelSet long_ = exampleOne(Side.LONG, "100", "2", null, null);
        assertPrices(long_.prices().orElseThrow(), "102", "102", "102", "98");
        assertEquals(Set.of(Warning.LEVEL_WITHIN_ONE_TICK), long_.warnings());

        LevelSet short_ = exampleOne(Side.SHORT, "100", "2", null, null);
        assertPrices(short_.prices().orElseThrow(), "98", "98", "98", "102");
        assertEquals(Set.of(Warning.LEVEL_WITHIN_ONE_TICK), short_.warnings());
    }

    @Test
    void entryOffTheTickStillKeepsEveryPriceOffTheEntry() {
        // entry 100.05 between ticks 100.0 and 100.1; a 0.06% target rounds down to 100.0, below the entry
        Tuning smallTargets = new Tuning(0.0005, 0.005, new Levels(0.010, 0.015, 0.020, 0.005), 125, true, true);
        LevelSet set = new LevelEngine(smallTargets).compute(new PositionRequest(10, 0, 0.5, 0,
                Optional.of(Side.LONG), new BigDecimal("100.05"), null, new BigDecimal("0.1"), null, 0));

        ExitPrices prices = set.prices().orElseThrow();
        assertEquals(0, new BigDecimal("100.1").compareTo(prices.tp1()), prices.toString());
        assertTrue(set.warnings().contains(Warning.LEVEL_WITHIN_ONE_TICK));
    }

    @Test
    void pricesNeedBothEntryAndSide() {
        assertTrue(exampleOne(null, "100", "0.1", null, null).prices().isEmpty());
        assertTrue(exampleOne(Side.LONG, null, null, null, null).prices().isEmpty());
    }

    @Test
    void stagesAreExactSharesWithoutALot() {
        StageQuantities stages = exampleOne(null, null, null, "0.5", null).quantities().orElseThrow();

        assertStages(stages, "0.15", "0.15", "0.2");
        assertEquals("0.15", Decimals.plain(stages.tp1()), "0.3 × 0.5, not 0.29999… × 0.5");
    }

    @Test
    void stagesOneAndTwoAreFlooredToTheLotAndStageThreeTakesTheRest() {
        LevelSet set = exampleOne(null, null, null, "1.0", "0.25");

        assertStages(set.quantities().orElseThrow(), "0.25", "0.25", "0.5");
        assertTrue(set.warnings().isEmpty(), "1.0 is a multiple of 0.25");
    }

    @Test
    void quantityNotALotMultipleIsWarnedAndStillSums() {
        LevelSet set = exampleOne(null, null, null, "1.1", "0.25");

        StageQuantities stages = set.quantities().orElseThrow();
        assertStages(stages, "0.25", "0.25", "0.6");
        assertEquals(0, new BigDecimal("1.1").compareTo(stages.total()));
        assertEquals(Set.of(Warning.QUANTITY_NOT_LOT_MULTIPLE), set.warnings());
    }

    @Test
    void quantityBelowOneLotGoesWhollyToTheLastStage() {
        LevelSet set = exampleOne(null, null, null, "0.0005", "0.001");

        assertStages(set.quantities().orElseThrow(), "0", "0", "0.0005");
        assertEquals(Set.of(Warning.QUANTITY_NOT_LOT_MULTIPLE), set.warnings());
    }

    @Test
    void lotThatDividesNoShareAtFiftyTimes() {
        // 50x harvests 50/30/20: 0.5 → 0.3, 0.3 → 0.3, the rest 0.4
        LevelSet set = engine.compute(new PositionRequest(50, 1, 0.5, 0, Optional.empty(), null,
                new BigDecimal("1"), null, new BigDecimal("0.3"), 0));

        assertStages(set.quantities().orElseThrow(), "0.3", "0.3", "0.4");
        assertEquals(Set.of(Warning.QUANTITY_NOT_LOT_MULTIPLE), set.warnings());
    }

    @Test
    void everyWarningAtOnceIsListedOnceEach() {
        // a stop 0.04 % from an entry between two ticks (100.0 stays inside the cap), a 0.05 % target
        Tuning smallTargets = new Tuning(0.0005, 0.005, new Levels(0.010, 0.015, 0.020, 0.005), 125, true, true);
        LevelSet set = new LevelEngine(smallTargets).compute(new PositionRequest(125, 1, 0.5, 0,
                Optional.of(Side.LONG), new BigDecimal("100.03"), new BigDecimal("1.1"), new BigDecimal("0.1"),
                new BigDecimal("0.25"), 0.0075));

        assertEquals(Set.of(Warning.SL_BELOW_FLOOR, Warning.LEVEL_WITHIN_ONE_TICK, Warning.QUANTITY_NOT_LOT_MULTIPLE),
                set.warnings());
    }

    @Test
    void aTickTooCoarseForTheLeverageIsRefusedRatherThanAStopPastLiquidation() {
        // 79.1x long at 28.5, tick 0.5: liquidation ≈ 28.14, the only stop on the tick below the entry is 28.0
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> engine.compute(
                new PositionRequest(79.1, 1, 0.5, 0, Optional.of(Side.LONG), new BigDecimal("28.5"), null,
                        new BigDecimal("0.5"), null, 0)));
        assertEquals(ErrorCode.LIQUIDATION, e.code());
        assertTrue(e.reason().contains("tick_size 0.5") && e.reason().contains("max_safe_sl"), e.reason());

        InvalidInputException short_ = assertThrows(InvalidInputException.class, () -> engine.compute(
                new PositionRequest(79.1, 1, 0.5, 0, Optional.of(Side.SHORT), new BigDecimal("28.5"), null,
                        new BigDecimal("0.5"), null, 0)));
        assertEquals(ErrorCode.LIQUIDATION, short_.code());
    }

    @Test
    void aStopRoundedAwayThatStaysInsideTheCapIsKept() {
        // 10x long at 100, tick 2: the stop 98 is 2 % away, inside the cap of 8 %
        LevelSet set = engine.compute(new PositionRequest(10, 1, 0.5, 0, Optional.of(Side.LONG),
                new BigDecimal("100"), null, new BigDecimal("2"), null, 0));
        assertEquals(0, new BigDecimal("98").compareTo(set.prices().orElseThrow().sl()));
    }

    @Test
    void aCoarseTickIsRefusedInStaticModeToo() {
        LevelEngine static_ = new LevelEngine(Tuning.defaults().withAdaptive(false));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> static_.compute(
                new PositionRequest(100, 1, 0.5, 0, Optional.of(Side.SHORT), new BigDecimal("0.0123"), null,
                        new BigDecimal("0.0001"), null, 0)));
        assertEquals(ErrorCode.LIQUIDATION, e.code());
    }
}
