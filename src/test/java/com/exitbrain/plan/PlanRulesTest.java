package com.exitbrain.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.engine.ErrorCode;
import com.exitbrain.engine.ExitPrices;
import com.exitbrain.engine.Side;
import com.exitbrain.engine.StageQuantities;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SPEC §9 "Applying a fill" rules 3 to 5, case by case, starting with the SPEC's worked check. */
class PlanRulesTest {
    private static final PlanRules DEFAULTS = new PlanRules(StopRules.defaults());

    private static BigDecimal d(String s) {
        return new BigDecimal(s);
    }

    /** SPEC §9's worked check position: entry 100, quantity 10, leverage 10, tick 0.01, stages 3/3/4. */
    private static ExitPlan workedLong() {
        return PlanRules.create("pos-long", "BTCUSDT", Side.LONG, 10, d("100"), d("10"), d("0.01"),
                new ExitPrices(d("101.00"), d("102.00"), d("103.00"), d("99.00")),
                new StageQuantities(d("3"), d("3"), d("4")));
    }

    /** Its mirror: short, TPs 99/98/97, stop 101. */
    private static ExitPlan workedShort() {
        return PlanRules.create("pos-short", "BTCUSDT", Side.SHORT, 10, d("100"), d("10"), d("0.01"),
                new ExitPrices(d("99.00"), d("98.00"), d("97.00"), d("101.00")),
                new StageQuantities(d("3"), d("3"), d("4")));
    }

    private static Fill fill(ExitPlan plan, FillOrder order, String qty, String price, String fee) {
        return new Fill(plan.positionId(), order, d(qty), d(price), d(fee), "f-" + order + qty + price, null);
    }

    private static PlanRules.Applied applied(PlanRules rules, ExitPlan plan, FillOrder order, String qty,
                                             String price, String fee) {
        return assertInstanceOf(PlanRules.Applied.class, rules.apply(plan, fill(plan, order, qty, price, fee)),
                () -> order + " " + qty + " @ " + price + " on " + plan);
    }

    private static PlanRules.Applied applied(ExitPlan plan, FillOrder order, String qty, String price) {
        return applied(DEFAULTS, plan, order, qty, price, "0");
    }

    private static void assertDecimal(String expected, BigDecimal actual, String what) {
        assertEquals(0, d(expected).compareTo(actual), what + ": expected " + expected + ", got " + actual);
    }

    private static void assertStages(ExitPlan plan, String tp1, String tp2, String tp3) {
        List<BigDecimal> r = plan.remaining();
        assertDecimal(tp1, r.get(0), "tp1_qty");
        assertDecimal(tp2, r.get(1), "tp2_qty");
        assertDecimal(tp3, r.get(2), "tp3_qty");
        assertDecimal(plan.openQuantity().toPlainString(), r.get(0).add(r.get(1)).add(r.get(2)), "stages sum");
    }

    private static void assertStop(ExitPlan plan, String price, StopReason reason) {
        assertDecimal(price, plan.slPrice(), "sl_price");
        assertEquals(reason, plan.stopReason(), "stop_reason");
    }

    @Test
    void workedCheckOfSpecSection9() {
        PlanRules.Applied a = applied(DEFAULTS, workedLong(), FillOrder.TP1, "3", "101.00", "0.1");
        ExitPlan p = a.plan();
        assertDecimal("7", p.openQuantity(), "open");
        assertStages(p, "0", "3", "4");
        assertTrue(p.reached(1), "stage 1 reached");
        assertFalse(p.reached(2));
        assertStop(p, "100.00", StopReason.BREAKEVEN);
        assertTrue(a.stopMoved(), "stop moved");
        assertDecimal("7", p.slQuantity(), "sl_qty");
        assertDecimal("2.9", p.realizedPnl(), "realized");
        assertDecimal("0.1", p.fees(), "fees");
        assertFalse(p.closed());
        assertNull(a.pnl());

        a = applied(p, FillOrder.TP2, "1", "102.00");
        p = a.plan();
        assertDecimal("6", p.openQuantity(), "open");
        assertStages(p, "0", "2", "4");
        assertFalse(p.reached(2), "stage 2 not reached");
        assertStop(p, "100.00", StopReason.BREAKEVEN);
        assertFalse(a.stopMoved(), "stop unchanged");
        assertDecimal("6", p.slQuantity(), "sl_qty");
        assertDecimal("4.9", p.realizedPnl(), "realized");

        a = applied(p, FillOrder.SL, "6", "100.00");
        p = a.plan();
        assertDecimal("0", p.openQuantity(), "open");
        assertStages(p, "0", "0", "0");
        assertTrue(p.closed(), "closed");
        assertFalse(a.stopMoved());
        assertDecimal("4.9", p.realizedPnl(), "realized");
        assertDecimal("0.1", p.fees(), "fees");
        assertEquals(0.049, a.pnl());
    }

