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

    /**
     * {@code positions} positions pos0, pos1… with plans (10x long at 100, quantity 10, lot 1:
     * stages 3/3/4), then for each three fills, interleaved across positions: tp1 3, tp2 3, sl 4
     * (which closes it). Fills come after all positions, so each finds its plan.
     */
    public static void addPlans(Streams streams, int positions) {
        addPlanPositions(streams, positions);
        addFills(streams, positions);
    }

    /** The position-opened entries of {@link #addPlans}. */
    public static void addPlanPositions(Streams streams, int positions) {
        for (int i = 0; i < positions; i++) {
            streams.add(POSITIONS, "position_id", "pos" + i, "symbol", "BTCUSDT", "leverage", "10", "side", "long",
                    "entry_price", "100", "quantity", "10", "tick_size", "0.01", "lot_size", "1");
        }
    }

    /** The fills of {@link #addPlans}, for positions pos0… already added. */
    public static void addFills(Streams streams, int positions) {
        String[][] fills = {{"tp1", "3", "101.5"}, {"tp2", "3", "102.5"}, {"sl", "4", "101"}};
        for (String[] f : fills) {
            for (int i = 0; i < positions; i++) {
                streams.add(Streams.FILLS, "position_id", "pos" + i, "order", f[0], "quantity", f[1], "price", f[2],
                        "fill_id", "pos" + i + "-" + f[0]);
            }
        }
    }

    /** After {@link #addPlans}: one plan entry per fill, every plan closed once, its trade recorded once. */
    public static void assertPlansExactlyOnce(Streams streams, int positions, Duration within) {
        await().atMost(within).until(() -> streams.length(Streams.PLANS) >= 3L * positions
                && streams.pending(POSITIONS) == 0 && streams.pending(Streams.FILLS) == 0);
        var entries = streams.entries(Streams.PLANS);
        assertEquals(3L * positions, entries.size());
        assertEquals(3L * positions, entries.stream().map(e -> e.get("fill_id")).distinct().count());
        assertEquals(positions, entries.stream().filter(e -> "closed".equals(e.get("status"))).count());
        assertEquals(positions, streams.length(STATS));
        assertEquals(positions, streams.entries(STATS).stream().map(e -> e.get("trade_id")).distinct().count());
        assertEquals(Integer.toString(positions), streams.redis.hget("exitbrain:pnl:global", "total_trades"));
        assertEquals(positions, streams.length(LEVELS));
        assertEquals(0, streams.length(DLQ));
    }
}
