package com.exitbrain.plan;

import com.exitbrain.engine.Decimals;
import java.util.LinkedHashMap;
import java.util.Map;

/** The plans stream entry of SPEC §9: one per applied fill, every number a plain decimal string. */
public final class PlanRecord {
    private PlanRecord() {
    }

    /** @param tradeRecorded when the fill closed the plan: whether this closing recorded the trade */
    public static Map<String, String> fields(PlanRules.Applied applied, Fill fill, String sourceId, long epochSeconds,
                                             boolean tradeRecorded) {
        ExitPlan p = applied.plan();
        Map<String, String> f = new LinkedHashMap<>(48);
        f.put("position_id", p.positionId());
        f.put("symbol", p.symbol());
        f.put("side", p.side().wire());
        f.put("fill_id", fill.fillId());
        f.put("order", fill.order().wire());
        f.put("fill_quantity", Decimals.plain(fill.quantity()));
        f.put("fill_price", Decimals.plain(fill.price()));
        f.put("fee", Decimals.plain(fill.fee()));
        f.put("open_quantity", Decimals.plain(p.openQuantity()));
        for (int i = 0; i < 3; i++) {
            f.put("tp" + (i + 1) + "_qty", Decimals.plain(p.remaining().get(i)));
        }
        for (int i = 0; i < 3; i++) {
            f.put("tp" + (i + 1) + "_price", Decimals.plain(p.tpPrices().get(i)));
        }
        f.put("sl_price", Decimals.plain(p.slPrice()));
        f.put("sl_qty", Decimals.plain(p.slQuantity()));
        f.put("stop_reason", p.stopReason().wire());
        f.put("stop_moved", Boolean.toString(applied.stopMoved()));
        f.put("realized_pnl", Decimals.plain(p.realizedPnl()));
        f.put("fees", Decimals.plain(p.fees()));
        f.put("status", p.closed() ? "closed" : "open");
        if (fill.filledAt() != null) {
            f.put("filled_at", fill.filledAt());
        }
        f.put("source_id", sourceId);
        f.put("timestamp", Long.toString(epochSeconds));
        if (p.closed()) {
            f.put("pnl", Decimals.plain(applied.pnl()));
            f.put("trade_recorded", Boolean.toString(tradeRecorded));
        }
        return f;
    }
}
