package com.exitbrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.config.Settings;
import com.exitbrain.config.SettingsLoader;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The daemon's warm-up (issue 10) runs the worker's own batch code without Redis: positions, fills
 * of their plans, trades and a few refused entries, each commit call encoded. No timing here
 * (scripts/bench measures the effect): that it does the work, and the same work each time.
 */
class WarmUpTest {
    private static final Settings SETTINGS = new SettingsLoader(Map.of("EXITBRAIN_CONFIG", "")).load();

    @Test
    void runsEveryKindOfEventThroughTheWholePath() {
        WarmUp.Result r = WarmUp.run(SETTINGS, Duration.ofMinutes(1), 4_000);
        int events = r.positions() + r.trades() + r.fills() + r.deadLetters();
        assertEquals(4_000, events, () -> "events of " + r);
        // the synthetic events are valid but for one in 97 and fills that find nothing to fill: a
        // parse, engine or plan change that refuses them would leave the real path cold (the
        // dead-letter path is not the hot one)
        assertTrue(r.positions() > 2_000 && r.trades() > 800 && r.fills() > 300, () -> "positions, trades, fills of " + r);
        assertTrue(r.deadLetters() > 0 && r.deadLetters() < 150, () -> "dead letters of " + r);
        // a levels entry's record is some 48 arguments and 700 bytes of a commit call
        assertTrue(r.encodedBytes() / events > 500, () -> "bytes encoded of " + r);
    }

    @Test
    void leavesNothingBehindThatChangesTheNextRun() {
        WarmUp.Result first = WarmUp.run(SETTINGS, Duration.ofMinutes(1), 1_000);
        WarmUp.Result second = WarmUp.run(SETTINGS, Duration.ofMinutes(1), 1_000);
        assertEquals(first.positions(), second.positions());
        assertEquals(first.trades(), second.trades());
        assertEquals(first.fills(), second.fills());
        assertEquals(first.deadLetters(), second.deadLetters());
        assertEquals(first.encodedBytes(), second.encodedBytes());
    }
}
