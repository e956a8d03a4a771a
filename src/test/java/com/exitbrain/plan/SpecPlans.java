package com.exitbrain.plan;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * SPEC §9 "Applying a fill", rules 3 to 5, transcribed once more from the SPEC text and
 * independently of {@link PlanRules}, in a different style on purpose: one mutable position whose
 * fields are changed in place, stages in arrays indexed 0..2, orders as plain strings. Tests apply
 * every fill to both and compare.
 *
 * <p>Where the SPEC is loose, the interpretation is: a stage is reached only when a fill of its own
 * order brings its remaining quantity from above 0 to 0; reached is sticky; when stage 2 is
 * reached the after-tp2 rule decides (even when it is keep), else when stage 1 is reached the
 * after-tp1 rule, else nothing moves; only take-profit fills move the stop.
 */
final class SpecPlans {
    static final String KEEP = "keep";
    static final String BREAKEVEN = "breakeven";
    static final String TP1 = "tp1";

    /** What the SPEC says a fill leads to; {@code refusal} null when it was applied. */
    static final class Outcome {
        String refusal;
        boolean stopMoved;
        Double pnl;

        @Override
        public String toString() {
            return refusal != null ? "refused " + refusal : "applied stopMoved=" + stopMoved + " pnl=" + pnl;
        }
    }

    /** One position's plan, changed in place by {@link #apply}. */
    static final class Position {
        String id;
        int dir;
        BigDecimal entry;
        BigDecimal quantity;
        BigDecimal leverage;
        BigDecimal tick;
        BigDecimal[] targets = new BigDecimal[3];
        BigDecimal stop;
        BigDecimal[] left = new BigDecimal[3];
        boolean[] reached = new boolean[3];
        BigDecimal open;
        BigDecimal realized = BigDecimal.ZERO;
        BigDecimal fees = BigDecimal.ZERO;
        String stopReason = "initial";
        boolean closed;

        Position copy() {
            Position c = new Position();
            c.id = id;
            c.dir = dir;
            c.entry = entry;
            c.quantity = quantity;
            c.leverage = leverage;
            c.tick = tick;
            c.targets = targets.clone();
            c.stop = stop;
            c.left = left.clone();
            c.reached = reached.clone();
            c.open = open;
            c.realized = realized;
            c.fees = fees;
            c.stopReason = stopReason;
            c.closed = closed;
            return c;
        }

        @Override
        public String toString() {
            return "Position[" + id + (dir > 0 ? " long" : " short") + " entry=" + entry + " qty=" + quantity
                    + " lev=" + leverage + " tick=" + tick + " targets=" + targets[0] + "/" + targets[1] + "/"
                    + targets[2] + " stop=" + stop + " (" + stopReason + ") left=" + left[0] + "/" + left[1] + "/"
                    + left[2] + " reached=" + reached[0] + "/" + reached[1] + "/" + reached[2] + " open=" + open
                    + " realized=" + realized + " fees=" + fees + (closed ? " closed" : " open") + "]";
        }
    }

    final String afterTp1;
    final String afterTp2;
    final BigDecimal offset;

    SpecPlans(String afterTp1, String afterTp2, BigDecimal offset) {
        this.afterTp1 = afterTp1;
        this.afterTp2 = afterTp2;
        this.offset = offset;
    }

    /** SPEC §9 "Plan created". {@code leverage} is taken in its shortest decimal form. */
    static Position open(String id, boolean isLong, double leverage, BigDecimal entry, BigDecimal quantity,
                         BigDecimal tick, BigDecimal[] tpPrices, BigDecimal slPrice, BigDecimal[] stages) {
        Position p = new Position();
        p.id = id;
        p.dir = isLong ? 1 : -1;
        p.entry = entry;
        p.quantity = quantity;
        p.leverage = new BigDecimal(Double.toString(leverage));
        p.tick = tick;
        for (int i = 0; i < 3; i++) {
            p.targets[i] = tpPrices[i];
            p.left[i] = stages[i];
        }
        p.stop = slPrice;
        p.open = quantity;
        return p;
    }

