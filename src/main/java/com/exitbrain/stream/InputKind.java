package com.exitbrain.stream;

/** The three input streams. */
enum InputKind {
    POSITION_OPENED("position"),
    TRADE_CLOSED("trade"),
    FILL("fill");

    final String metricTag;

    InputKind(String metricTag) {
        this.metricTag = metricTag;
    }
}
