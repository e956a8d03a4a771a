package com.exitbrain.output;

import com.exitbrain.engine.Decimals;
import com.exitbrain.engine.ExitPrices;
import com.exitbrain.engine.LevelSet;
import com.exitbrain.engine.Side;
import com.exitbrain.engine.Levels;
import com.exitbrain.engine.StageQuantities;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The levels stream entry of SPEC §3: flat fields, numbers as plain decimal strings, lists as JSON
 * arrays. The command line's {@code levels --json} prints the same fields.
 */
public final class LevelsRecord {
    private LevelsRecord() {
    }

    /** Identity and inputs of the position that are echoed next to the computed levels. */
    public record Context(String symbol, String positionId, String sourceId, Side side, BigDecimal entryPrice,
                          BigDecimal quantity, BigDecimal tickSize, BigDecimal lotSize, Double maintenanceMarginRate) {
    }

    public static Map<String, String> fields(LevelSet set, Context context, long epochSeconds) {
        // 39 fields at most: sized so that the map never grows
        Map<String, String> f = new LinkedHashMap<>(64);
        f.put("symbol", context.symbol());
        f.put("leverage", Decimals.plain(set.leverage()));
        if (context.side() != null) {
            f.put("side", context.side().wire());
        }
        if (context.positionId() != null) {
            f.put("position_id", context.positionId());
        }
        if (context.sourceId() != null) {
            f.put("source_id", context.sourceId());
        }
        f.put("mode", set.mode().wire());
        set.fallbackReason().ifPresent(r -> f.put("fallback_reason", r.wire()));
        Levels levels = set.levels();
        f.put("tp1", Decimals.plain(levels.tp1()));
        f.put("tp2", Decimals.plain(levels.tp2()));
        f.put("tp3", Decimals.plain(levels.tp3()));
        f.put("sl", Decimals.plain(levels.sl()));
        f.put("harvest_scheme", jsonArray(set.harvest().fractions(), Decimals::plain));
        f.put("LSF", Decimals.plain(set.leverageScalingFactor()));
        f.put("adjustment", Decimals.plain(set.adjustment()));
        f.put("avg_pnl_last_20", Decimals.plain(set.averagePnl()));
        f.put("volatility_factor", Decimals.plain(set.volatility()));
        f.put("confidence", Decimals.plain(set.confidence()));
        f.put("liquidation_distance", Decimals.plain(set.liquidationDistance()));
        f.put("max_safe_sl", Decimals.plain(set.maxSafeSl()));
        f.put("sl_capped", Boolean.toString(set.slCapped()));
        f.put("warnings", jsonArray(set.warnings(), w -> '"' + w.wire() + '"'));
        Levels roe = set.marginView();
        f.put("tp1_roe", Decimals.plain(roe.tp1()));
        f.put("tp2_roe", Decimals.plain(roe.tp2()));
        f.put("tp3_roe", Decimals.plain(roe.tp3()));
        f.put("sl_roe", Decimals.plain(roe.sl()));
        if (context.maintenanceMarginRate() != null) {
            f.put("maintenance_margin_rate", Decimals.plain(context.maintenanceMarginRate()));
        }
        set.prices().ifPresent(p -> putPrices(f, p, context));
        set.quantities().ifPresent(q -> putQuantities(f, q, context));
        f.put("timestamp", Long.toString(epochSeconds));
        return f;
    }

    /**
     * A JSON array of numbers or of strings without characters to escape (wire names). Built by
     * hand, not with Jackson like the dead letters and the health body: it is on the per-event hot
     * path (two per levels entry) and its items need no escaping; formatting is a large share of the
     * worker's CPU per event (bench/README.md), so no generator is set up per entry here.
     */
    private static <T> String jsonArray(Collection<T> items, Function<T, String> json) {
        if (items.isEmpty()) {
            return "[]";
        }
        StringBuilder out = new StringBuilder(2 + items.size() * 24).append('[');
        for (T item : items) {
            out.append(json.apply(item)).append(',');
        }
        out.setCharAt(out.length() - 1, ']');
        return out.toString();
    }

    private static void putPrices(Map<String, String> f, ExitPrices p, Context context) {
        f.put("entry_price", Decimals.plain(context.entryPrice()));
        if (context.tickSize() != null) {
            f.put("tick_size", Decimals.plain(context.tickSize()));
        }
        f.put("tp1_price", Decimals.plain(p.tp1()));
        f.put("tp2_price", Decimals.plain(p.tp2()));
        f.put("tp3_price", Decimals.plain(p.tp3()));
        f.put("sl_price", Decimals.plain(p.sl()));
    }

    private static void putQuantities(Map<String, String> f, StageQuantities q, Context context) {
        f.put("quantity", Decimals.plain(context.quantity()));
        if (context.lotSize() != null) {
            f.put("lot_size", Decimals.plain(context.lotSize()));
        }
        f.put("tp1_qty", Decimals.plain(q.tp1()));
        f.put("tp2_qty", Decimals.plain(q.tp2()));
        f.put("tp3_qty", Decimals.plain(q.tp3()));
    }
}
