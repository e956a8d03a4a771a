package com.exitbrain.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time a process has used (user + system, /proc/<pid>/stat), to tell busy from waiting. */
final class ProcCpu {
    /** USER_HZ: 100 on every Linux the harness is meant for. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcCpu() {
    }

    /** Seconds of CPU so far, or NaN when /proc is not there. */
    static double seconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name, field 2, is in parentheses and may hold spaces
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
