package com.exitbrain.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** SPEC §8: numbers are plain decimal strings, never with an exponent. */
class DecimalsTest {
    @Test
    void tinyNumbersArePrintedWithoutExponent() {
        assertEquals("0.0000001", Decimals.plain(1e-7));
        assertEquals("0.0125", Decimals.plain(1.25E-2));
        assertEquals("0.000000000000000001", Decimals.plain(1e-18));
    }

    @Test
    void wholeNumbersLoseTheirTrailingZeros() {
        assertEquals("50", Decimals.plain(50.0));
        assertEquals("1000", Decimals.plain(new BigDecimal("1E+3")));
        assertEquals("1000000000000000000000", Decimals.plain(1e21));
        assertEquals("65813.8", Decimals.plain(new BigDecimal("65813.800")));
    }

    @Test
    void zeroIsPlainZeroWhateverItsScaleOrSign() {
        assertEquals("0", Decimals.plain(0.0));
        assertEquals("0", Decimals.plain(-0.0));
        assertEquals("0", Decimals.plain(new BigDecimal("0.000")));
        assertEquals("0", Decimals.plain(new BigDecimal("0E-10")));
    }

    @Test
    void aNumberThatIsNotAShortDecimalNeverReadsAsOne() {
        assertEquals(Math.nextDown(0.5), Decimals.toDouble(new BigDecimal("0.49999999999999999999")));
        assertEquals(Math.nextUp(10.0), Decimals.toDouble(new BigDecimal("10.000000000000000001")));
        assertEquals(Math.nextUp(30.0), Decimals.toDouble(new BigDecimal("30.00000000000000000000001")));
        // everything else reads as the nearest double
        assertEquals(0.5, Decimals.toDouble(new BigDecimal("0.5000000000000000000")));
        assertEquals(0.3, Decimals.toDouble(new BigDecimal("0.3")));
        assertEquals(0.1 + 0.2, Decimals.toDouble(new BigDecimal("0.30000000000000004")));
        assertEquals(0.3, Decimals.toDouble(new BigDecimal("0.29999999999999999999")));
        assertEquals(1e-7, Decimals.toDouble(new BigDecimal("1e-7")));
        // underflow keeps the sign's side of 0, whatever the digits
        assertEquals(-Double.MIN_VALUE, Decimals.toDouble(new BigDecimal("-1e-400")));
        assertEquals(-Double.MIN_VALUE, Decimals.toDouble(new BigDecimal("-1.0000000000000000e-400")));
        assertEquals(Double.MIN_VALUE, Decimals.toDouble(new BigDecimal("1e-400")));
        assertEquals(0.0, Decimals.toDouble(new BigDecimal("0E-400")));
    }

    @Test
    void doublesUseTheirShortestDecimalForm() {
        assertEquals("0.3", Decimals.plain(0.3));
        assertEquals("-0.05", Decimals.plain(-0.05));
        assertEquals("0.30000000000000004", Decimals.plain(0.1 + 0.2));
    }

    @Test
    void bigDecimalsPrintAsStrippedPlainStringsWhateverTheirScale() {
        java.util.Random random = new java.util.Random(10);
        for (int i = 0; i < 200_000; i++) {
            long unscaled = switch (i % 4) {
                case 0 -> random.nextLong();
                case 1 -> random.nextInt(2_000_001) - 1_000_000;
                case 2 -> (random.nextInt(999) + 1) * (long) Math.pow(10, random.nextInt(16));
                default -> random.nextLong() / (1L << random.nextInt(63));
            };
            BigDecimal value = BigDecimal.valueOf(unscaled, random.nextInt(44) - 8);
            String expected = value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
            assertEquals(expected, Decimals.plain(value), () -> "plain of " + value.toString());
        }
        assertEquals("-0.00012", Decimals.plain(new BigDecimal("-0.000120")));
        assertEquals("123456789012345678", Decimals.plain(new BigDecimal("123456789012345678.000")));
        assertEquals("0.1234567890123456789", Decimals.plain(new BigDecimal("0.1234567890123456789")));
    }

    @Test
    void nanAndInfinityAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Decimals.plain(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Decimals.plain(Double.POSITIVE_INFINITY));
    }
}
