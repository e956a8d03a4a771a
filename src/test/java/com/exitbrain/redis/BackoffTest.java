package com.exitbrain.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesUpToTheCeilingAndStartsOverAfterAReset() {
        Backoff b = new Backoff(100, 1000);
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            delays.add(b.next());
        }
        assertEquals(List.of(100L, 200L, 400L, 800L, 1000L, 1000L), delays);
        b.reset();
        assertEquals(100L, b.next());
    }

    @Test
    void jitterStaysBetweenTheFirstDelayAndTheCurrentOne() {
        Backoff b = new Backoff(1, 20);
        for (int i = 0; i < 100; i++) {
            long d = b.nextJittered();
            assertTrue(d >= 1 && d <= 20, "delay " + d);
        }
    }

    @Test
    void aCeilingBelowTheFirstDelayIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(100, 10));
    }
}
