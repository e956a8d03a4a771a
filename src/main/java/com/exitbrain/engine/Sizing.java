package com.exitbrain.engine;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Set;

/** Exact-decimal prices and stage quantities (SPEC §1 steps 8 and 9). */
final class Sizing {
    private Sizing() {
    }

    static ExitPrices prices(Levels levels, BigDecimal entry, Side side, BigDecimal tick, Set<Warning> warnings) {
        // Long: targets above the entry, stop below; short: the mirror image.
        int tpDirection = side == Side.LONG ? 1 : -1;
        return new ExitPrices(
                price(entry, levels.tp1(), tpDirection, tick, warnings),
                price(entry, levels.tp2(), tpDirection, tick, warnings),
                price(entry, levels.tp3(), tpDirection, tick, warnings),
                price(entry, levels.sl(), -tpDirection, tick, warnings));
    }

    private static BigDecimal price(BigDecimal entry, double level, int direction, BigDecimal tick,
                                    Set<Warning> warnings) {
        BigDecimal move = Decimals.exact(level);
        BigDecimal factor = direction > 0 ? BigDecimal.ONE.add(move) : BigDecimal.ONE.subtract(move);
        BigDecimal exact = entry.multiply(factor);
        if (tick == null) {
            return exact;
        }
        // Toward the entry: a target stays reachable, a stop stays tighter.
        RoundingMode toward = direction > 0 ? RoundingMode.FLOOR : RoundingMode.CEILING;
        RoundingMode away = direction > 0 ? RoundingMode.CEILING : RoundingMode.FLOOR;
        BigDecimal rounded = onTick(exact, tick, toward);
        int side = rounded.compareTo(entry);
        if (direction > 0 ? side <= 0 : side >= 0) {
            rounded = onTick(exact, tick, away);
            warnings.add(Warning.LEVEL_WITHIN_ONE_TICK);
        }
        return rounded;
    }

    private static BigDecimal onTick(BigDecimal price, BigDecimal tick, RoundingMode mode) {
        return price.divide(tick, 0, mode).multiply(tick);
    }

    static StageQuantities quantities(BigDecimal quantity, HarvestScheme harvest, BigDecimal lot,
                                      Set<Warning> warnings) {
        BigDecimal first = quantity.multiply(harvest.fraction(1));
        BigDecimal second = quantity.multiply(harvest.fraction(2));
        if (lot == null) {
            return new StageQuantities(first, second, quantity.multiply(harvest.fraction(3)));
        }
        if (quantity.remainder(lot).signum() != 0) {
            warnings.add(Warning.QUANTITY_NOT_LOT_MULTIPLE);
        }
        first = onTick(first, lot, RoundingMode.FLOOR);
        second = onTick(second, lot, RoundingMode.FLOOR);
        return new StageQuantities(first, second, quantity.subtract(first).subtract(second));
    }
}