    @Test
    void workedCheckMirroredForAShort() {
        PlanRules.Applied a = applied(DEFAULTS, workedShort(), FillOrder.TP1, "3", "99.00", "0.1");
        ExitPlan p = a.plan();
        assertDecimal("7", p.openQuantity(), "open");
        assertStages(p, "0", "3", "4");
        assertTrue(p.reached(1));
        assertStop(p, "100.00", StopReason.BREAKEVEN);
        assertTrue(a.stopMoved());
        assertDecimal("2.9", p.realizedPnl(), "realized");

        a = applied(p, FillOrder.TP2, "1", "98.00");
        p = a.plan();
        assertStages(p, "0", "2", "4");
        assertStop(p, "100.00", StopReason.BREAKEVEN);
        assertFalse(a.stopMoved());
        assertDecimal("4.9", p.realizedPnl(), "realized");

        a = applied(p, FillOrder.SL, "6", "100.00");
        p = a.plan();
        assertStages(p, "0", "0", "0");
        assertTrue(p.closed());
        assertDecimal("4.9", p.realizedPnl(), "realized");
        assertEquals(0.049, a.pnl());
    }

    @Test
    void aFillOnAClosedPlanIsRefusedPositionClosed() {
        ExitPlan closed = applied(workedLong(), FillOrder.CLOSE, "10", "100.5").plan();
        assertTrue(closed.closed());
        for (FillOrder order : FillOrder.values()) {
            PlanRules.Refused r = assertInstanceOf(PlanRules.Refused.class,
                    DEFAULTS.apply(closed, fill(closed, order, "1", "100", "0")), order::toString);
            assertEquals(ErrorCode.POSITION_CLOSED, r.code());
            assertTrue(r.reason().contains("pos-long"), "reason names the position: " + r.reason());
        }
    }

    @Test
    void aClosedPlanIsRefusedBeforeAnOverfill() {
        ExitPlan closed = applied(workedLong(), FillOrder.SL, "10", "99").plan();
        PlanRules.Refused r = assertInstanceOf(PlanRules.Refused.class,
                DEFAULTS.apply(closed, fill(closed, FillOrder.TP1, "50", "101", "0")));
        assertEquals(ErrorCode.POSITION_CLOSED, r.code());
    }

    @Test
    void aQuantityAboveTheOpenQuantityIsRefusedOverfill() {
        ExitPlan plan = workedLong();
        for (FillOrder order : FillOrder.values()) {
            PlanRules.Refused r = assertInstanceOf(PlanRules.Refused.class,
                    DEFAULTS.apply(plan, fill(plan, order, "10.000001", "101", "0")), order::toString);
            assertEquals(ErrorCode.OVERFILL, r.code());
            assertTrue(r.reason().contains("pos-long"), "reason names the position: " + r.reason());
        }
        ExitPlan afterTp1 = applied(plan, FillOrder.TP1, "3", "101").plan();
        PlanRules.Refused r = assertInstanceOf(PlanRules.Refused.class,
                DEFAULTS.apply(afterTp1, fill(afterTp1, FillOrder.SL, "7.5", "99", "0")));
        assertEquals(ErrorCode.OVERFILL, r.code());
        // exactly the open quantity is not an overfill
        ExitPlan closed = applied(afterTp1, FillOrder.SL, "7", "100").plan();
        assertTrue(closed.closed());
    }

