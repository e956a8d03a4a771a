package com.exitbrain.event;

import com.exitbrain.engine.Decimals;
import com.exitbrain.engine.ErrorCode;
import com.exitbrain.engine.InvalidInputException;

import java.math.BigDecimal;

/**
 * Numbers as producers send them (SPEC §8): decimal or scientific notation in ASCII, no NaN or
 * Infinity, ranges checked on the exact number. The worker and the {@code levels} command read
 * them alike, so both give the same answer for the same text.
 */
public final class InputNumbers {
    private static final int MAX_DIGITS = 30;

    private InputNumbers() {
    }

    /** A decimal or scientific number; NaN, Infinity and anything else unparseable are refused. */
    public static BigDecimal decimal(String name, String text) {
        try {
            String trimmed = text.trim();
            for (int i = 0; i < trimmed.length(); i++) {
                if (trimmed.charAt(i) >= 0x80) { // BigDecimal would read any script's digits: "２０" as 20
                    throw new NumberFormatException();
                }
            }
            return new BigDecimal(trimmed);
        } catch (NumberFormatException e) {
            throw new InvalidInputException(ErrorCode.INVALID_NUMBER,
                    name + " is \"" + abbreviate(text) + "\", not a number.");
        }
    }

    /**
     * A number used in exact decimal arithmetic (prices, quantities, PnL). 1e-1000000 would make
     * that slow and its plain form huge, and no real price needs it: more than 30 digits before or
     * after the point is out of range.
     */
    public static BigDecimal exactDecimal(String name, String text) {
        BigDecimal value = decimal(name, text).stripTrailingZeros();
        if (value.scale() > MAX_DIGITS || value.precision() - value.scale() > MAX_DIGITS) {
            throw new InvalidInputException(ErrorCode.OUT_OF_RANGE, name + " is \"" + abbreviate(text)
                    + "\", it has more than " + MAX_DIGITS + " digits before or after the decimal point.");
        }
        return value;
    }

    /**
     * A number as a double, its range checked on the exact number sent (125.00000000000000001 is
     * over 125 even though it reads as the double 125).
     */
    public static double number(String name, String text, double min, double max) {
        BigDecimal value = decimal(name, text);
        double nearest = value.doubleValue();
        // strictly inside as a double means strictly inside exactly (the nearest double to the number
        // is never on the far side of a bound's double); else compare exactly, with the bounds as the
        // decimals they were written as (a max-leverage of 12.3 is 12.3, not its binary neighbour)
        boolean inside = nearest > min && nearest < max
                || value.compareTo(BigDecimal.valueOf(min)) >= 0 && value.compareTo(BigDecimal.valueOf(max)) <= 0;
        if (!inside) {
            throw InvalidInputException.outOfRange(name, abbreviate(text.trim()),
                    Decimals.plain(min) + ".." + Decimals.plain(max));
        }
        return Decimals.toDouble(value);
    }

    /** A price, quantity, tick or lot: an exact decimal greater than 0, or {@code null} when absent. */
    public static BigDecimal positive(String name, String text) {
        if (text == null) {
            return null;
        }
        BigDecimal value = exactDecimal(name, text);
        if (value.signum() <= 0) {
            throw InvalidInputException.outOfRange(name, abbreviate(text.trim()), "values greater than 0");
        }
        return value;
    }

    public static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
