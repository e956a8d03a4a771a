package com.exitbrain.cli;

import com.exitbrain.config.Settings;
import com.exitbrain.config.SymbolDefaults;
import com.exitbrain.event.InputNumbers;
import com.exitbrain.engine.InvalidInputException;
import com.exitbrain.engine.PositionRequest;
import com.exitbrain.engine.Side;
import com.exitbrain.output.LevelsRecord;
import java.math.BigDecimal;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The position flags of {@code levels} and {@code plan} (a picocli mixin), read exactly as the
 * worker reads a position-opened event's fields, so that both commands and the worker answer alike.
 */
final class PositionOptions {
    @Option(names = "--leverage", required = true, description = "Leverage, 1..max-leverage (fractions allowed).")
    String leverage;
    @Option(names = "--volatility", defaultValue = "1.0", description = "Volatility factor 0..10 (default ${DEFAULT-VALUE}).")
    String volatility;
    @Option(names = "--confidence", defaultValue = "0.5", description = "Signal confidence 0..1 (default ${DEFAULT-VALUE}).")
    String confidence;
    @Option(names = "--avg-pnl", defaultValue = "0",
            description = "Rolling average PnL as a fraction, -10..10 (default ${DEFAULT-VALUE}).")
    String averagePnl;
    @Option(names = "--side", description = "long, short, buy or sell.")
    String side;
    @Option(names = "--entry", description = "Entry price, for level prices (needs --side).")
    String entry;
    @Option(names = "--quantity", description = "Position quantity, for stage quantities.")
    String quantity;
    @Option(names = "--tick", description = "Tick size: prices are rounded to it, toward the entry.")
    String tick;
    @Option(names = "--lot", description = "Lot size: stages 1 and 2 are floored to it.")
    String lot;
    @Option(names = "--mmr", description = "Maintenance margin rate 0..0.5 (default 0).")
    String mmr;
    @Option(names = "--symbol", defaultValue = "BTCUSDT", description = "Symbol: its levels.symbols defaults apply, and --json echoes it (default ${DEFAULT-VALUE}).")
    String symbol;

    /** The flags read: the engine's request and what a levels entry echoes next to the levels. */
    record Position(PositionRequest request, String symbol, Optional<Side> side, BigDecimal entryPrice,
                    BigDecimal quantity, BigDecimal tickSize, BigDecimal lotSize, Double maintenanceMarginRate) {
        LevelsRecord.Context context(String positionId) {
            return new LevelsRecord.Context(symbol, positionId, null, side.orElse(null), entryPrice, quantity,
                    tickSize, lotSize, maintenanceMarginRate);
        }
    }

    /** Reads the flags; a bad one is an {@link InvalidInputException} with the worker's code and reason. */
    Position read(Settings settings) {
        // read exactly as the worker reads an event's fields, so both answer alike
        double l = InputNumbers.number("leverage", leverage, 1, settings.tuning().maxLeverage());
        double v = settings.tuning().crossExchangeEnabled() ? InputNumbers.number("volatility", volatility, 0, 10) : 1.0;
        double c = InputNumbers.number("confidence", confidence, 0, 1);
        double a = InputNumbers.number("avg-pnl", averagePnl, -10, 10);
        // as in the worker: a flag wins over the symbol's configured default (levels.symbols)
        String name = symbol.trim();
        SymbolDefaults defaults = settings.symbolDefaults(name);
        Double mmrValue = mmr == null ? defaults.maintenanceMarginRate()
                : Double.valueOf(InputNumbers.number("mmr", mmr, 0, 0.5));
        Optional<Side> parsedSide = Side.parseOptional(side);
        BigDecimal entryPrice = InputNumbers.positive("entry", entry);
        BigDecimal qty = InputNumbers.positive("quantity", quantity);
        BigDecimal tickSize = tick == null ? defaults.tickSize() : InputNumbers.positive("tick", tick);
        BigDecimal lotSize = lot == null ? defaults.lotSize() : InputNumbers.positive("lot", lot);
        PositionRequest request = new PositionRequest(l, v, c, a, parsedSide, entryPrice, qty, tickSize, lotSize,
                mmrValue == null ? 0 : mmrValue);
        return new Position(request, symbol, parsedSide, entryPrice, qty, tickSize, lotSize, mmrValue);
    }
}
