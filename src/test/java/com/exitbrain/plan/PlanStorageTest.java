package com.exitbrain.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.exitbrain.engine.Side;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A plan reads back from its stored form exactly as it was, whatever its symbol holds. */
class PlanStorageTest {
    private static ExitPlan plan(String symbol, BigDecimal tick) {
        return new ExitPlan("P|1", symbol, Side.SHORT, "12.5", new BigDecimal("0.0123"), new BigDecimal("1000.5"), tick,
                List.of(new BigDecimal("0.0121"), new BigDecimal("0.012"), new BigDecimal("0.0119")),
                new BigDecimal("0.0124"), List.of(BigDecimal.ZERO, new BigDecimal("300.5"), new BigDecimal("400")), 1,
                new BigDecimal("700.5"), new BigDecimal("-0.00071"), new BigDecimal("-0.01"), StopReason.BREAKEVEN,
                false, "fill:1700000000000-7");
    }

    @Test
    void roundTripIsExact() {
        for (ExitPlan p : List.of(plan("A|B|C", new BigDecimal("0.0001")), plan("BTCUSDT", null))) {
            assertEquals(p, ExitPlan.decode(p.positionId(), p.encode(), p.version()));
        }
    }

    @Test
    void noStoredStateIsNoPlanAndADamagedOneIsNamed() {
        assertNull(ExitPlan.decode("x", null, null));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ExitPlan.decode("x", "long|10", "1"));
        assertEquals(true, e.getMessage().contains("position x"));
    }
}
