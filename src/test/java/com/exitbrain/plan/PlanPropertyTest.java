package com.exitbrain.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.exitbrain.engine.ErrorCode;
import com.exitbrain.engine.ExitPrices;
import com.exitbrain.engine.Side;
import com.exitbrain.engine.StageQuantities;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SPEC §9 "Applying a fill" over 5,000 seeded random fill sequences: every fill is applied by
 * {@link PlanRules} and by {@link SpecPlans}, which must agree field by field, and the SPEC's
 * invariants are checked on every plan {@link PlanRules} gives. The generator is steered by the
 * SPEC transcription, not by PlanRules, and must reach every branch (see
 * {@link #theGeneratorReachesEveryBranch}). A failure names the case and its seed: {@code
 * replay(seed)} reproduces it alone.
 */
class PlanPropertyTest {
    private static final long SEED = 0x9_1A45_F111L;
    private static final int CASES = 5_000;
    private static final BigDecimal[] HARVEST_LOW = {new BigDecimal("0.3"), new BigDecimal("0.3"), new BigDecimal("0.4")};
    private static final BigDecimal[] HARVEST_MID = {new BigDecimal("0.4"), new BigDecimal("0.4"), new BigDecimal("0.2")};
    private static final BigDecimal[] HARVEST_HIGH = {new BigDecimal("0.5"), new BigDecimal("0.3"), new BigDecimal("0.2")};
    private static final String[] ORDERS = {"tp1", "tp2", "tp3", "sl", "close"};

    /** One fill of one case, with both answers and the plans around it. */
    private record Step(String where, ExitPlan before, Fill fill, PlanRules.Outcome actual,
                        SpecPlans.Outcome expected, SpecPlans.Position expectedAfter) {
        ExitPlan after() {
            return actual instanceof PlanRules.Applied a ? a.plan() : before;
        }
    }

    /** One case: a plan, its rules and the fills applied to it in order. */
    private record Case(String name, SpecPlans spec, List<Step> steps) {
    }

    private static final List<Case> ALL = new ArrayList<>(CASES);
    private static final Map<String, Integer> BRANCHES = new TreeMap<>();

    @BeforeAll
    static void runEveryCase() {
        for (int i = 0; i < CASES; i++) {
            ALL.add(replay(SEED + 7919L * i, "case " + i));
        }
    }

    private static void count(String branch) {
        BRANCHES.merge(branch, 1, Integer::sum);
    }

    private static BigDecimal d(String s) {
        return new BigDecimal(s);
    }

    /** Builds the case of {@code seed} and applies its fills with both implementations. */
    static Case replay(long seed, String label) {
        String name = label + " (seed " + seed + "L)";
        Random r = new Random(seed);
        boolean isLong = r.nextBoolean();
        int dir = isLong ? 1 : -1;
        // a quarter of the cases climb the ladder first: tp1, tp2, tp3 each filling its stage at a good price,
        // half of them with a breakeven offset past tp1 (where after-tp2 = tp1 would loosen the stop)
        boolean ladder = r.nextInt(4) == 0;
        boolean wideBreakeven = ladder && r.nextBoolean();

        // entry, tick, lot, quantity
        int entryScale = r.nextInt(7);
        BigDecimal entry = BigDecimal.valueOf(1_000 + r.nextInt(9_000_000), entryScale + 3).stripTrailingZeros();
        BigDecimal tick = null;
        if (r.nextInt(10) < 7) {
            int[] mult = {1, 2, 5, 25};
            int exp = entry.precision() - entry.scale() - 3 - r.nextInt(3); // about 1e-3..1e-5 of the entry
            tick = BigDecimal.valueOf(mult[r.nextInt(mult.length)]).scaleByPowerOfTen(exp).stripTrailingZeros();
            if (r.nextInt(4) > 0) {
                entry = entry.divide(tick, 0, RoundingMode.HALF_UP).max(BigDecimal.ONE).multiply(tick);
            }
        }
        BigDecimal lot = switch (r.nextInt(6)) {
            case 0 -> null;
            case 1 -> d("1");
            case 2 -> d("0.1");
            case 3 -> d("0.001");
            case 4 -> d("5");
            default -> d("0.01");
        };
        BigDecimal quantity;
        if (lot != null && r.nextInt(5) > 0) {
            quantity = lot.multiply(BigDecimal.valueOf(1 + r.nextInt(r.nextBoolean() ? 20 : 2_000)));
        } else {
            quantity = BigDecimal.valueOf(1 + r.nextInt(10_000_000), r.nextInt(7));
        }

        double leverage = r.nextInt(10) == 0 ? (1 + r.nextInt(100)) + 0.25 * (1 + r.nextInt(3))
                : 1 + r.nextInt(r.nextBoolean() ? 20 : 125);

        // prices: TPs on the profit side rounded toward the entry, the stop on the losing side
        BigDecimal[] tps = new BigDecimal[3];
        double[] fractions = {(wideBreakeven ? 0.001 : 0.002) + (wideBreakeven ? 0.005 : 0.012) * r.nextDouble(), 0.015 + 0.01 * r.nextDouble(), 0.03 + 0.02 * r.nextDouble()};
        for (int k = 0; k < 3; k++) {
            BigDecimal raw = entry.multiply(BigDecimal.ONE.add(BigDecimal.valueOf(dir * fractions[k])));
            tps[k] = onTick(raw, tick, isLong ? RoundingMode.FLOOR : RoundingMode.CEILING, entry, dir);
        }
        BigDecimal rawStop = entry.multiply(BigDecimal.ONE.subtract(BigDecimal.valueOf(dir * (0.001 + 0.019 * r.nextDouble()))));
        BigDecimal stop = onTick(rawStop, tick, isLong ? RoundingMode.CEILING : RoundingMode.FLOOR, entry, -dir);

        // stages: the harvest scheme (SPEC §1.9), or any split with empty stages now and then
        BigDecimal[] stages = new BigDecimal[3];
        if (r.nextInt(5) > 0) {
            BigDecimal[] h = leverage <= 10 ? HARVEST_LOW : leverage <= 30 ? HARVEST_MID : HARVEST_HIGH;
            for (int k = 0; k < 2; k++) {
                BigDecimal q = quantity.multiply(h[k]);
                stages[k] = lot == null ? q : q.divide(lot, 0, RoundingMode.FLOOR).multiply(lot);
            }
        } else {
            for (int k = 0; k < 2; k++) {
                BigDecimal left = quantity.subtract(k == 0 ? BigDecimal.ZERO : stages[0]);
                stages[k] = r.nextInt(3) == 0 ? BigDecimal.ZERO
                        : left.multiply(BigDecimal.valueOf(r.nextInt(101), 2)).setScale(quantity.scale(), RoundingMode.DOWN);
            }
        }
        stages[2] = quantity.subtract(stages[0]).subtract(stages[1]);

        StopRule after1 = r.nextInt(3) == 0 ? StopRule.KEEP : StopRule.BREAKEVEN;
        StopRule after2 = StopRule.values()[r.nextInt(3)];
        BigDecimal offset = wideBreakeven ? new BigDecimal[] {d("0.0075"), d("0.01")}[r.nextInt(2)] : new BigDecimal[] {d("0"), d("0"), d("0.0005"), d("0.001"), d("0.001234"), d("0.0037"),
                d("0.0075"), d("0.01"), d("0.01")}[r.nextInt(9)];

        String id = "pos-" + seed;
        ExitPlan plan = PlanRules.create(id, "SYM" + r.nextInt(50) + "USDT", isLong ? Side.LONG : Side.SHORT, leverage,
                entry, quantity, tick, new ExitPrices(tps[0], tps[1], tps[2], stop),
                new StageQuantities(stages[0], stages[1], stages[2]));
        PlanRules rules = new PlanRules(new StopRules(after1, after2, offset));
        SpecPlans spec = new SpecPlans(after1.name().toLowerCase(), after2.name().toLowerCase(), offset);
        SpecPlans.Position position = SpecPlans.open(id, isLong, leverage, entry, quantity, tick, tps, stop, stages);
        String setup = name + ": " + position + " rules " + after1 + "/" + after2 + " offset " + offset + " lot " + lot;

        List<Step> steps = new ArrayList<>();
        int fills = 1 + r.nextInt(14);
        for (int j = 0; j < fills; j++) {
            boolean climbing = ladder && j < 3 && position.left[j].signum() > 0;
            String order = climbing ? ORDERS[j] : ORDERS[r.nextInt(ORDERS.length)];
            BigDecimal qty = climbing ? position.left[j] : fillQuantity(r, position, order, lot);
            BigDecimal price = fillPrice(r, position, spec, order, tick, climbing);
            BigDecimal fee = fee(r, qty, price);
            Fill fill = new Fill(id, FillOrder.parse(order).orElseThrow(), qty, price, fee, "fill-" + j, null);
            String where = setup + "\n  fill " + j + ": " + order + " " + qty.toPlainString() + " @ "
                    + price.toPlainString() + " fee " + fee.toPlainString();
            classify(position, spec, order, qty, price, fee);
            PlanRules.Outcome actual;
            try {
                actual = rules.apply(plan, fill);
            } catch (RuntimeException e) {
                throw new AssertionError(where + "\n  PlanRules threw " + e, e);
            }
            SpecPlans.Position before = position.copy();
            SpecPlans.Outcome expected = spec.apply(position, order, qty, price, fee);
            countOutcome(spec, before, position, expected, order);
            Step step = new Step(where + "\n  spec before: " + before, plan, fill, actual, expected, position.copy());
            steps.add(step);
            plan = step.after();
            if (position.closed && r.nextInt(3) == 0) {
                break;
            }
        }
        return new Case(name, spec, steps);
    }

    /** A price on the tick, rounded with {@code mode}, or one tick to {@code awaySide} of the entry if it reached it. */
    private static BigDecimal onTick(BigDecimal raw, BigDecimal tick, RoundingMode mode, BigDecimal entry, int awaySide) {
        if (tick == null) {
            return raw;
        }
        BigDecimal p = raw.divide(tick, 0, mode).multiply(tick);
        if (p.compareTo(entry) == 0 || Integer.signum(p.compareTo(entry)) != awaySide) {
            p = entry.divide(tick, 0, awaySide > 0 ? RoundingMode.FLOOR : RoundingMode.CEILING)
                    .add(BigDecimal.valueOf(awaySide)).multiply(tick);
        }
        return p.signum() > 0 ? p : tick;
    }

    private static BigDecimal fillQuantity(Random r, SpecPlans.Position p, String order, BigDecimal lot) {
        BigDecimal open = p.open;
        BigDecimal stage = order.startsWith("tp") ? p.left[order.charAt(2) - '1'] : open;
        BigDecimal q;
        switch (r.nextInt(20)) {
            case 0, 1, 2, 3, 4 -> q = stage; // exactly the stage (or, for sl/close, everything open)
            case 5, 6, 7 -> q = portion(r, stage, lot);
            case 8, 9, 10 -> q = stage.add(portion(r, open.subtract(stage), lot)); // beyond the stage, within open
            case 11, 12 -> q = open;
            case 13, 14 -> q = open.add(lot != null && r.nextBoolean() ? lot : BigDecimal.valueOf(1, 1 + r.nextInt(8)));
            case 15 -> q = open.add(open.multiply(BigDecimal.valueOf(1 + r.nextInt(300), 2)));
            default -> q = open.multiply(BigDecimal.valueOf(r.nextInt(100_001), 5)).setScale(r.nextInt(9), RoundingMode.DOWN);
        }
        if (q.signum() <= 0) {
            q = open.signum() > 0 && r.nextBoolean() ? open : lot != null ? lot : BigDecimal.valueOf(1 + r.nextInt(100), r.nextInt(4));
        }
        return q;
    }

    /** Part of {@code of}, on the lot when there is one. */
    private static BigDecimal portion(Random r, BigDecimal of, BigDecimal lot) {
        BigDecimal part = of.multiply(BigDecimal.valueOf(r.nextInt(101), 2));
        return lot == null ? part : part.divide(lot, 0, RoundingMode.FLOOR).multiply(lot);
    }

    private static BigDecimal fillPrice(Random r, SpecPlans.Position p, SpecPlans spec, String order, BigDecimal tick,
                                        boolean good) {
        BigDecimal nominal = switch (order) {
            case "tp1" -> p.targets[0];
            case "tp2" -> p.targets[1];
            case "tp3" -> p.targets[2];
            case "sl" -> p.stop;
            default -> p.entry;
        };
        BigDecimal step = tick != null ? tick : p.entry.movePointLeft(4);
        BigDecimal price = switch (good ? 11 : r.nextInt(12)) {
            case 0, 1, 2, 3, 4 -> nominal;
            case 5 -> nominal.add(step.multiply(BigDecimal.valueOf(r.nextInt(21) - 10)));
            case 6 -> p.entry.multiply(BigDecimal.valueOf(97_000 + r.nextInt(6_001), 5)).setScale(r.nextInt(8) + 1,
                    RoundingMode.HALF_UP);
            // the edges of the stop move: at, just inside and just past the breakeven or tp1 target
            case 7 -> spec.breakeven(p).add(step.multiply(BigDecimal.valueOf(r.nextInt(3) - 1)));
            case 8 -> p.targets[0].add(step.multiply(BigDecimal.valueOf(r.nextInt(3) - 1)));
            case 9 -> p.entry.add(step.multiply(BigDecimal.valueOf(r.nextInt(3) - 1)));
            // beyond both the order's price and the breakeven (a breakeven offset can put it past tp1)
            default -> (p.dir > 0 ? nominal.max(spec.breakeven(p)) : nominal.min(spec.breakeven(p)))
                    .add(step.multiply(BigDecimal.valueOf(p.dir * (1 + r.nextInt(5)))));
        };
        return price.signum() > 0 ? price : nominal;
    }

    private static BigDecimal fee(Random r, BigDecimal qty, BigDecimal price) {
        return switch (r.nextInt(8)) {
            case 0, 1, 2 -> BigDecimal.ZERO;
            case 3, 4 -> qty.multiply(price).multiply(d("0.0004")).setScale(8, RoundingMode.HALF_UP);
            case 5 -> qty.multiply(price).multiply(d("-0.0002")).setScale(6, RoundingMode.HALF_UP);
            case 6 -> BigDecimal.valueOf(r.nextInt(2_000_001) - 1_000_000, r.nextInt(10));
            default -> BigDecimal.valueOf(-1 - r.nextInt(1000), 3 + r.nextInt(9));
        };
    }

    /** Counts the situation a fill is in before it is applied (to show the generator's reach). */
    private static void classify(SpecPlans.Position p, SpecPlans spec, String order, BigDecimal qty, BigDecimal price,
                                 BigDecimal fee) {
        if (p.closed || qty.compareTo(p.open) > 0) {
            return;
        }
        if (fee.signum() < 0) {
            count("fee negative (rebate)");
        }
        if (order.startsWith("tp")) {
            BigDecimal stage = p.left[order.charAt(2) - '1'];
            if (stage.signum() == 0) {
                count("tp fill on an empty stage");
            }
            if (qty.compareTo(stage) > 0) {
                count("tp fill beyond its stage");
                int others = 0;
                for (int k = 0; k < 3; k++) {
                    if (k != order.charAt(2) - '1' && p.left[k].signum() > 0) {
                        others++;
                    }
                }
                if (others == 2 && qty.subtract(stage).compareTo(p.left[2 == order.charAt(2) - '1' ? 1 : 2]) > 0) {
                    count("tp excess over two other stages");
                }
            }
        } else if (qty.compareTo(p.left[2]) > 0 && p.left[2].signum() > 0) {
            count("sl/close over more than tp3");
        }
        if (p.tick != null && spec.offset.signum() != 0) {
            BigDecimal exact = p.entry.multiply(BigDecimal.ONE.add(BigDecimal.valueOf(p.dir).multiply(spec.offset)));
            if (exact.compareTo(spec.breakeven(p)) != 0) {
                count("breakeven rounded to the tick (" + (p.dir > 0 ? "long up" : "short down") + ")");
            }
        }
    }

    private static void countOutcome(SpecPlans spec, SpecPlans.Position before, SpecPlans.Position after,
                                     SpecPlans.Outcome o, String order) {
        if (o.refusal != null) {
            count("refused " + o.refusal);
            return;
        }
        count("applied " + order);
        if (o.stopMoved) {
            count("stop moved: " + after.stopReason + (after.dir > 0 ? " (long)" : " (short)"));
        }
        for (int k = 0; k < 3; k++) {
            if (!before.reached[k] && after.reached[k]) {
                count("stage " + (k + 1) + " reached");
            }
        }
        if (order.startsWith("tp") && !o.stopMoved && (after.reached[0] || after.reached[1])) {
            String rule = after.reached[1] ? "after-tp2 " : "after-tp1 ";
            count("no move with a stage reached");
            boolean tighterWasPossible = after.dir > 0 ? before.stop.compareTo(after.entry) < 0
                    : before.stop.compareTo(after.entry) > 0;
            String r = after.reached[1] ? spec.afterTp2 : spec.afterTp1;
            BigDecimal target = r.equals(SpecPlans.BREAKEVEN) ? spec.breakeven(after)
                    : r.equals(SpecPlans.TP1) ? after.targets[0] : null;
            if (target != null && Integer.signum(target.compareTo(after.stop)) == -after.dir) {
                count("no move: the target is looser than the stop");
            }
            if (tighterWasPossible) {
                count("no move with a stage reached, stop not yet at breakeven: " + rule + "keep or target past the fill");
            }
        }
        if (after.closed) {
            count("closed by " + (order.startsWith("tp") ? "a tp fill" : order));
            count(after.realized.signum() < 0 ? "closed at a loss" : "closed at a profit or flat");
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** Runs {@code check} on every step; collects the first failures with the step that made them. */
    private static void forEveryStep(Consumer<Step> check) {
        List<String> failures = new ArrayList<>();
        int total = 0;
        for (Case c : ALL) {
            for (Step s : c.steps()) {
                total++;
                try {
                    check.accept(s);
                } catch (AssertionError e) {
                    if (failures.size() < 5) {
                        failures.add(s.where() + "\n  PlanRules before: " + s.before() + "\n  PlanRules: " + s.actual()
                                + "\n  SPEC: " + s.expected() + " → " + s.expectedAfter() + "\n  => " + e.getMessage());
                    } else {
                        failures.add("");
                    }
                    break; // one failure per case: the rest of it may follow from the first
                }
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + ALL.size() + " cases fail (" + total + " fills checked); the first:\n"
                    + String.join("\n\n", failures.stream().filter(f -> !f.isEmpty()).toList()));
        }
    }

    private static void same(BigDecimal expected, BigDecimal actual, String what) {
        if (expected == null ? actual != null : actual == null || expected.compareTo(actual) != 0) {
            throw new AssertionError(what + ": expected " + expected + ", got " + actual);
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    @Test
    void planRulesAgreesWithTheSpecFieldByField() {
        forEveryStep(s -> {
            SpecPlans.Position e = s.expectedAfter();
            if (s.expected().refusal != null) {
                PlanRules.Refused refused = s.actual() instanceof PlanRules.Refused x ? x : null;
                check(refused != null, "expected refusal " + s.expected().refusal + ", got " + s.actual());
                assertEquals(s.expected().refusal, refused.code().wire(), "error code");
                check(refused.reason().contains(s.fill().positionId()), "reason does not name the position: "
                        + refused.reason());
                return;
            }
            check(s.actual() instanceof PlanRules.Applied, "expected applied, got " + s.actual());
            PlanRules.Applied a = (PlanRules.Applied) s.actual();
            ExitPlan p = a.plan();
            same(e.open, p.openQuantity(), "open_quantity");
            for (int k = 0; k < 3; k++) {
                same(e.left[k], p.remaining().get(k), "tp" + (k + 1) + "_qty");
                assertEquals(e.reached[k], p.reached(k + 1), "stage " + (k + 1) + " reached");
            }
            same(e.fees, p.fees(), "fees");
            same(e.realized, p.realizedPnl(), "realized_pnl");
            same(e.stop, p.slPrice(), "sl_price");
            assertEquals(e.stopReason, p.stopReason().wire(), "stop_reason");
            assertEquals(s.expected().stopMoved, a.stopMoved(), "stop_moved");
            assertEquals(e.closed, p.closed(), "closed");
            assertEquals(s.expected().pnl, a.pnl(), "pnl");
            // what a fill never changes
            ExitPlan b = s.before();
            assertEquals(b.positionId(), p.positionId(), "position_id");
            assertEquals(b.symbol(), p.symbol(), "symbol");
            assertEquals(b.side(), p.side(), "side");
            assertEquals(b.leverage(), p.leverage(), "leverage");
            same(b.entryPrice(), p.entryPrice(), "entry_price");
            same(b.quantity(), p.quantity(), "quantity");
            same(b.tickSize(), p.tickSize(), "tick_size");
            for (int k = 0; k < 3; k++) {
                same(b.tpPrices().get(k), p.tpPrices().get(k), "tp" + (k + 1) + "_price");
            }
        });
    }

    @Test
    void theStopQuantityIsAlwaysTheOpenQuantity() {
        forEveryStep(s -> same(s.after().openQuantity(), s.after().slQuantity(), "sl_qty"));
    }

    @Test
    void theStagesSumExactlyToTheOpenQuantityAndNothingIsNegative() {
        forEveryStep(s -> {
            ExitPlan p = s.after();
            BigDecimal sum = BigDecimal.ZERO;
            for (BigDecimal q : p.remaining()) {
                check(q.signum() >= 0, "negative stage: " + p.remaining());
                sum = sum.add(q);
            }
            same(p.openQuantity(), sum, "stages sum");
            check(p.openQuantity().signum() >= 0, "negative open quantity " + p.openQuantity());
            check(p.openQuantity().compareTo(p.quantity()) <= 0, "open quantity above the quantity");
            check(p.slQuantity().signum() >= 0, "negative sl_qty");
            check(p.slPrice().signum() > 0, "sl_price not above 0");
        });
    }

    @Test
    void theStopNeverLoosensAndMovesOnlyToTheLosingSideOfATakeProfitFill() {
        forEveryStep(s -> {
            ExitPlan b = s.before();
            ExitPlan p = s.after();
            int c = p.slPrice().compareTo(b.slPrice());
            check(b.direction() > 0 ? c >= 0 : c <= 0, "stop loosened from " + b.slPrice() + " to " + p.slPrice());
            boolean moved = s.actual() instanceof PlanRules.Applied a && a.stopMoved();
            check(moved == (c != 0), "stop_moved " + moved + " but the stop went from " + b.slPrice() + " to "
                    + p.slPrice());
            if (moved) {
                check(s.fill().order().takeProfit(), "a " + s.fill().order() + " fill moved the stop");
                int side = p.slPrice().compareTo(s.fill().price());
                check(b.direction() > 0 ? side < 0 : side > 0, "stop moved to " + p.slPrice()
                        + ", not on the losing side of the fill at " + s.fill().price());
                check(p.stopReason() != StopReason.INITIAL, "moved stop still 'initial'");
            } else {
                assertEquals(b.stopReason(), p.stopReason(), "stop_reason changed without a move");
            }
        });
    }

    @Test
    void realizedPnlIsTheExactSumOverAppliedFills() {
        for (Case c : ALL) {
            BigDecimal sum = BigDecimal.ZERO;
            BigDecimal fees = BigDecimal.ZERO;
            for (Step s : c.steps()) {
                if (s.actual() instanceof PlanRules.Applied a) {
                    Fill f = s.fill();
                    BigDecimal dir = BigDecimal.valueOf(s.before().direction());
                    sum = sum.add(dir.multiply(f.price().subtract(s.before().entryPrice())).multiply(f.quantity()))
                            .subtract(f.fee());
                    fees = fees.add(f.fee());
                    if (sum.compareTo(a.plan().realizedPnl()) != 0 || fees.compareTo(a.plan().fees()) != 0) {
                        fail(s.where() + "\n  realized " + a.plan().realizedPnl() + " fees " + a.plan().fees()
                                + ", expected Σ dir·(price − entry)·qty − fee = " + sum + ", Σ fee = " + fees);
                    }
                }
            }
        }
    }

    @Test
    void closedExactlyWhenNothingIsOpenAndOnlyThenAPnl() {
        forEveryStep(s -> {
            if (s.actual() instanceof PlanRules.Applied a) {
                ExitPlan p = a.plan();
                assertEquals(p.openQuantity().signum() == 0, p.closed(), "closed vs open quantity " + p.openQuantity());
                assertEquals(p.closed(), a.pnl() != null, "pnl present exactly when closed: " + a.pnl());
            } else {
                PlanRules.Refused r = (PlanRules.Refused) s.actual();
                check(s.before().closed() == (r.code() == ErrorCode.POSITION_CLOSED),
                        "refused " + r.code() + " on a plan with closed=" + s.before().closed());
                check(s.before().closed() || s.fill().quantity().compareTo(s.before().openQuantity()) > 0,
                        "refused a fill that fits the open plan: " + r);
            }
        });
    }

    @Test
    void pnlIsTheReturnOnTheInitialMarginRoundedToTheNearestDouble() {
        forEveryStep(s -> {
            if (s.actual() instanceof PlanRules.Applied a && a.pnl() != null) {
                ExitPlan p = a.plan();
                BigDecimal num = p.realizedPnl().multiply(new BigDecimal(p.leverage()));
                BigDecimal den = p.entryPrice().multiply(p.quantity());
                double pnl = a.pnl();
                check(Double.isFinite(pnl), "pnl " + pnl);
                // no double is nearer to realized·leverage/(entry·quantity) than pnl
                BigDecimal err = new BigDecimal(pnl).multiply(den).subtract(num).abs();
                for (double n : new double[] {Math.nextDown(pnl), Math.nextUp(pnl)}) {
                    BigDecimal other = new BigDecimal(n).multiply(den).subtract(num).abs();
                    check(other.compareTo(err) >= 0, "pnl " + pnl + " is not the nearest double to " + num + " / "
                            + den + ": " + n + " is nearer");
                }
                check(Integer.signum(Double.compare(pnl, 0.0)) == p.realizedPnl().signum() || pnl == 0
                        && p.realizedPnl().signum() == 0, "pnl sign");
            }
        });
    }

    @Test
    void theGeneratorReachesEveryBranch() {
        StringBuilder all = new StringBuilder();
        BRANCHES.forEach((k, v) -> all.append(String.format("%n  %7d  %s", v, k)));
        System.out.println("PlanPropertyTest branches over " + CASES + " cases:" + all);
        List<String> needed = List.of("refused position_closed", "refused overfill", "applied tp1", "applied tp2",
                "applied tp3", "applied sl", "applied close", "stop moved: breakeven (long)",
                "stop moved: breakeven (short)", "stop moved: tp1 (long)", "stop moved: tp1 (short)",
                "stage 1 reached", "stage 2 reached", "stage 3 reached", "closed by a tp fill", "closed by sl",
                "closed by close", "closed at a loss", "closed at a profit or flat", "tp fill beyond its stage",
                "tp excess over two other stages", "tp fill on an empty stage", "sl/close over more than tp3",
                "fee negative (rebate)", "breakeven rounded to the tick (long up)",
                "breakeven rounded to the tick (short down)", "no move with a stage reached", "no move: the target is looser than the stop",
                "no move with a stage reached, stop not yet at breakeven: after-tp1 keep or target past the fill",
                "no move with a stage reached, stop not yet at breakeven: after-tp2 keep or target past the fill");
        for (String branch : needed) {
            int n = BRANCHES.getOrDefault(branch, 0);
            assertTrue(n >= 20, "branch '" + branch + "' reached " + n + " times only:" + all);
        }
        long movesRefusedAtThePrice = 0;
        for (Case c : ALL) {
            for (Step s : c.steps()) {
                if (s.expected().refusal == null && !s.expected().stopMoved && s.fill().order().takeProfit()
                        && targetTighterButPastTheFill(c.spec(), s)) {
                    movesRefusedAtThePrice++;
                }
            }
        }
        System.out.println("  " + movesRefusedAtThePrice + "  move refused: target tighter but at or past the fill price");
        assertTrue(movesRefusedAtThePrice >= 20, "moves refused at the fill price: " + movesRefusedAtThePrice);
    }

    /** The rule's target would tighten the stop but is at or beyond the fill's price (SPEC's own formula). */
    private static boolean targetTighterButPastTheFill(SpecPlans spec, Step s) {
        SpecPlans.Position after = s.expectedAfter();
        String rule = after.reached[1] ? spec.afterTp2 : after.reached[0] ? spec.afterTp1 : SpecPlans.KEEP;
        BigDecimal target = rule.equals(SpecPlans.BREAKEVEN) ? spec.breakeven(after)
                : rule.equals(SpecPlans.TP1) ? after.targets[0] : null;
        if (target == null) {
            return false;
        }
        int dir = after.dir;
        boolean tighter = dir > 0 ? target.compareTo(after.stop) > 0 : target.compareTo(after.stop) < 0;
        boolean past = dir > 0 ? target.compareTo(s.fill().price()) >= 0 : target.compareTo(s.fill().price()) <= 0;
        return tighter && past;
    }
}
