package com.exitbrain.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The ends of every range of SPEC §1 and §3, the fail-safes of step 5, static mode and its switches. */
class LevelEngineEdgeCasesTest {
    private static final double EXACT = 1e-15;
    private final LevelEngine engine = new LevelEngine(Tuning.defaults());

    private static PositionRequest request(double leverage, double mmr, Optional<Side> side) {
        return new PositionRequest(leverage, 1.0, 0.5, 0, side, null, null, null, null, mmr);
    }

    private static void assertLevels(Levels actual, double tp1, double tp2, double tp3, double sl) {
        assertEquals(tp1, actual.tp1(), Math.abs(tp1) * 1e-12, "tp1");
        assertEquals(tp2, actual.tp2(), Math.abs(tp2) * 1e-12, "tp2");
        assertEquals(tp3, actual.tp3(), Math.abs(tp3) * 1e-12, "tp3");
        assertEquals(sl, actual.sl(), Math.abs(sl) * 1e-12, "sl");
    }

    @Nested
    class Leverage {
        @Test
        void leverageOneHasTheWholePriceAsLiquidationDistance() {
            LevelSet set = engine.compute(PositionRequest.of(1, 1.0, 0.5, 0));

            double lsf = 1 / (1 + Math.log(2));
            assertEquals(lsf, set.leverageScalingFactor(), EXACT);
            assertEquals(1.0, set.liquidationDistance(), EXACT);
            assertEquals(0.8, set.maxSafeSl(), EXACT);
            assertFalse(set.slCapped());
            assertLevels(set.levels(), 0.01 * (0.6 + lsf) * 1.4, 0.01 * (1.2 + lsf / 2) * 1.4,
                    0.01 * (1.8 + lsf / 4) * 1.4, 0.005 * (1 + (1 - lsf) * 0.8) * 1.2);
            assertEquals(HarvestScheme.CONSERVATIVE, set.harvest());
        }

        @Test
        void maximumLeverageCapsTheStopInsideLiquidation() {
            LevelSet set = engine.compute(PositionRequest.of(125, 1.0, 0.5, 0));

            assertEquals(0.008, set.liquidationDistance(), EXACT);
            assertTrue(set.beforeFailSafes().sl() > 0.0064, "the uncapped stop is wider than the safe one");
            assertEquals(0.0064, set.levels().sl(), EXACT);
            assertTrue(set.slCapped());
            assertTrue(set.warnings().isEmpty(), "0.64% is above the floor");
            assertEquals(HarvestScheme.ULTRA_AGGRESSIVE, set.harvest());
            assertEquals(0.0064 * 125, set.marginView().sl(), 1e-12, "the stop loses 80% of the margin");
        }

        @Test
        void fractionalLeverageIsComputedNotRounded() {
            LevelSet set = engine.compute(PositionRequest.of(2.5, 1.0, 0.5, 0));

            assertEquals(1 / (1 + Math.log(3.5)), set.leverageScalingFactor(), EXACT);
            assertEquals(0.4, set.liquidationDistance(), EXACT);
            double[] expected = SpecFormulas.levels(2.5, 1.0, 0.5, 0, 0, Optional.empty());
            assertLevels(set.levels(), expected[0], expected[1], expected[2], expected[3]);
            assertEquals(2.5 * set.levels().tp1(), set.marginView().tp1(), EXACT);
            assertEquals("2.5", Decimals.plain(set.leverage()));
        }

        @Test
        void harvestSchemeChangesJustAboveTenAndThirty() {
            assertEquals(HarvestScheme.CONSERVATIVE, engine.compute(PositionRequest.of(10, 1, 0.5, 0)).harvest());
            assertEquals(HarvestScheme.AGGRESSIVE, engine.compute(PositionRequest.of(10.000001, 1, 0.5, 0)).harvest());
            assertEquals(HarvestScheme.AGGRESSIVE, engine.compute(PositionRequest.of(30, 1, 0.5, 0)).harvest());
            assertEquals(HarvestScheme.ULTRA_AGGRESSIVE,
                    engine.compute(PositionRequest.of(30.000001, 1, 0.5, 0)).harvest());
            assertEquals("[0.4, 0.4, 0.2]", HarvestScheme.AGGRESSIVE.fractions().toString());
        }
    }

