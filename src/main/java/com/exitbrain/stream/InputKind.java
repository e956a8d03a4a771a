package com.exitbrain.stream;

/** The two input streams. */
enum InputKind {
    POSITION_OPENED("position"),
    TRADE_CLOSED("trade");

    final String metricTag;

    InputKind(String metricTag) {
        this.metricTag = metricTag;
    }
}
