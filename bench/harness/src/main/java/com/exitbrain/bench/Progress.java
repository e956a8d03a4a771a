package com.exitbrain.bench;

/** Progress on stderr; stdout carries only the table and the JSON line. */
final class Progress {
    private Progress() {
    }

    static void say(String format, Object... args) {
        System.err.println("[bench] " + String.format(format, args));
    }
}
