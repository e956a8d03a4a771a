package com.exitbrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.config.Settings;
import com.exitbrain.config.SettingsLoader;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The daemon's warm-up (issue 10) runs the whole per-event path without Redis: positions, trades
 * and a few refused entries, each output's script call encoded. No timing here (scripts/bench
 * measures the effect): that it does the work, and the same work each time.
 */
class WarmUpTest {
    private static final Settings SETTINGS = new SettingsLoader(Map.of("EXITBRAIN_CONFIG", "")).load();

    @Test
    void runsEveryKindOfEventThroughTheWholePath() {
        WarmUp.Result r = WarmUp.run(SETTINGS, Duration.ofMinutes(1), 4_000);
        int events = r.positions() + r.trades() + r.deadLetters();
        assertEquals(4_000, events, () -> "events of " + r);
        // the synthetic events are valid but for one in 97: a parse or engine change that refuses
        // them would leave the real path cold (the dead-letter path is not the hot one)
        assertTrue(r.positions() > 2_500 && r.trades() > 800, () -> "positions and trades of " + r);
        assertTrue(r.deadLetters() > 0 && r.deadLetters() < 60, () -> "dead letters of " + r);
        // each call is an EVALSHA of some 40 to 75 arguments: about a kilobyte on the wire
        assertTrue(r.encodedBytes() / events > 500, () -> "bytes encoded of " + r);
    }

    @Test
    void leavesNothingBehindThatChangesTheNextRun() {
        WarmUp.Result first = WarmUp.run(SETTINGS, Duration.ofMinutes(1), 1_000);
        WarmUp.Result second = WarmUp.run(SETTINGS, Duration.ofMinutes(1), 1_000);
        assertEquals(first.positions(), second.positions());
        assertEquals(first.trades(), second.trades());
        assertEquals(first.deadLetters(), second.deadLetters());
        assertEquals(first.encodedBytes(), second.encodedBytes());
    }
}
