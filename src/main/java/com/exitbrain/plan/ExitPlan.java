package com.exitbrain.plan;

import com.exitbrain.engine.Decimals;
import com.exitbrain.engine.Side;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * One position's exit plan (SPEC §9): its three take-profit stages with what remains of each, the
 * stop, what is still open and what has been realized. Exact decimals throughout. Immutable: a
 * fill gives a new plan ({@link PlanRules#apply}).
 *
 * @param leverage   the position's leverage as the levels entry printed it (exact decimal text)
 * @param tickSize   null when the position had none
 * @param tpPrices   TP1, TP2, TP3 prices
 * @param remaining  what remains of each stage, TP1 to TP3; they always sum to {@code openQuantity}
 * @param reached    bit {@code 1 << (n-1)} set once stage n was brought to 0 by its own fill
 * @param version    names the change that made this plan: the input (stream kind and entry id) that created or
 *                   last changed it. The commit script applies a change only to the version it was computed
 *                   from; a counter would not do, since two different histories reach the same count.
 */
public record ExitPlan(String positionId, String symbol, Side side, String leverage, BigDecimal entryPrice,
                       BigDecimal quantity, BigDecimal tickSize, List<BigDecimal> tpPrices, BigDecimal slPrice,
                       List<BigDecimal> remaining, int reached, BigDecimal openQuantity, BigDecimal realizedPnl,
                       BigDecimal fees, StopReason stopReason, boolean closed, String version) {

    public ExitPlan {
        tpPrices = List.copyOf(tpPrices);
        remaining = List.copyOf(remaining);
    }

    public int direction() {
        return side == Side.LONG ? 1 : -1;
    }

    public boolean reached(int stage) {
        return (reached & (1 << (stage - 1))) != 0;
    }

    /** The same plan as changed by the input named {@code version}. */
    public ExitPlan withVersion(String version) {
        return new ExitPlan(positionId, symbol, side, leverage, entryPrice, quantity, tickSize, tpPrices, slPrice,
                remaining, reached, openQuantity, realizedPnl, fees, stopReason, closed, version);
    }

    /** The stop quantity: always what is still open (SPEC §9). */
    public BigDecimal slQuantity() {
        return openQuantity;
    }

    /**
     * The stored form: one line of '|'-separated values, the symbol last (it may hold a '|'). One
     * field instead of twenty keeps the commit script's arguments few; the plans stream entries
     * show every field by name.
     */
    public String encode() {
        StringBuilder b = new StringBuilder(160);
        b.append(side.wire()).append('|').append(leverage).append('|').append(Decimals.plain(entryPrice)).append('|')
                .append(Decimals.plain(quantity)).append('|').append(tickSize == null ? "" : Decimals.plain(tickSize));
        tpPrices.forEach(p -> b.append('|').append(Decimals.plain(p)));
        b.append('|').append(Decimals.plain(slPrice));
        remaining.forEach(q -> b.append('|').append(Decimals.plain(q)));
        b.append('|').append(reached).append('|').append(Decimals.plain(openQuantity)).append('|')
                .append(Decimals.plain(realizedPnl)).append('|').append(Decimals.plain(fees)).append('|')
                .append(stopReason.wire()).append('|').append(closed ? "closed" : "open").append('|').append(symbol);
        return b.toString();
    }

    /** The plan stored under {@code positionId} ({@link #encode}d) at {@code version}, or null for none. */
    public static ExitPlan decode(String positionId, String stored, String version) {
        if (stored == null) {
            return null;
        }
        try {
            String[] v = stored.split("\\|", 19);
            List<BigDecimal> prices = new ArrayList<>(3);
            List<BigDecimal> remaining = new ArrayList<>(3);
            for (int i = 0; i < 3; i++) {
                prices.add(new BigDecimal(v[5 + i]));
                remaining.add(new BigDecimal(v[9 + i]));
            }
            return new ExitPlan(positionId, v[18], Side.parse(v[0]), v[1], new BigDecimal(v[2]), new BigDecimal(v[3]),
                    v[4].isEmpty() ? null : new BigDecimal(v[4]), prices, new BigDecimal(v[8]), remaining,
                    Integer.parseInt(v[12]), new BigDecimal(v[13]), new BigDecimal(v[14]), new BigDecimal(v[15]),
                    StopReason.fromWire(v[16]), "closed".equals(v[17]), version);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the stored plan of position " + positionId + " is damaged: " + stored, e);
        }
    }
}
