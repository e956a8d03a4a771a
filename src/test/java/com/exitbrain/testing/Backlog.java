package com.exitbrain.testing;

import static com.exitbrain.testing.Streams.DLQ;
import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static com.exitbrain.testing.Streams.STATS;
import static com.exitbrain.testing.Streams.TRADES;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

/** A backlog of valid inputs, and the check that each produced exactly one output (SPEC §4). */
public final class Backlog {
    private Backlog() {
    }

    /** {@code positions} position-opened entries p0, p1… and {@code trades} trade-closed t0, t1…, interleaved. */
    public static void add(Streams streams, int positions, int trades) {
        for (int i = 0; i < Math.max(positions, trades); i++) {
            if (i < positions) {
                streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "20", "position_id", "p" + i);
            }
            if (i < trades) {
                streams.add(TRADES, "trade_id", "t" + i, "symbol", "BTCUSDT", "leverage", "20", "pnl", "0.01");
            }
        }
    }

    /**
     * Waits until the outputs have caught up and nothing is pending, then: one level set per
     * position (no id twice), one stats entry per trade, each counted once, no dead letter.
     */
    public static void assertExactlyOnce(Streams streams, int positions, int trades, Duration within) {
        await().atMost(within).until(() -> streams.length(LEVELS) >= positions && streams.length(STATS) >= trades
                && streams.pending(POSITIONS) == 0 && streams.pending(TRADES) == 0);
        assertEquals(positions, streams.length(LEVELS));
        assertEquals(positions, streams.entries(LEVELS).stream().map(e -> e.get("position_id")).distinct().count());
        assertEquals(trades, streams.length(STATS));
        assertEquals(trades, streams.entries(STATS).stream().map(e -> e.get("trade_id")).distinct().count());
        assertEquals(trades == 0 ? null : Integer.toString(trades), streams.redis.hget("exitbrain:pnl:global", "total_trades"));
        assertEquals(0, streams.length(DLQ));
    }
}
