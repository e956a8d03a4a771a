package com.exitbrain.engine;

import java.math.BigDecimal;

/** The one number format of every output (SPEC §8): plain decimal, no exponent, no trailing zeros. */
public final class Decimals {
    private Decimals() {
    }

    /**
     * The shortest decimal form of a double ({@link Double#toString}, as {@link BigDecimal#valueOf(double)}),
     * plain. Between 10^-3 and 10^7 {@code Double.toString} has no exponent already, and only its
     * trailing zeros need to go: that is done on the string, because the BigDecimal round trip was
     * a tenth of the worker's time (a levels entry has some 25 of these numbers).
     */
    public static String plain(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("not a finite number: " + value);
        }
        if (value == 0) {
            return "0";
        }
        String shortest = Double.toString(value);
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

    public static String plain(BigDecimal value) {
        if (value.signum() == 0) {
            return "0";
        }
        return value.stripTrailingZeros().toPlainString();
    }
}
