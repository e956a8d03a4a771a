package com.exitbrain.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Decimals#plain(double)} works on the string of {@link Double#toString} where it has no
 * exponent; it must print exactly what the BigDecimal route prints, for every double.
 */
class DecimalsFastPathTest {
    private static String reference(double value) {
        BigDecimal d = BigDecimal.valueOf(value);
        return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    }

    private static void check(double value) {
        assertEquals(reference(value), Decimals.plain(value), () -> "for " + value);
    }

    @Test
    void sameAsTheBigDecimalRouteAtTheEdgesOfThePlainRange() {
        double[] edges = {1e-3, Math.nextDown(1e-3), Math.nextUp(1e-3), 1e7, Math.nextDown(1e7), Math.nextUp(1e7),
                1, 10, 100, 1000.5, 0.1, 0.5, 0.001, 0.0010, 9999999.999, 1234567.0, 0.30000000000000004,
                Double.MIN_VALUE, Double.MAX_VALUE, Double.MIN_NORMAL, 125, 0.8, 0.95, 1.2, 65012.3, 0.0125};
        for (double e : edges) {
            check(e);
            check(-e);
        }
        check(0.0);
        check(-0.0);
    }

    @Test
    void sameAsTheBigDecimalRouteForRandomDoubles() {
        SplittableRandom random = new SplittableRandom(20_261_124);
        for (int i = 0; i < 200_000; i++) {
            // levels and ratios (0..2), prices (up to 10^6), and any bit pattern at all
            check(random.nextDouble() * 2);
            check(random.nextDouble() * 1e6);
            check(Math.round(random.nextDouble() * 1e6) / 1e4);
            double any = Double.longBitsToDouble(random.nextLong());
            if (Double.isFinite(any)) {
                check(any);
            }
        }
    }
}
