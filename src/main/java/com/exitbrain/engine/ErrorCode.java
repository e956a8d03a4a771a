package com.exitbrain.engine;

/** The error codes of SPEC §8; {@link #wire()} is the value written to the dead-letter stream. */
public enum ErrorCode {
    MISSING_FIELD,
    INVALID_NUMBER,
    OUT_OF_RANGE,
    INVALID_VALUE,
    INVALID_JSON,
    OVERSIZED,
    LIQUIDATION,
    MAX_DELIVERIES,
    UNKNOWN_POSITION,
    POSITION_CLOSED,
    OVERFILL;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
