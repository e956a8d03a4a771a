package com.exitbrain.stream;

import com.exitbrain.config.Settings;

/** The three input streams. */
enum InputKind {
    POSITION_OPENED("position"),
    TRADE_CLOSED("trade"),
    FILL("fill");

    final String metricTag;

    InputKind(String metricTag) {
        this.metricTag = metricTag;
    }

    /** The kind of an input stream of these names (one of the three: fills when not the first two). */
    static InputKind of(Settings.Streams streams, String stream) {
        if (stream.equals(streams.positionOpened())) {
            return POSITION_OPENED;
        }
        return stream.equals(streams.tradeClosed()) ? TRADE_CLOSED : FILL;
    }
}
