package com.exitbrain.testing;

import java.io.IOException;

/** kill -NAME for a child process: TERM, KILL, and the STOP/CONT the JDK has no call for. */
final class Signals {
    private Signals() {
    }

    static void send(Process process, String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
    }
}
