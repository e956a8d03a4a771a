package com.exitbrain.pnl;

import com.exitbrain.engine.Decimals;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The rolling stats of one scope (SPEC §2): mean PnL and win rate of the window, its size, the
 * lifetime count, and the same per leverage bucket. Means are exact decimals rounded to 16
 * significant digits, so 0.01 and 0.02 average to 0.015, not 0.015000000000000001.
 */
public record PnlStats(BigDecimal averagePnl, BigDecimal winRate, int windowTrades, long totalTrades,
                       Map<LeverageBucket, Bucket> byLeverage) {
    private static final MathContext PRECISION = MathContext.DECIMAL64;

    public record Bucket(int count, BigDecimal averagePnl, BigDecimal winRate) {
    }

    public static final PnlStats EMPTY = of(List.of(), 0);

    /** Stats of a window, newest first, after {@code totalTrades} recordings in all. */
    public static PnlStats of(List<WindowEntry> window, long totalTrades) {
        Map<LeverageBucket, List<WindowEntry>> grouped = new EnumMap<>(LeverageBucket.class);
        for (LeverageBucket b : LeverageBucket.values()) {
            grouped.put(b, new ArrayList<>());
        }
        window.forEach(e -> grouped.get(e.bucket()).add(e));
        Map<LeverageBucket, Bucket> buckets = new EnumMap<>(LeverageBucket.class);
        grouped.forEach((b, entries) -> buckets.put(b, new Bucket(entries.size(), mean(entries), winRate(entries))));
        return new PnlStats(mean(window), winRate(window), window.size(), totalTrades,
                Collections.unmodifiableMap(buckets));
    }

    private static BigDecimal mean(List<WindowEntry> entries) {
        if (entries.isEmpty()) {
            return BigDecimal.ZERO;
        }
        BigDecimal sum = BigDecimal.ZERO;
        for (WindowEntry e : entries) {
            sum = sum.add(e.pnl());
        }
        return sum.divide(BigDecimal.valueOf(entries.size()), PRECISION);
    }

    private static BigDecimal winRate(List<WindowEntry> entries) {
        if (entries.isEmpty()) {
            return BigDecimal.ZERO;
        }
        long wins = entries.stream().filter(WindowEntry::win).count();
        return BigDecimal.valueOf(wins).divide(BigDecimal.valueOf(entries.size()), PRECISION);
    }

    /**
     * {@code by_leverage} as a JSON object keyed le10, 10to30, gt30 (SPEC §8). By hand, like the levels
     * entry's lists (see LevelsRecord.jsonArray): one per recorded trade, fixed keys, numbers only.
     */
    public String byLeverageJson() {
        StringBuilder b = new StringBuilder("{");
        for (LeverageBucket bucket : LeverageBucket.values()) {
            Bucket s = byLeverage.get(bucket);
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('"').append(bucket.wire()).append("\":{\"count\":").append(s.count())
                    .append(",\"avg_pnl\":").append(Decimals.plain(s.averagePnl()))
                    .append(",\"win_rate\":").append(Decimals.plain(s.winRate())).append('}');
        }
        return b.append('}').toString();
    }
}
