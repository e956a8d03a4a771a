package com.exitbrain.event;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.exitbrain.engine.ErrorCode;
import com.exitbrain.engine.InvalidInputException;
import java.util.Map;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The oversized-entry check (SPEC §8) counts UTF-8 bytes without encoding: the same count as encoding. */
class EventFieldsSizeTest {
    private static void check(String s) {
        assertEquals(s.getBytes(StandardCharsets.UTF_8).length, EventFields.utf8Length(s), () -> "for " + s);
    }

    @Test
    void countsLikeEncoding() {
        for (String s : List.of("", "BTCUSDT", "é", "€", "日本", "😀", "a😀b", "\uD800", "\uDC00", "\uDC00\uD800",
                "x\uD83D", "\uD83Dx", "\u007F\u0080\u07FF\u0800\uFFFF")) {
            check(s);
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            for (int j = random.nextInt(30); j > 0; j--) {
                b.append((char) random.nextInt(Character.MAX_VALUE + 1));
            }
            check(b.toString());
        }
    }

    /** An entry of exactly the limit in bytes passes, one byte more is oversized, whatever its chars. */
    @Test
    void theLimitIsInBytesAtTheEdgeWhateverTheChars() {
        int limit = 120;
        for (String unit : List.of("a", "é", "€", "😀")) {
            int bytes = unit.getBytes(StandardCharsets.UTF_8).length;
            // key "k" (1 byte), then the value: as many units as fit in the limit, padded with ASCII
            int units = (limit - 1) / bytes;
            String exact = unit.repeat(units) + "a".repeat(limit - 1 - units * bytes);
            assertDoesNotThrow(() -> EventFields.of(Map.of("k", exact), limit), unit);
            InvalidInputException over = assertThrows(InvalidInputException.class,
                    () -> EventFields.of(Map.of("k", exact + "a"), limit), unit);
            assertEquals(ErrorCode.OVERSIZED, over.code(), unit);
            assertThrows(InvalidInputException.class, () -> EventFields.of(Map.of("k", exact + unit), limit), unit);
        }
    }

    @Test
    void absentIsZero() {
        assertEquals(0, EventFields.utf8Length(null));
    }
}