    @Nested
    class Volatility {
        @Test
        void zeroVolatilityLeavesTheBaseLevels() {
            LevelSet set = engine.compute(PositionRequest.of(10, 0, 0.5, 0));

            assertEquals(set.baseLevels().orElseThrow(), set.volatilityAdjusted().orElseThrow());
            assertEquals(set.baseLevels().orElseThrow(), set.levels());
        }

        @Test
        void volatilityTenWidensTargetsFiveTimesAndStopsThreeTimesUpToTheCeiling() {
            LevelSet set = engine.compute(PositionRequest.of(10, 10, 0.5, 0));

            Levels base = set.baseLevels().orElseThrow();
            Levels widened = set.volatilityAdjusted().orElseThrow();
            assertEquals(base.tp1() * 5, widened.tp1(), EXACT);
            assertEquals(base.tp3() * 5, widened.tp3(), EXACT);
            assertEquals(base.sl() * 3, widened.sl(), EXACT);
            // 0.78% × 3 = 2.35% is beyond the 2% ceiling of step 5
            assertTrue(widened.sl() > 0.02);
            assertEquals(0.02, set.levels().sl());
            assertFalse(set.slCapped(), "the ceiling is not the liquidation cap");
        }

        @Test
        void stopBelowTheFloorIsRaisedToIt() {
            Tuning tightStop = new Tuning(0.01, 0.0005, new Levels(0.010, 0.015, 0.020, 0.005), 125, true, true);
            LevelSet set = new LevelEngine(tightStop).compute(PositionRequest.of(10, 0, 0.5, 0));

            assertTrue(set.beforeFailSafes().sl() < 0.001);
            assertEquals(0.001, set.levels().sl());
            assertTrue(set.warnings().isEmpty());
        }
    }

    @Nested
    class PnlAdjustment {
        @Test
        void confidenceExactlyHalfHasNoPenalty() {
            assertEquals(1.0, engine.compute(PositionRequest.of(10, 1, 0.5, 0)).adjustment());
        }

        @Test
        void confidenceBelowHalfCostsFivePercent() {
            LevelSet sure = engine.compute(PositionRequest.of(10, 1, 0.5, 0));
            LevelSet unsure = engine.compute(PositionRequest.of(10, 1, 0.49, 0));

            assertEquals(0.95, unsure.adjustment());
            assertEquals(sure.levels().tp2() * 0.95, unsure.levels().tp2(), EXACT);
            assertEquals(sure.levels().sl() * 0.95, unsure.levels().sl(), EXACT);
            assertEquals(0.95, engine.compute(PositionRequest.of(10, 1, 0, 0)).adjustment());
        }

        @Test
        void averagePnlExactlyZeroOrThirtyPercentLeavesLevelsAlone() {
            assertEquals(1.0, engine.compute(PositionRequest.of(10, 1, 0.5, 0)).adjustment());
            assertEquals(1.0, engine.compute(PositionRequest.of(10, 1, 0.5, 0.30)).adjustment());
        }

        @Test
        void averagePnlAboveThirtyPercentWidensByTenPercent() {
            LevelSet set = engine.compute(PositionRequest.of(10, 1, 0.5, 0.3000001));

            assertEquals(1.1, set.adjustment());
            LevelSet neutral = engine.compute(PositionRequest.of(10, 1, 0.5, 0));
            assertEquals(neutral.levels().tp1() * 1.1, set.levels().tp1(), EXACT);
        }

        @Test
        void anyNegativeAveragePnlTightensByTenPercent() {
            assertEquals(0.9, engine.compute(PositionRequest.of(10, 1, 0.5, -0.0000001)).adjustment());
        }

        @Test
        void adjustmentsMultiplyAndStayWithinTheClamp() {
            assertEquals(0.9 * 0.95, engine.compute(PositionRequest.of(10, 1, 0.4, -0.05)).adjustment(), EXACT);
            assertEquals(1.1 * 0.95, engine.compute(PositionRequest.of(10, 1, 0.4, 0.5)).adjustment(), EXACT);
            // SPEC's factors never reach the clamp [0.8, 1.2]: the extremes are 0.855 and 1.1
            for (double pnl : new double[] {-10, -0.05, 0, 0.3, 0.31, 10}) {
                for (double confidence : new double[] {0, 0.49, 0.5, 1}) {
                    double adj = LevelEngine.pnlAdjustment(pnl, confidence);
                    assertTrue(adj >= 0.8 && adj <= 1.2, pnl + ", " + confidence + " -> " + adj);
                    assertEquals(SpecFormulas.adjustment(pnl, confidence), adj);
                }
            }
        }
    }

