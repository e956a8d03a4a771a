package com.exitbrain.config;

/** A setting that cannot be used; start-up stops with exit status 78 (EX_CONFIG) and this message. */
public final class ConfigurationError extends RuntimeException {
    public static final int EXIT_STATUS = 78;

    public ConfigurationError(String message) {
        super(message, null, false, false);
    }
}
