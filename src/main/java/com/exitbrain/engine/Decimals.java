package com.exitbrain.engine;

import com.fasterxml.jackson.core.io.NumberOutput;
import java.math.BigDecimal;

/** The one number format of every output (SPEC §8): plain decimal, no exponent, no trailing zeros. */
public final class Decimals {
    private Decimals() {
    }

    /**
     * The shortest decimal that reads back as this double, in {@code Double.toString}'s layout.
     * It is Jackson's Schubfach (Giulietti's algorithm, the one {@code Double.toString} uses from
     * Java 19): Java 17's own {@code Double.toString} is slower by half and now and then prints a
     * digit more than needed, so the same double could print differently on another Java.
     */
    static String shortest(double value) {
        return NumberOutput.toString(value, true);
    }

    /**
     * The exact value of {@link #shortest}: {@code BigDecimal.valueOf(double)}, independent of the
     * Java version. Without an exponent the string has at most 17 significant digits, so its digits
     * make a long: no string parsing by BigDecimal (which was two thirds of pricing a level).
     */
    public static BigDecimal exact(double value) {
        String text = shortest(value);
        int point = text.indexOf('.');
        if (point < 0 || text.indexOf('E') >= 0 || text.length() > 22) {
            return new BigDecimal(text);
        }
        StringBuilder digits = new StringBuilder(text.length()).append(text, 0, point)
                .append(text, point + 1, text.length());
        long unscaled = Long.parseLong(digits, 0, digits.length(), 10);
        return BigDecimal.valueOf(unscaled, text.length() - point - 1);
    }

    /**
     * The shortest decimal form of a double ({@link #shortest}), plain. Between 10^-3 and 10^7 it
     * has no exponent already, and only its trailing zeros need to go: that is done on the string,
     * because the BigDecimal round trip was a tenth of the worker's time (a levels entry has some
     * 25 of these numbers).
     */
    public static String plain(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("not a finite number: " + value);
        }
        if (value == 0) {
            return "0";
        }
        String shortest = shortest(value);
        if (shortest.indexOf('E') >= 0) {
            return plain(new BigDecimal(shortest));
        }
        // "d.ddd" with at least one digit after the point: drop trailing zeros, then a bare point
        int end = shortest.length();
        while (shortest.charAt(end - 1) == '0') {
            end--;
        }
        if (shortest.charAt(end - 1) == '.') {
            end--;
        }
        return shortest.substring(0, end);
    }

    /**
     * The nearest double, except that a number which is not exactly a short decimal never becomes
     * one: 0.49999999999999999999 is read as the double just under 0.5, not as 0.5, so it stays on
     * the side of every threshold (confidence 0.5, leverage 10 or 30) that the number sent is on.
     * A number of at most 15 significant digits cannot collapse onto another short decimal, except
     * onto 0 by underflow. (The average's {@code > 0.30} is not covered: 0.30000000000000001 reads
     * as the double 0.3, which is below 0.3; the worker's averages have 16 digits at most.)
     */
    public static double toDouble(BigDecimal value) {
        double nearest = value.doubleValue();
        if (nearest == 0 && value.signum() != 0) { // underflow: -1e-400 stays below 0
            return value.signum() > 0 ? Double.MIN_VALUE : -Double.MIN_VALUE;
        }
        if (value.precision() <= 15 || !Double.isFinite(nearest)) {
            return nearest;
        }
        BigDecimal exactNearest = new BigDecimal(nearest);
        int side = value.compareTo(exactNearest);
        if (side == 0 || exactNearest.stripTrailingZeros().precision() > 17) {
            return nearest;
        }
        return side < 0 ? Math.nextDown(nearest) : Math.nextUp(nearest);
    }

    /**
     * {@code stripTrailingZeros().toPlainString()}. For the prices and quantities of the hot path (a
     * positive scale, at most 18 digits) the zeros are stripped off the unscaled long and the point
     * placed by hand: {@code stripTrailingZeros} builds a BigDecimal by repeated division, a twentieth
     * of the worker's allocations (DecimalsTest compares the two routes).
     */
    public static String plain(BigDecimal value) {
        if (value.signum() == 0) {
            return "0";
        }
        int scale = value.scale();
        if (scale <= 0 || value.precision() > 18) {
            return value.stripTrailingZeros().toPlainString();
        }
        // scale 0: the unscaled value as a long without a BigInteger (unscaledValue() makes one)
        long unscaled = value.movePointRight(scale).longValue();
        while (scale > 0 && unscaled % 10 == 0) {
            unscaled /= 10;
            scale--;
        }
        String digits = Long.toString(Math.abs(unscaled));
        if (scale == 0) {
            return unscaled < 0 ? "-" + digits : digits;
        }
        StringBuilder out = new StringBuilder(digits.length() + scale + 3);
        if (unscaled < 0) {
            out.append('-');
        }
        int whole = digits.length() - scale;
        if (whole > 0) {
            out.append(digits, 0, whole).append('.').append(digits, whole, digits.length());
        } else {
            out.append("0.");
            for (int i = whole; i < 0; i++) {
                out.append('0');
            }
            out.append(digits);
        }
        return out.toString();
    }
}
