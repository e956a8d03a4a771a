package com.exitbrain.engine;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Set;

/** Exact-decimal prices and stage quantities (SPEC §1 steps 8 and 9). */
final class Sizing {
    private Sizing() {
    }

    static ExitPrices prices(Levels levels, BigDecimal entry, Side side, BigDecimal tick, double maxSafeSl,
                             Set<Warning> warnings) {
        // Long: targets above the entry, stop below; short: the mirror image.
        int tpDirection = side == Side.LONG ? 1 : -1;
        BigDecimal stop = price(entry, levels.sl(), -tpDirection, tick, warnings);
        if (tick != null) {
            requireStopInsideCap(entry, stop, tick, maxSafeSl);
        }
        return new ExitPrices(
                price(entry, levels.tp1(), tpDirection, tick, warnings),
                price(entry, levels.tp2(), tpDirection, tick, warnings),
                price(entry, levels.tp3(), tpDirection, tick, warnings),
                stop);
    }

    /**
     * SPEC §1 step 8: a stop rounded away from the entry must still be within {@code max_safe_sl} of
     * it. When it is not, no tick lies between the entry and the cap, and a stop one tick out would
     * only trigger after the exchange has liquidated the position: the position is refused.
     */
    private static void requireStopInsideCap(BigDecimal entry, BigDecimal stop, BigDecimal tick, double maxSafeSl) {
        BigDecimal cap = entry.multiply(Decimals.exact(maxSafeSl));
        BigDecimal distance = stop.subtract(entry).abs();
        if (distance.compareTo(cap) > 0) {
            throw new InvalidInputException(ErrorCode.LIQUIDATION, "tick_size " + Decimals.plain(tick)
                    + " is too coarse for this leverage: the nearest stop on the tick, " + Decimals.plain(stop)
                    + ", is " + Decimals.plain(distance) + " from entry_price " + Decimals.plain(entry)
                    + ", beyond the liquidation cap max_safe_sl " + Decimals.plain(maxSafeSl) + " ("
                    + Decimals.plain(cap) + " of price); no tick lies between the entry and the cap.");
        }
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
