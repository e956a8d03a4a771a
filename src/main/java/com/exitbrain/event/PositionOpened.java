package com.exitbrain.event;

import com.exitbrain.output.LevelsRecord;

import com.exitbrain.config.Settings;
import com.exitbrain.config.SymbolDefaults;
import com.exitbrain.engine.ErrorCode;
import com.exitbrain.event.InputNumbers;
import com.exitbrain.engine.InvalidInputException;
import com.exitbrain.engine.PositionRequest;
import com.exitbrain.engine.Side;
import java.math.BigDecimal;
import java.util.Optional;

/** A parsed position-opened event (SPEC §3), with the symbol's configured defaults filled in. */
public record PositionOpened(String symbol, String positionId, boolean explicitPositionId, Optional<Side> side, double leverage, double volatility,
                      double confidence, BigDecimal entryPrice, BigDecimal quantity, BigDecimal tickSize,
                      BigDecimal lotSize, Double maintenanceMarginRate) {

    public static PositionOpened parse(EventFields f, String entryId, Settings settings) {
        String symbol = symbol(f);
        double leverage = f.leverage(settings.tuning().maxLeverage());
        double volatility = 1.0;
        if (settings.tuning().crossExchangeEnabled()) {
            // SPEC §8: with cross-exchange volatility disabled the event's value is not even validated.
            String text = f.numericText("volatility_factor");
            String field = "volatility_factor";
            if (text == null) {
                text = f.numericText("cross_exchange_volatility");
                field = "cross_exchange_volatility";
            }
            volatility = text == null ? 1.0 : InputNumbers.number(field, text, 0, 10);
        }
        String confidenceText = f.numericText("confidence");
        double confidence = confidenceText == null ? 0.5 : InputNumbers.number("confidence", confidenceText, 0, 1);
        String sideText = f.text("side");
        Optional<Side> side = Side.parseOptional(sideText);
        SymbolDefaults defaults = settings.symbolDefaults(symbol);
        String mmrText = f.numericText("maintenance_margin_rate");
        Double mmr = mmrText == null ? defaults.maintenanceMarginRate()
                : Double.valueOf(InputNumbers.number("maintenance_margin_rate", mmrText, 0, 0.5));
        BigDecimal tick = positive(f, "tick_size");
        BigDecimal lot = positive(f, "lot_size");
        String positionId = f.text("position_id");
        return new PositionOpened(symbol, positionId == null ? entryId : positionId, positionId != null, side,
                leverage, volatility,
                confidence, positive(f, "entry_price"), positive(f, "quantity"),
                tick == null ? defaults.tickSize() : tick, lot == null ? defaults.lotSize() : lot, mmr);
    }

    /** SPEC §9: a plan needs an explicit position id, a side, an entry price and a quantity. */
    public boolean plannable() {
        return explicitPositionId && side.isPresent() && entryPrice != null && quantity != null;
    }

    public PositionRequest request(double averagePnl) {
        return new PositionRequest(leverage, volatility, confidence, averagePnl, side, entryPrice, quantity,
                tickSize, lotSize, maintenanceMarginRate == null ? 0 : maintenanceMarginRate);
    }

    public LevelsRecord.Context context(String sourceId) {
        return new LevelsRecord.Context(symbol, positionId, sourceId, side.orElse(null), entryPrice, quantity,
                tickSize, lotSize, maintenanceMarginRate);
    }

    public static String symbol(EventFields f) {
        String symbol = f.required("symbol").trim();
        if (symbol.isEmpty() || symbol.length() > 64) {
            throw new InvalidInputException(ErrorCode.INVALID_VALUE,
                    "symbol \"" + InputNumbers.abbreviate(symbol) + "\" must be 1 to 64 characters.");
        }
        return symbol;
    }

    private static BigDecimal positive(EventFields f, String name) {
        return InputNumbers.positive(name, f.numericText(name));
    }
}
