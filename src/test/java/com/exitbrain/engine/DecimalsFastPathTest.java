package com.exitbrain.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Decimals#plain(double)} works on the shortest string of a double where it has no
 * exponent; it must print exactly what the BigDecimal route prints, for every double, read back as
 * the same double, and never be longer than what Java's own {@link Double#toString} gives.
 */
class DecimalsFastPathTest {
    private static String reference(double value) {
        BigDecimal d = Decimals.exact(value);
        return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    }

    private static void check(double value) {
        if (Double.isFinite(value)) {
            assertEquals(new BigDecimal(Decimals.shortest(value)), Decimals.exact(value), () -> "exact " + value);
        }
        String plain = Decimals.plain(value);
        assertEquals(reference(value), plain, () -> "for " + value);
        assertEquals(value == 0 ? 0.0 : value, Double.parseDouble(plain), () -> plain + " reads back as another double");
        BigDecimal jdk = BigDecimal.valueOf(value);
        assertTrue(jdk.signum() == 0 || Decimals.exact(value).stripTrailingZeros().precision()
                <= jdk.stripTrailingZeros().precision(), () -> plain + " has more digits than " + jdk);
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
