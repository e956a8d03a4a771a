package com.exitbrain.cli;

import com.exitbrain.engine.Decimals;
import com.exitbrain.engine.LevelSet;
import com.exitbrain.engine.Levels;
import com.exitbrain.engine.Tuning;
import com.exitbrain.engine.Warning;
import java.util.Locale;
import java.util.stream.Collectors;

/** Lays a level set out like the source's worked examples: inputs, each step, the final levels. */
final class Working {
    private Working() {
    }

    static String explain(LevelSet s, Tuning tuning) {
        StringBuilder b = new StringBuilder();
        double lev = s.leverage();
        line(b, "Inputs:");
        line(b, "  Leverage: %sx", Decimals.plain(lev));
        line(b, "  Volatility Factor: %s%s", Decimals.plain(s.volatility()),
                tuning.crossExchangeEnabled() ? "" : " (cross-exchange volatility disabled)");
        line(b, "  Confidence: %s", Decimals.plain(s.confidence()));
        line(b, "  Avg PnL Last 20: %s", Decimals.plain(s.averagePnl()));
        line(b, "");
        double lsf = s.leverageScalingFactor();
        line(b, "LSF = 1 / (1 + ln(%s)) = %.4f", Decimals.plain(lev + 1), lsf);
        line(b, "");
        if (s.baseLevels().isPresent()) {
            Levels base = s.baseLevels().get();
            double tp = tuning.baseTp();
            line(b, "Base Levels:");
            line(b, "  TP1 = %s × (0.6 + %.4f) = %s", Decimals.plain(tp), lsf, pct(base.tp1()));
            line(b, "  TP2 = %s × (1.2 + %.4f) = %s", Decimals.plain(tp), lsf / 2, pct(base.tp2()));
            line(b, "  TP3 = %s × (1.8 + %.4f) = %s", Decimals.plain(tp), lsf / 4, pct(base.tp3()));
            line(b, "  SL  = %s × (1 + %.4f × 0.8) = %s", Decimals.plain(tuning.baseSl()), 1 - lsf, pct(base.sl()));
            line(b, "");
            Levels vol = s.volatilityAdjusted().orElseThrow();
            double tpFactor = 1 + 0.4 * s.volatility();
            double slFactor = 1 + 0.2 * s.volatility();
            line(b, "Volatility Adjustment (%sx):", Decimals.plain(s.volatility()));
            line(b, "  TP1 = %s × %.2f = %s", pct(base.tp1()), tpFactor, pct(vol.tp1()));
            line(b, "  TP2 = %s × %.2f = %s", pct(base.tp2()), tpFactor, pct(vol.tp2()));
            line(b, "  TP3 = %s × %.2f = %s", pct(base.tp3()), tpFactor, pct(vol.tp3()));
            line(b, "  SL  = %s × %.2f = %s", pct(base.sl()), slFactor, pct(vol.sl()));
            line(b, "");
            line(b, "PnL Adjustment (avg %s, confidence %s):", Decimals.plain(s.averagePnl()),
                    Decimals.plain(s.confidence()));
            line(b, "  Adjustment = %s", Decimals.plain(s.adjustment()));
            Levels adj = s.beforeFailSafes();
            line(b, "  TP1 = %s, TP2 = %s, TP3 = %s, SL = %s", pct(adj.tp1()), pct(adj.tp2()), pct(adj.tp3()),
                    pct(adj.sl()));
        } else {
            line(b, "Static Levels (%s):", s.fallbackReason().map(r -> "fallback: " + r.wire()).orElse("static"));
            Levels st = s.beforeFailSafes();
            line(b, "  TP1 = %s, TP2 = %s, TP3 = %s, SL = %s, Adjustment = 1", pct(st.tp1()), pct(st.tp2()),
                    pct(st.tp3()), pct(st.sl()));
        }
        line(b, "");
        line(b, "Fail-Safes:");
        double before = s.beforeFailSafes().sl();
        double clamped = Math.min(Math.max(before, 0.001), 0.02);
        line(b, "  SL clamped to [0.1%%, 2%%]: %s", clamped == before ? pct(before) + " (unchanged)"
                : pct(before) + " -> " + pct(clamped));
        line(b, "  Liquidation distance = %s, Max Safe SL = 0.8 × %s = %s", pct(s.liquidationDistance()),
                pct(s.liquidationDistance()), pct(s.maxSafeSl()));
        line(b, "  SL = %s %s", pct(s.levels().sl()), s.slCapped() ? "(capped at the max safe SL)" : "(within safety margin)");
        line(b, "  Progression TP1 < TP2 < TP3: ok");
        line(b, "");
        Levels f = s.levels();
        Levels roe = s.marginView();
        var h = s.harvest().fractions();
        line(b, "Final Levels (mode %s):", s.mode().wire());
        line(b, "  TP1 = %s (harvest %s%%, ROE %s)", pct(f.tp1()), share(h.get(0)), pct(roe.tp1()));
        line(b, "  TP2 = %s (harvest %s%%, ROE %s)", pct(f.tp2()), share(h.get(1)), pct(roe.tp2()));
        line(b, "  TP3 = %s (harvest %s%%, ROE %s)", pct(f.tp3()), share(h.get(2)), pct(roe.tp3()));
        line(b, "  SL  = %s (ROE -%s)", pct(f.sl()), pct(roe.sl()));
        s.prices().ifPresent(p -> {
            line(b, "");
            line(b, "Prices:");
            line(b, "  TP1 = %s, TP2 = %s, TP3 = %s, SL = %s", Decimals.plain(p.tp1()), Decimals.plain(p.tp2()),
                    Decimals.plain(p.tp3()), Decimals.plain(p.sl()));
        });
        s.quantities().ifPresent(q -> {
            line(b, "");
            line(b, "Quantities:");
            line(b, "  TP1 = %s, TP2 = %s, TP3 = %s", Decimals.plain(q.tp1()), Decimals.plain(q.tp2()),
                    Decimals.plain(q.tp3()));
        });
        if (!s.warnings().isEmpty()) {
            line(b, "");
            line(b, "Warnings: %s", s.warnings().stream().map(Warning::wire).collect(Collectors.joining(", ")));
        }
        return b.toString();
    }

    private static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.3f%%", fraction * 100);
    }

    private static String share(java.math.BigDecimal fraction) {
        return Decimals.plain(fraction.movePointRight(2));
    }

    private static void line(StringBuilder b, String format, Object... args) {
        b.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