    @Test
    void aTakeProfitFillBeyondItsStageTakesTheExcessFarthestFirst() {
        PlanRules.Applied a = applied(workedLong(), FillOrder.TP1, "5", "101");
        assertStages(a.plan(), "0", "3", "2");
        assertTrue(a.plan().reached(1));
        assertFalse(a.plan().reached(3), "tp3 emptied by another order is not reached");

        // tp2 beyond its stage: tp3 goes before tp1
        a = applied(workedLong(), FillOrder.TP2, "8", "102");
        assertStages(a.plan(), "2", "0", "0");
        assertTrue(a.plan().reached(2));
        assertFalse(a.plan().reached(3));

        // after a stop shrank the stages: sl 5 takes 4 off tp3 and 1 off tp2 → 3/2/0
        ExitPlan shrunk = applied(workedLong(), FillOrder.SL, "5", "99").plan();
        assertStages(shrunk, "3", "2", "0");
        a = applied(shrunk, FillOrder.TP2, "4", "102");
        assertStages(a.plan(), "1", "0", "0");
        assertTrue(a.plan().reached(2));
        assertDecimal("1", a.plan().slQuantity(), "sl_qty");

        // a tp3 fill on the stage the stop already emptied: not reached, taken off tp2 then tp1
        a = applied(shrunk, FillOrder.TP3, "3", "103");
        assertStages(a.plan(), "2", "0", "0");
        assertFalse(a.plan().reached(3), "a stage empty before its fill is not reached");
        assertFalse(a.plan().reached(2), "a stage emptied by another order's fill is not reached");
        assertFalse(a.stopMoved());
        assertStop(a.plan(), "99.00", StopReason.INITIAL);
    }

    @Test
    void stopAndCloseTakeTp3ThenTp2ThenTp1() {
        assertStages(applied(workedLong(), FillOrder.SL, "4", "99").plan(), "3", "3", "0");
        assertStages(applied(workedLong(), FillOrder.CLOSE, "6", "99").plan(), "3", "1", "0");
        assertStages(applied(workedLong(), FillOrder.CLOSE, "8.5", "99").plan(), "1.5", "0", "0");
    }

    @Test
    void aStageEmptyFromTheStartIsNotReached() {
        ExitPlan plan = PlanRules.create("pos-empty", "ETHUSDT", Side.LONG, 5, d("100"), d("10"), null,
                new ExitPrices(d("101"), d("102"), d("103"), d("99")),
                new StageQuantities(d("0"), d("6"), d("4")));
        PlanRules.Applied a = applied(plan, FillOrder.TP1, "2", "101");
        assertStages(a.plan(), "0", "6", "2");
        assertFalse(a.plan().reached(1));
        assertFalse(a.stopMoved());
        assertStop(a.plan(), "99", StopReason.INITIAL);
    }

    @Test
    void afterTp1KeepLeavesTheStopThenAfterTp2MovesItToTp1() {
        PlanRules rules = new PlanRules(new StopRules(StopRule.KEEP, StopRule.TP1, BigDecimal.ZERO));
        PlanRules.Applied a = applied(rules, workedLong(), FillOrder.TP1, "3", "101", "0");
        assertTrue(a.plan().reached(1));
        assertFalse(a.stopMoved());
        assertStop(a.plan(), "99.00", StopReason.INITIAL);
        a = applied(rules, a.plan(), FillOrder.TP2, "3", "102", "0");
        assertTrue(a.plan().reached(2));
        assertTrue(a.stopMoved());
        assertStop(a.plan(), "101.00", StopReason.TP1);
    }

    @Test
    void afterTp2Breakeven() {
        PlanRules rules = new PlanRules(new StopRules(StopRule.KEEP, StopRule.BREAKEVEN, BigDecimal.ZERO));
        ExitPlan p = applied(rules, workedLong(), FillOrder.TP1, "3", "101", "0").plan();
        PlanRules.Applied a = applied(rules, p, FillOrder.TP2, "3", "102", "0");
        assertTrue(a.stopMoved());
        assertStop(a.plan(), "100", StopReason.BREAKEVEN);

        // with after-tp1 breakeven as well, stage 2 has nothing tighter to offer
        rules = new PlanRules(new StopRules(StopRule.BREAKEVEN, StopRule.BREAKEVEN, BigDecimal.ZERO));
        p = applied(rules, workedShort(), FillOrder.TP1, "3", "99", "0").plan();
        assertStop(p, "100", StopReason.BREAKEVEN);
        a = applied(rules, p, FillOrder.TP2, "3", "98", "0");
        assertFalse(a.stopMoved());
        assertStop(a.plan(), "100", StopReason.BREAKEVEN);
    }

