package com.exitbrain.plan;

import java.util.Locale;

/** The order a fill belongs to (SPEC §9): a take-profit stage, the stop, or any other reduction. */
public enum FillOrder {
    TP1(1),
    TP2(2),
    TP3(3),
    SL(0),
    CLOSE(0);

    /** The stage a take-profit fill belongs to, 0 for the stop and a close. */
    final int stage;

    FillOrder(int stage) {
        this.stage = stage;
    }

    public boolean takeProfit() {
        return stage > 0;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Exactly one of the five words (case and surrounding blanks ignored), or empty. */
    public static java.util.Optional<FillOrder> parse(String text) {
        String word = text.trim().toLowerCase(Locale.ROOT);
        for (FillOrder o : values()) {
            if (o.wire().equals(word)) {
                return java.util.Optional.of(o);
            }
        }
        return java.util.Optional.empty();
    }
}