    @Nested
    class Liquidation {
        @Test
        void longShortAndUnknownSideUseTheirOwnFormula() {
            double mmr = 0.005;
            double long_ = engine.compute(request(20, mmr, Optional.of(Side.LONG))).liquidationDistance();
            double short_ = engine.compute(request(20, mmr, Optional.of(Side.SHORT))).liquidationDistance();
            LevelSet unknown = engine.compute(request(20, mmr, Optional.empty()));

            assertEquals((0.05 - 0.005) / (1 - 0.005), long_, EXACT);
            assertEquals((0.05 - 0.005) / (1 + 0.005), short_, EXACT);
            assertEquals(short_, unknown.liquidationDistance(), "an unknown side takes the nearer liquidation");
            assertTrue(short_ < long_);
            assertEquals(0.8 * short_, unknown.maxSafeSl(), EXACT);
        }

        @Test
        void withoutMaintenanceMarginEverySideIsOneOverLeverage() {
            for (Optional<Side> side : Set.of(Optional.of(Side.LONG), Optional.of(Side.SHORT), Optional.<Side>empty())) {
                assertEquals(0.05, engine.compute(request(20, 0, side)).liquidationDistance(), EXACT, side.toString());
            }
        }

        @Test
        void maintenanceMarginLeavingNoDistanceIsRefused() {
            for (double mmr : new double[] {0.1, 0.2, 0.5}) {
                for (Optional<Side> side : Set.of(Optional.of(Side.LONG), Optional.of(Side.SHORT),
                        Optional.<Side>empty())) {
                    InvalidInputException e = assertThrows(InvalidInputException.class,
                            () -> engine.compute(request(10, mmr, side)), mmr + " " + side);
                    assertEquals(ErrorCode.LIQUIDATION, e.code());
                    assertEquals("liquidation", e.code().wire());
                    assertTrue(e.reason().startsWith("maintenance_margin_rate "), e.reason());
                }
            }
        }

        @Test
        void stopIsCappedBelowTheFloorWithAWarningWhenLiquidationIsThatClose() {
            // 125x with 0.75% maintenance margin: liquidation 0.05% away, the safe stop 0.04%
            LevelSet unknown = engine.compute(request(125, 0.0075, Optional.empty()));
            LevelSet long_ = engine.compute(request(125, 0.0075, Optional.of(Side.LONG)));

            assertEquals(0.8 * (0.008 - 0.0075) / 1.0075, unknown.levels().sl(), 1e-12);
            assertEquals(0.8 * (0.008 - 0.0075) / 0.9925, long_.levels().sl(), 1e-12);
            for (LevelSet set : new LevelSet[] {unknown, long_}) {
                assertTrue(set.levels().sl() < Tuning.SL_FLOOR);
                assertTrue(set.slCapped());
                assertEquals(Set.of(Warning.SL_BELOW_FLOOR), set.warnings());
            }
        }
    }

    @Nested
    class StaticMode {
        private final LevelEngine staticEngine = new LevelEngine(Tuning.defaults().withAdaptive(false));

        @Test
        void killSwitchPublishesTheStaticLevels() {
            LevelSet set = staticEngine.compute(PositionRequest.of(10, 2.0, 0.1, -0.5));

            assertEquals(new Levels(0.010, 0.015, 0.020, 0.005), set.levels());
            assertEquals(1.0, set.adjustment(), "static mode ignores PnL and confidence");
            assertEquals(Mode.STATIC, set.mode());
            assertEquals(Optional.of(FallbackReason.DISABLED), set.fallbackReason());
            assertEquals("disabled", set.fallbackReason().orElseThrow().wire());
            assertEquals(1 / (1 + Math.log(11)), set.leverageScalingFactor(), EXACT, "LSF is still reported");
            assertTrue(set.baseLevels().isEmpty());
            assertFalse(set.slCapped());
            assertEquals(HarvestScheme.CONSERVATIVE, set.harvest());
        }