    @Test
    void whenStage2IsReachedItsKeepDecidesEvenOnALaterTp1Fill() {
        PlanRules rules = new PlanRules(new StopRules(StopRule.BREAKEVEN, StopRule.KEEP, BigDecimal.ZERO));
        PlanRules.Applied a = applied(rules, workedLong(), FillOrder.TP2, "3", "102", "0");
        assertTrue(a.plan().reached(2));
        assertFalse(a.stopMoved());
        a = applied(rules, a.plan(), FillOrder.TP1, "3", "101", "0");
        assertTrue(a.plan().reached(1));
        assertFalse(a.stopMoved(), "after-tp2 keep decides once stage 2 is reached");
        assertStop(a.plan(), "99.00", StopReason.INITIAL);
    }

    @Test
    void breakevenOffsetIsRoundedToTheTickLongUpShortDown() {
        PlanRules rules = new PlanRules(new StopRules(StopRule.BREAKEVEN, StopRule.TP1, d("0.001234")));
        // long: 100·1.001234 = 100.1234 → 100.13
        PlanRules.Applied a = applied(rules, workedLong(), FillOrder.TP1, "3", "101", "0");
        assertTrue(a.stopMoved());
        assertStop(a.plan(), "100.13", StopReason.BREAKEVEN);
        // short: 100·0.998766 = 99.8766 → 99.87
        a = applied(rules, workedShort(), FillOrder.TP1, "3", "99", "0");
        assertTrue(a.stopMoved());
        assertStop(a.plan(), "99.87", StopReason.BREAKEVEN);
        // no tick: the exact price
        ExitPlan noTick = PlanRules.create("pos-notick", "BTCUSDT", Side.LONG, 10, d("100"), d("10"), null,
                new ExitPrices(d("101"), d("102"), d("103"), d("99")), new StageQuantities(d("3"), d("3"), d("4")));
        a = applied(rules, noTick, FillOrder.TP1, "3", "101", "0");
        assertStop(a.plan(), "100.1234", StopReason.BREAKEVEN);
        // on a tick already: unchanged
        rules = new PlanRules(new StopRules(StopRule.BREAKEVEN, StopRule.TP1, d("0.005")));
        a = applied(rules, workedLong(), FillOrder.TP1, "3", "101", "0");
        assertStop(a.plan(), "100.5", StopReason.BREAKEVEN);
        a = applied(rules, workedShort(), FillOrder.TP1, "3", "99", "0");
        assertStop(a.plan(), "99.5", StopReason.BREAKEVEN);
    }

    @Test
    void noMoveWhenTheTargetIsAtOrPastTheFillPrice() {
        // long: breakeven 100 at a fill at 100, and above a fill at 99.99
        for (String price : List.of("100", "100.00", "99.99", "95")) {
            PlanRules.Applied a = applied(workedLong(), FillOrder.TP1, "3", price);
            assertTrue(a.plan().reached(1));
            assertFalse(a.stopMoved(), "long fill at " + price);
            assertStop(a.plan(), "99.00", StopReason.INITIAL);
        }
        assertTrue(applied(workedLong(), FillOrder.TP1, "3", "100.01").stopMoved());
        // short: breakeven 100 at a fill at 100, and below a fill at 100.01
        for (String price : List.of("100", "100.01", "105")) {
            PlanRules.Applied a = applied(workedShort(), FillOrder.TP1, "3", price);
            assertFalse(a.stopMoved(), "short fill at " + price);
            assertStop(a.plan(), "101.00", StopReason.INITIAL);
        }
        assertTrue(applied(workedShort(), FillOrder.TP1, "3", "99.99").stopMoved());
        // a rounded breakeven (100.13) past a fill at 100.10
        PlanRules rules = new PlanRules(new StopRules(StopRule.BREAKEVEN, StopRule.TP1, d("0.001234")));
        assertFalse(applied(rules, workedLong(), FillOrder.TP1, "3", "100.10", "0").stopMoved());
        assertFalse(applied(rules, workedLong(), FillOrder.TP1, "3", "100.13", "0").stopMoved());
        // the refused move is taken up by a later take-profit fill at a better price (reached is sticky)
        ExitPlan p = applied(workedLong(), FillOrder.TP1, "3", "99.5").plan();
        PlanRules.Applied a = applied(p, FillOrder.TP3, "1", "103");
        assertTrue(a.stopMoved());
        assertStop(a.plan(), "100", StopReason.BREAKEVEN);
    }

