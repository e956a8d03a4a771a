package com.exitbrain.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM flags of the systemd unit (deploy/exitbrain.service, ExecStart: the flags between
 * {@code java} and {@code $JAVA_OPTS}), so the worker is measured as production runs it. The crash
 * log path is left out: it names a directory only the installed unit has.
 */
final class UnitFlags {
    static final Path UNIT = Path.of("deploy/exitbrain.service");
    /** The unit's flags when it is not in this checkout (as of the deployment commit). */
    static final List<String> FALLBACK = List.of("-Xms128m", "-Xmx128m", "-Xmn64m", "-XX:MaxMetaspaceSize=64m",
            "-XX:ReservedCodeCacheSize=32m", "-XX:MaxDirectMemorySize=32m", "-Xss512k", "-XX:+UseSerialGC",
            "-XX:ActiveProcessorCount=2", "-XX:FreqInlineSize=100", "-XX:InlineSmallCode=1000",
            "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData");

    record Flags(List<String> flags, String source) {
    }

    private UnitFlags() {
    }

    static Flags resolve() {
        if (!Files.isRegularFile(UNIT)) {
            return new Flags(FALLBACK, "built in (" + UNIT + " not found)");
        }
        try {
            List<String> flags = parse(Files.readString(UNIT));
            return flags.isEmpty() ? new Flags(FALLBACK, "built in (no ExecStart flags in " + UNIT + ")")
                    : new Flags(flags, UNIT.toString());
        } catch (IOException e) {
            return new Flags(FALLBACK, "built in (" + UNIT + ": " + e.getMessage() + ")");
        }
    }

    static List<String> parse(String unit) {
        String execStart = null;
        StringBuilder current = null;
        for (String line : unit.split("\n")) {
            String trimmed = line.strip();
            if (current == null && trimmed.startsWith("ExecStart=")) {
                current = new StringBuilder(trimmed.substring("ExecStart=".length()));
            } else if (current != null) {
                current.append(' ').append(trimmed);
            } else {
                continue;
            }
            if (current.toString().endsWith("\\")) {
                current.setLength(current.length() - 1);
            } else {
                execStart = current.toString();
                break;
            }
        }
        List<String> flags = new ArrayList<>();
        if (execStart == null) {
            return flags;
        }
        boolean afterJava = false;
        for (String token : execStart.trim().split("\\s+")) {
            if (!afterJava) {
                afterJava = token.endsWith("/java") || token.equals("java");
                continue;
            }
            if (token.startsWith("$") || token.equals("-jar")) {
                break;
            }
            if (!token.startsWith("-XX:ErrorFile=")) {
                flags.add(token.replace("%%", "%"));
            }
        }
        return flags;
    }
}
