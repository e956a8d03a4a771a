package com.exitbrain.plan;

import com.exitbrain.engine.Decimals;
import com.exitbrain.engine.Side;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * @param version    bumped by every change; the commit script applies a change only from the version it was computed on
 */
public record ExitPlan(String positionId, String symbol, Side side, String leverage, BigDecimal entryPrice,
                       BigDecimal quantity, BigDecimal tickSize, List<BigDecimal> tpPrices, BigDecimal slPrice,
                       List<BigDecimal> remaining, int reached, BigDecimal openQuantity, BigDecimal realizedPnl,
                       BigDecimal fees, StopReason stopReason, boolean closed, long version) {

    /** The hash fields a plan is stored as, in the order {@link #fromFields} reads them. */
    public static final List<String> FIELDS = List.of("symbol", "side", "leverage", "entry_price", "quantity",
            "tick_size", "tp1_price", "tp2_price", "tp3_price", "sl_price", "tp1_qty", "tp2_qty", "tp3_qty",
            "reached", "open_quantity", "realized_pnl", "fees", "stop_reason", "status", "v");

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

    /** The stop quantity: always what is still open (SPEC §9). */
    public BigDecimal slQuantity() {
        return openQuantity;
    }

    /** The stored form: every field of {@link #FIELDS} but {@code v} (the script sets it). */
    public Map<String, String> toFields() {
        Map<String, String> f = new LinkedHashMap<>(32);
        f.put("symbol", symbol);
        f.put("side", side.wire());
        f.put("leverage", leverage);
        f.put("entry_price", Decimals.plain(entryPrice));
        f.put("quantity", Decimals.plain(quantity));
        f.put("tick_size", tickSize == null ? "" : Decimals.plain(tickSize));
        for (int i = 0; i < 3; i++) {
            f.put("tp" + (i + 1) + "_price", Decimals.plain(tpPrices.get(i)));
        }
        f.put("sl_price", Decimals.plain(slPrice));
        for (int i = 0; i < 3; i++) {
            f.put("tp" + (i + 1) + "_qty", Decimals.plain(remaining.get(i)));
        }
        f.put("reached", Integer.toString(reached));
        f.put("open_quantity", Decimals.plain(openQuantity));
        f.put("realized_pnl", Decimals.plain(realizedPnl));
        f.put("fees", Decimals.plain(fees));
        f.put("stop_reason", stopReason.wire());
        f.put("status", closed ? "closed" : "open");
        return f;
    }

    /**
     * The plan stored under {@code positionId}, from the values of {@link #FIELDS} in order, or null
     * when there is none (every value null).
     */
    public static ExitPlan fromFields(String positionId, List<String> values) {
        if (values.stream().allMatch(v -> v == null)) {
            return null;
        }
        try {
            String tick = values.get(5);
            List<BigDecimal> prices = new ArrayList<>(3);
            List<BigDecimal> remaining = new ArrayList<>(3);
            for (int i = 0; i < 3; i++) {
                prices.add(new BigDecimal(values.get(6 + i)));
                remaining.add(new BigDecimal(values.get(10 + i)));
            }
            return new ExitPlan(positionId, values.get(0), Side.parse(values.get(1)), values.get(2),
                    new BigDecimal(values.get(3)), new BigDecimal(values.get(4)),
                    tick == null || tick.isEmpty() ? null : new BigDecimal(tick), prices, new BigDecimal(values.get(9)),
                    remaining, Integer.parseInt(values.get(13)), new BigDecimal(values.get(14)),
                    new BigDecimal(values.get(15)), new BigDecimal(values.get(16)), StopReason.fromWire(values.get(17)),
                    "closed".equals(values.get(18)), Long.parseLong(values.get(19)));
        } catch (RuntimeException e) {
            throw new IllegalStateException("the stored plan of position " + positionId + " is damaged: " + values, e);
        }
    }
}