    @Test
    void onlyTakeProfitFillsMoveTheStop() {
        ExitPlan p = applied(workedLong(), FillOrder.TP1, "3", "99.5").plan(); // reached, move refused
        assertFalse(applied(p, FillOrder.SL, "1", "101").stopMoved());
        assertFalse(applied(p, FillOrder.CLOSE, "1", "102").stopMoved());
        assertStop(applied(p, FillOrder.CLOSE, "1", "102").plan(), "99.00", StopReason.INITIAL);
    }

    @Test
    void theStopNeverLoosens() {
        // stage 2 reached first: stop to tp1 (101); a later tp1 fill reaches stage 1, but breakeven (100) would loosen it
        PlanRules.Applied a = applied(workedLong(), FillOrder.TP2, "3", "102");
        assertTrue(a.stopMoved());
        assertStop(a.plan(), "101.00", StopReason.TP1);
        a = applied(a.plan(), FillOrder.TP1, "3", "101.5");
        assertTrue(a.plan().reached(1));
        assertFalse(a.stopMoved());
        assertStop(a.plan(), "101.00", StopReason.TP1);

        // after-tp2 breakeven below a tp1 stop: after-tp2 tp1 moved it to 101, breakeven 100 never comes back
        PlanRules tp1ThenBreakeven = new PlanRules(new StopRules(StopRule.BREAKEVEN, StopRule.BREAKEVEN,
                BigDecimal.ZERO));
        ExitPlan moved = a.plan();
        a = applied(tp1ThenBreakeven, moved, FillOrder.TP3, "1", "103", "0");
        assertFalse(a.stopMoved());
        assertStop(a.plan(), "101.00", StopReason.TP1);

        // short mirror
        a = applied(workedShort(), FillOrder.TP2, "3", "98");
        assertStop(a.plan(), "99.00", StopReason.TP1);
        a = applied(a.plan(), FillOrder.TP1, "3", "98.5");
        assertFalse(a.stopMoved());
        assertStop(a.plan(), "99.00", StopReason.TP1);
    }

    @Test
    void aNegativeFeeIsARebate() {
        PlanRules.Applied a = applied(DEFAULTS, workedLong(), FillOrder.TP1, "3", "101", "-0.05");
        assertDecimal("-0.05", a.plan().fees(), "fees");
        assertDecimal("3.05", a.plan().realizedPnl(), "realized");
        a = applied(DEFAULTS, a.plan(), FillOrder.CLOSE, "7", "100", "-0.02");
        assertDecimal("-0.07", a.plan().fees(), "fees");
        assertDecimal("3.07", a.plan().realizedPnl(), "realized");
        assertEquals(0.0307, a.pnl());
    }

    @Test
    void aLosingTradeHasANegativePnl() {
        PlanRules.Applied a = applied(DEFAULTS, workedShort(), FillOrder.SL, "10", "101", "0.5");
        assertTrue(a.plan().closed());
        assertDecimal("-10.5", a.plan().realizedPnl(), "realized");
        assertEquals(-0.105, a.pnl());
        // leverage 7: 1 / (100·3/7) = 7/300 does not terminate; it is rounded to the nearest double
        ExitPlan lev7 = PlanRules.create("pos-7", "X", Side.LONG, 7, d("100"), d("3"), null,
                new ExitPrices(d("101"), d("102"), d("103"), d("99")), new StageQuantities(d("1"), d("1"), d("1")));
        ExitPlan p = applied(lev7, FillOrder.CLOSE, "1", "101").plan();
        a = applied(p, FillOrder.CLOSE, "2", "100");
        assertTrue(a.plan().closed());
        assertEquals(7.0 / 300, a.pnl());
        assertEquals(SpecPlans.pnl(d("1"), d("100"), d("3"), d("7")), a.pnl());
    }
}
