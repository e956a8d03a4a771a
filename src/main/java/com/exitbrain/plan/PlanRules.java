package com.exitbrain.plan;

import com.exitbrain.engine.Decimals;
import com.exitbrain.engine.ErrorCode;
import com.exitbrain.engine.ExitPrices;
import com.exitbrain.engine.Side;
import com.exitbrain.engine.StageQuantities;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * SPEC §9's plan rules, pure: a plan created from a levels entry, and a fill applied to a plan
 * (rules 3 to 5; rule 1, an applied fill id, and rule 2, no plan, need the store and are decided by
 * the caller). Exact decimals throughout; the one double is the closed trade's {@code pnl}.
 */
public final class PlanRules {
    /** Digits of the closed trade's return before it is rounded to the nearest double. */
    private static final MathContext PNL_DIGITS = new MathContext(40, RoundingMode.HALF_EVEN);

    private final StopRules rules;

    public PlanRules(StopRules rules) {
        this.rules = rules;
    }

    /** What applying a fill led to. */
    public sealed interface Outcome permits Refused, Applied {
    }

    /** Rule 3 or 4: a dead letter with this code and reason; the plan is unchanged. */
    public record Refused(ErrorCode code, String reason) implements Outcome {
    }

    /**
     * Rule 5: the plan after the fill.
     *
     * @param pnl when the fill closed the plan, the return on the initial margin (SPEC §9), else null
     */
    public record Applied(ExitPlan plan, boolean stopMoved, Double pnl) implements Outcome {
    }

    /** SPEC §9 "Plan created": the levels entry's prices and stage quantities, nothing realized yet. */
    public static ExitPlan create(String positionId, String symbol, Side side, double leverage, BigDecimal entry,
                                  BigDecimal quantity, BigDecimal tick, ExitPrices prices, StageQuantities stages) {
        return new ExitPlan(positionId, symbol, side, Decimals.plain(leverage), entry, quantity, tick,
                List.of(prices.tp1(), prices.tp2(), prices.tp3()), prices.sl(),
                List.of(stages.tp1(), stages.tp2(), stages.tp3()), 0, quantity, BigDecimal.ZERO, BigDecimal.ZERO,
                StopReason.INITIAL, false, "");
    }

    public Outcome apply(ExitPlan plan, Fill fill) {
        if (plan.closed()) {
            return new Refused(ErrorCode.POSITION_CLOSED, "position " + plan.positionId()
                    + " is closed; fill " + fill.fillId() + " (" + fill.order().wire() + ") was not applied.");
        }
        BigDecimal q = fill.quantity();
        if (q.compareTo(plan.openQuantity()) > 0) {
            return new Refused(ErrorCode.OVERFILL, "fill " + fill.fillId() + " quantity " + Decimals.plain(q)
                    + " is above the open quantity " + Decimals.plain(plan.openQuantity()) + " of position "
                    + plan.positionId() + "; the plan is unchanged.");
        }
        int dir = plan.direction();
        BigDecimal open = plan.openQuantity().subtract(q);
        BigDecimal fees = plan.fees().add(fill.fee());
        BigDecimal realized = plan.realizedPnl()
                .add(fill.price().subtract(plan.entryPrice()).multiply(q).multiply(BigDecimal.valueOf(dir)))
                .subtract(fill.fee());

        List<BigDecimal> remaining = new ArrayList<>(plan.remaining());
        int reached = plan.reached();
        BigDecimal left = q;
        int own = fill.order().stage - 1;
        if (fill.order().takeProfit()) {
            BigDecimal before = remaining.get(own);
            BigDecimal taken = before.min(q);
            remaining.set(own, before.subtract(taken));
            if (before.signum() > 0 && remaining.get(own).signum() == 0) {
                reached |= 1 << own;
            }
            left = q.subtract(taken);
        }
        // sl/close, and a take-profit fill beyond its stage: the farthest targets go first
        for (int i = 2; i >= 0 && left.signum() > 0; i--) {
            if (i == own) {
                continue;
            }
            BigDecimal taken = remaining.get(i).min(left);
            remaining.set(i, remaining.get(i).subtract(taken));
            left = left.subtract(taken);
        }
        if (left.signum() != 0) {
            throw new IllegalStateException("stages of position " + plan.positionId() + " do not sum to its open quantity");
        }

        BigDecimal stop = plan.slPrice();
        StopReason reason = plan.stopReason();
        boolean moved = false;
        if (fill.order().takeProfit()) {
            StopRule rule = (reached & 2) != 0 ? rules.afterTp2() : (reached & 1) != 0 ? rules.afterTp1() : StopRule.KEEP;
            BigDecimal target = target(plan, rule);
            if (target != null
                    && target.subtract(stop).signum() == dir // tighter: never loosens
                    && fill.price().subtract(target).signum() == dir) { // still on the losing side of the market
                stop = target;
                reason = rule == StopRule.TP1 ? StopReason.TP1 : StopReason.BREAKEVEN;
                moved = true;
            }
        }
        boolean closed = open.signum() == 0;
        Double pnl = null;
        if (closed) {
            BigDecimal leverage = new BigDecimal(plan.leverage());
            pnl = realized.multiply(leverage).divide(plan.entryPrice().multiply(plan.quantity()), PNL_DIGITS).doubleValue();
        }
        ExitPlan after = new ExitPlan(plan.positionId(), plan.symbol(), plan.side(), plan.leverage(), plan.entryPrice(),
                plan.quantity(), plan.tickSize(), plan.tpPrices(), stop, remaining, reached, open, realized, fees,
                reason, closed, plan.version());
        return new Applied(after, moved, pnl);
    }

    /** The price a stop rule moves the stop to, or null for {@code keep}. */
    private BigDecimal target(ExitPlan plan, StopRule rule) {
        return switch (rule) {
            case KEEP -> null;
            case TP1 -> plan.tpPrices().get(0);
            case BREAKEVEN -> breakeven(plan);
        };
    }

    /** entry × (1 + dir × offset), on the tick when the plan has one: long rounded up, short down. */
    private BigDecimal breakeven(ExitPlan plan) {
        BigDecimal offset = rules.breakevenOffset().multiply(BigDecimal.valueOf(plan.direction()));
        BigDecimal price = plan.entryPrice().multiply(BigDecimal.ONE.add(offset));
        BigDecimal tick = plan.tickSize();
        if (tick == null) {
            return price;
        }
        RoundingMode mode = plan.side() == Side.LONG ? RoundingMode.CEILING : RoundingMode.FLOOR;
        return price.divide(tick, 0, mode).multiply(tick);
    }
}
