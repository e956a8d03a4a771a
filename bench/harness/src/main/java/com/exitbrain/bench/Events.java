package com.exitbrain.bench;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Realistic input events (SPEC §3), from a fixed seed so that every run and both clients see the
 * same mix: eight symbols with their real tick and lot sizes, the leverages traders use, both
 * sides, prices within 2% of a reference, lot-multiple quantities.
 */
final class Events {
    private record Symbol(String name, double price, BigDecimal tick, BigDecimal lot, double notional) {
    }

    private static final Symbol[] SYMBOLS = {
            new Symbol("BTCUSDT", 65000, new BigDecimal("0.1"), new BigDecimal("0.001"), 5000),
            new Symbol("ETHUSDT", 3400, new BigDecimal("0.01"), new BigDecimal("0.001"), 3000),
            new Symbol("SOLUSDT", 150, new BigDecimal("0.001"), new BigDecimal("0.1"), 2000),
            new Symbol("BNBUSDT", 580, new BigDecimal("0.01"), new BigDecimal("0.01"), 1500),
            new Symbol("XRPUSDT", 0.52, new BigDecimal("0.0001"), new BigDecimal("1"), 1000),
            new Symbol("DOGEUSDT", 0.12, new BigDecimal("0.00001"), new BigDecimal("1"), 800),
            new Symbol("ADAUSDT", 0.45, new BigDecimal("0.0001"), new BigDecimal("1"), 800),
            new Symbol("AVAXUSDT", 35, new BigDecimal("0.001"), new BigDecimal("0.1"), 1200),
    };
    private static final int[] LEVERAGES = {1, 2, 3, 5, 10, 10, 20, 20, 25, 50, 75, 100, 125};
    /** Trades come from a few symbols only. */
    private static final int TRADE_SYMBOLS = 4;

    private final SplittableRandom random;

    Events(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A position-opened event with every field a real producer sends. */
    Map<String, String> position(String positionId) {
        Symbol s = SYMBOLS[random.nextInt(SYMBOLS.length)];
        BigDecimal entry = BigDecimal.valueOf(s.price * (0.98 + 0.04 * random.nextDouble()))
                .divide(s.tick, 0, RoundingMode.HALF_UP).multiply(s.tick);
        BigDecimal quantity = BigDecimal.valueOf(s.notional * (0.2 + random.nextDouble()) / s.price)
                .divide(s.lot, 0, RoundingMode.DOWN).max(BigDecimal.ONE).multiply(s.lot);
        Map<String, String> f = new LinkedHashMap<>();
        f.put("position_id", positionId);
        f.put("symbol", s.name);
        f.put("side", random.nextBoolean() ? "long" : "short");
        f.put("leverage", Integer.toString(LEVERAGES[random.nextInt(LEVERAGES.length)]));
        f.put("entry_price", entry.toPlainString());
        f.put("quantity", quantity.toPlainString());
        f.put("tick_size", s.tick.toPlainString());
        f.put("lot_size", s.lot.toPlainString());
        f.put("confidence", BigDecimal.valueOf(30 + random.nextInt(66), 2).toPlainString());
        f.put("volatility_factor", BigDecimal.valueOf(50 + random.nextInt(200), 2).toPlainString());
        return f;
    }

    /** A trade-closed event; {@code tradeId} must be distinct for it to be counted. */
    /** Fill i: tp1 1 @ 101.5 of plan {@code plan-<i / FILLS_PER_PLAN>}, fill id {@code fill-<i>}. */
    Map<String, String> fill(int i) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("position_id", planId(i / Keys.FILLS_PER_PLAN));
        m.put("order", "tp1");
        m.put("quantity", "1");
        m.put("price", "101.5");
        m.put("fee", "0.01");
        m.put("fill_id", String.format("fill-%010d", i));
        return m;
    }

    static String planId(int plan) {
        return String.format("plan-%010d", plan);
    }

    Map<String, String> trade(String tradeId, long closedAtMillis) {
        Symbol s = SYMBOLS[random.nextInt(TRADE_SYMBOLS)];
        Map<String, String> f = new LinkedHashMap<>();
        f.put("trade_id", tradeId);
        f.put("symbol", s.name);
        f.put("leverage", Integer.toString(LEVERAGES[random.nextInt(LEVERAGES.length)]));
        f.put("pnl", BigDecimal.valueOf(random.nextInt(1300) - 500, 4).toPlainString());
        f.put("closed_at", Long.toString(closedAtMillis));
        return f;
    }
}
