package com.exitbrain.event;

import com.exitbrain.engine.ErrorCode;
import com.exitbrain.engine.InvalidInputException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** SPEC §3, §8: ranges are checked on the number sent, against the bounds as written. */
class InputNumbersTest {
    private static ErrorCode refused(String text, double min, double max) {
        return assertThrows(InvalidInputException.class, () -> InputNumbers.number("x", text, min, max)).code();
    }

    @Test
    void aConfiguredBoundIsTheDecimalItWasWrittenAs() {
        // 12.3's double is 12.300000000000000710...: a number between the two is still over 12.3
        assertEquals(ErrorCode.OUT_OF_RANGE, refused("12.3000000000000001", 1, 12.3));
        assertEquals(ErrorCode.OUT_OF_RANGE, refused("12.30000000000000070", 1, 12.3));
        assertEquals(12.3, InputNumbers.number("x", "12.3", 1, 12.3));
        assertEquals(12.3, InputNumbers.number("x", "12.30000", 1, 12.3));
    }

    @Test
    void boundsAreInclusiveAndOnlyExactlyInside() {
        assertEquals(1.0, InputNumbers.number("x", "1", 1, 125));
        assertEquals(125.0, InputNumbers.number("x", "1.25e2", 1, 125));
        assertEquals(ErrorCode.OUT_OF_RANGE, refused("0.99999999999999999999", 1, 125));
        assertEquals(ErrorCode.OUT_OF_RANGE, refused("-1e-400", 0, 1));
        assertEquals(ErrorCode.INVALID_NUMBER, refused("１", 0, 10));
    }
}
