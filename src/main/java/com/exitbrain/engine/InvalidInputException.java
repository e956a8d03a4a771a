package com.exitbrain.engine;

/**
 * An input the engine or the event parser refuses, with the SPEC §8 error code and a sentence a
 * producer can act on. Unchecked, and cheap: no stack trace, because it is an answer, not a bug.
 */
public final class InvalidInputException extends RuntimeException {
    private final ErrorCode code;

    public InvalidInputException(ErrorCode code, String reason) {
        super(reason, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public String reason() {
        return getMessage();
    }

    public static InvalidInputException outOfRange(String field, Object value, String range) {
        return new InvalidInputException(ErrorCode.OUT_OF_RANGE,
                field + " is " + value + ", outside " + range + ".");
    }
}
