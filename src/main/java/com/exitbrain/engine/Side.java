package com.exitbrain.engine;

import java.util.Locale;
import java.util.Optional;

/** Position direction. {@code buy}/{@code sell} are the exchange words for long/short. */
public enum Side {
    LONG,
    SHORT;

    /** Parses long, short, buy or sell, ignoring case and surrounding blanks. */
    public static Side parse(String text) {
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "long":
            case "buy":
                return LONG;
            case "short":
            case "sell":
                return SHORT;
            default:
                throw new InvalidInputException(ErrorCode.INVALID_VALUE,
                        "side is \"" + text + "\", expected one of long, short, buy, sell.");
        }
    }

    public static Optional<Side> parseOptional(String text) {
        return text == null || text.isEmpty() ? Optional.empty() : Optional.of(parse(text));
    }

    /** {@code long} or {@code short}, as outputs spell it. */
    public String wire() {
        return wire;
    }

    private final String wire = name().toLowerCase(Locale.ROOT);
}