        @Test
        void killSwitchKeepsTheLiquidationCap() {
            // 125x: liquidation 0.8%, the static 0.5% stop is inside the 0.64% safe stop
            LevelSet plain = staticEngine.compute(PositionRequest.of(125, 1, 0.5, 0));
            assertEquals(0.005, plain.levels().sl());
            assertFalse(plain.slCapped());
            assertEquals(HarvestScheme.ULTRA_AGGRESSIVE, plain.harvest());

            // with 0.4% maintenance margin the safe stop shrinks to 0.32% and caps the static stop
            LevelSet withMargin = staticEngine.compute(request(125, 0.004, Optional.of(Side.SHORT)));
            assertEquals(0.8 * 0.004 / 1.004, withMargin.levels().sl(), 1e-15);
            assertTrue(withMargin.slCapped());
            assertEquals(Mode.STATIC, withMargin.mode());

            LevelSet belowFloor = staticEngine.compute(request(125, 0.0075, Optional.empty()));
            assertEquals(Set.of(Warning.SL_BELOW_FLOOR), belowFloor.warnings());
            assertThrows(InvalidInputException.class, () -> staticEngine.compute(request(10, 0.1, Optional.empty())));
        }

        @Test
        void killSwitchStillConvertsToPricesAndQuantities() {
            LevelSet set = staticEngine.compute(new PositionRequest(20, 1, 0.5, 0, Optional.of(Side.LONG),
                    new BigDecimal("200"), new BigDecimal("10"), null, null, 0));

            ExitPrices prices = set.prices().orElseThrow();
            assertEquals(0, new BigDecimal("202").compareTo(prices.tp1()), prices.toString());
            assertEquals(0, new BigDecimal("203").compareTo(prices.tp2()), prices.toString());
            assertEquals(0, new BigDecimal("204").compareTo(prices.tp3()), prices.toString());
            assertEquals(0, new BigDecimal("199").compareTo(prices.sl()), prices.toString());
            StageQuantities q = set.quantities().orElseThrow();
            assertEquals(0, new BigDecimal("4").compareTo(q.tp1()));
            assertEquals(0, new BigDecimal("4").compareTo(q.tp2()));
            assertEquals(0, new BigDecimal("2").compareTo(q.tp3()));
        }

        @Test
        void adaptiveLevelsThatDoNotProgressFallBackToStatic() {
            // a zero base take-profit makes every target 0, which fails the progression check
            Tuning broken = new Tuning(0, 0.005, new Levels(0.010, 0.015, 0.020, 0.005), 125, true, true);
            LevelSet set = new LevelEngine(broken).compute(request(125, 0.004, Optional.of(Side.SHORT)));

            assertEquals(Mode.STATIC, set.mode());
            assertEquals(Optional.of(FallbackReason.INVALID_LEVELS), set.fallbackReason());
            assertEquals("invalid_levels", set.fallbackReason().orElseThrow().wire());
            assertEquals(1.0, set.adjustment());
            assertEquals(new Levels(0.010, 0.015, 0.020, 0.8 * 0.004 / 1.004), set.levels(),
                    "static levels, the stop still capped");
            assertTrue(set.slCapped());
        }
    }

    @Nested
    class CrossExchangeDisabled {
        private final LevelEngine noCrossExchange = new LevelEngine(Tuning.defaults().withCrossExchange(false));

        @Test
        void eventVolatilityIsReplacedByOne() {
            LevelSet set = noCrossExchange.compute(PositionRequest.of(50, 7, 0.65, -0.05));

            assertEquals(1.0, set.volatility());
            assertEquals(engine.compute(PositionRequest.of(50, 1.0, 0.65, -0.05)).levels(), set.levels());
        }

        @Test
        void outOfRangeVolatilityIsNotValidated() {
            for (double ignored : new double[] {10.1, -5, 1e9, Double.NaN, Double.POSITIVE_INFINITY}) {
                LevelSet set = noCrossExchange.compute(PositionRequest.of(10, ignored, 0.5, 0));
                assertEquals(1.0, set.volatility(), "volatility " + ignored);
            }
            assertThrows(InvalidInputException.class, () -> engine.compute(PositionRequest.of(10, 10.1, 0.5, 0)),
                    "with cross-exchange volatility on, the same value is refused");
        }
    }
}
