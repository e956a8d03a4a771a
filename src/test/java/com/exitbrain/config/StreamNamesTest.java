package com.exitbrain.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stream names that would loop the worker onto its own output are refused at start-up. */
class StreamNamesTest {

    @Test
    void outputOnAnInputIsRefusedNamingBothSettings() {
        ConfigurationError e = assertThrows(ConfigurationError.class, () -> new SettingsLoader(Map.of(
                "EXITBRAIN_STREAM_LEVELS", "quantum:stream:exitbrain.position_opened")).load());
        assertTrue(e.getMessage().contains("EXITBRAIN_STREAM_LEVELS"), e.getMessage());
        assertTrue(e.getMessage().contains("streams.position-opened"), e.getMessage());
    }

    @Test
    void twoInputsWithOneNameAreRefused() {
        ConfigurationError e = assertThrows(ConfigurationError.class, () -> new SettingsLoader(Map.of(
                "EXITBRAIN_STREAM_TRADE_CLOSED", "quantum:stream:exitbrain.position_opened")).load());
        assertTrue(e.getMessage().contains("EXITBRAIN_STREAM_TRADE_CLOSED"), e.getMessage());
    }

    @Test
    void blockLongerThanHalfTheCommandTimeoutIsRefused() {
        ConfigurationError e = assertThrows(ConfigurationError.class, () -> new SettingsLoader(Map.of(
                "EXITBRAIN_BLOCK_MS", "4000", "EXITBRAIN_REDIS_TIMEOUT_MS", "5000")).load());
        assertTrue(e.getMessage().contains("EXITBRAIN_BLOCK_MS"), e.getMessage());
    }
}