    /**
     * Applies one fill ({@code order} one of tp1, tp2, tp3, sl, close) to {@code p}, changing it in
     * place unless the fill is refused.
     */
    Outcome apply(Position p, String order, BigDecimal qty, BigDecimal price, BigDecimal fee) {
        Outcome out = new Outcome();
        // rule 3
        if (p.closed) {
            out.refusal = "position_closed";
            return out;
        }
        // rule 4
        if (qty.compareTo(p.open) > 0) {
            out.refusal = "overfill";
            return out;
        }
        // rule 5
        p.open = p.open.subtract(qty);
        p.fees = p.fees.add(fee);
        p.realized = p.realized.add(BigDecimal.valueOf(p.dir).multiply(price.subtract(p.entry)).multiply(qty))
                .subtract(fee);

        boolean takeProfit = order.startsWith("tp");
        BigDecimal rest = qty;
        if (takeProfit) {
            int own = order.charAt(2) - '1';
            boolean wasAboveZero = p.left[own].signum() > 0;
            BigDecimal taken = rest.min(p.left[own]);
            p.left[own] = p.left[own].subtract(taken);
            rest = rest.subtract(taken);
            if (wasAboveZero && p.left[own].signum() == 0) {
                p.reached[own] = true;
            }
            // what exceeds it: the other stages, farthest target first
            for (int i = 2; i >= 0; i--) {
                if (i != own) {
                    BigDecimal t = rest.min(p.left[i]);
                    p.left[i] = p.left[i].subtract(t);
                    rest = rest.subtract(t);
                }
            }
        } else {
            for (int i = 2; i >= 0; i--) {
                BigDecimal t = rest.min(p.left[i]);
                p.left[i] = p.left[i].subtract(t);
                rest = rest.subtract(t);
            }
        }
        if (rest.signum() != 0) {
            throw new IllegalStateException("stages did not cover the fill: " + p);
        }

        if (takeProfit) {
            String rule = p.reached[1] ? afterTp2 : p.reached[0] ? afterTp1 : KEEP;
            BigDecimal target = null;
            if (rule.equals(BREAKEVEN)) {
                target = breakeven(p);
            } else if (rule.equals(TP1)) {
                target = p.targets[0];
            }
            if (target != null) {
                boolean tighter = p.dir > 0 ? target.compareTo(p.stop) > 0 : target.compareTo(p.stop) < 0;
                boolean losingSide = p.dir > 0 ? target.compareTo(price) < 0 : target.compareTo(price) > 0;
                if (tighter && losingSide) {
                    p.stop = target;
                    p.stopReason = rule;
                    out.stopMoved = true;
                }
            }
        }

        if (p.open.signum() == 0) {
            p.closed = true;
            out.pnl = pnl(p.realized, p.entry, p.quantity, p.leverage);
        }
        return out;
    }

    /** entry·(1 + dir·offset), on the tick when there is one: long up, short down. */
    BigDecimal breakeven(Position p) {
        BigDecimal price = p.entry.multiply(BigDecimal.ONE.add(BigDecimal.valueOf(p.dir).multiply(offset)));
        if (p.tick == null) {
            return price;
        }
        BigDecimal ticks = price.divide(p.tick, 0, p.dir > 0 ? RoundingMode.CEILING : RoundingMode.FLOOR);
        return ticks.multiply(p.tick);
    }

    /**
     * realized / (entry·quantity/leverage) = realized·leverage / (entry·quantity), rounded to the
     * nearest double (ties to even), decided by exact comparison with the neighbouring doubles.
     */
    static double pnl(BigDecimal realized, BigDecimal entry, BigDecimal quantity, BigDecimal leverage) {
        BigDecimal num = realized.multiply(leverage);
        BigDecimal den = entry.multiply(quantity);
        double guess = num.divide(den, new MathContext(60, RoundingMode.HALF_EVEN)).doubleValue();
        double best = guess;
        for (double candidate : new double[] {Math.nextDown(guess), Math.nextUp(guess)}) {
            int c = distance(candidate, num, den).compareTo(distance(best, num, den));
            if (c < 0 || c == 0 && evenMantissa(candidate) && !evenMantissa(best)) {
                best = candidate;
            }
        }
        return best;
    }

    /** |d − num/den|·den, exact (den > 0). */
    private static BigDecimal distance(double d, BigDecimal num, BigDecimal den) {
        return new BigDecimal(d).multiply(den).subtract(num).abs();
    }

    private static boolean evenMantissa(double d) {
        return !BigInteger.valueOf(Double.doubleToRawLongBits(d)).testBit(0);
    }
}
