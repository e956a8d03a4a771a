package com.exitbrain.event;

import com.exitbrain.config.Settings;
import com.exitbrain.event.InputNumbers;
import com.exitbrain.engine.InvalidInputException;
import com.exitbrain.pnl.LeverageBucket;
import java.math.BigDecimal;

/** A parsed trade-closed event (SPEC §3, §8). */
public record TradeClosed(String tradeId, String symbol, double leverage, BigDecimal pnl, String closedAt) {
    private static final BigDecimal MAX_ABS_PNL = BigDecimal.TEN;

    public static TradeClosed parse(EventFields f, String entryId, Settings settings) {
        String symbol = PositionOpened.symbol(f);
        double leverage = f.leverage(settings.tuning().maxLeverage());
        String pnlText = f.requiredNumericText("pnl");
        BigDecimal pnl = InputNumbers.exactDecimal("pnl", pnlText);
        if (pnl.abs().compareTo(MAX_ABS_PNL) > 0) {
            throw InvalidInputException.outOfRange("pnl", InputNumbers.abbreviate(pnlText.trim()), "-10..10");
        }
        String tradeId = f.firstText("trade_id", "position_id");
        return new TradeClosed(tradeId == null ? entryId : tradeId.trim(), symbol, leverage,
                pnl, f.text("closed_at"));
    }

    /** The SPEC §2 leverage bucket of this trade. */
    public LeverageBucket bucket() {
        return LeverageBucket.of(leverage);
    }
}
