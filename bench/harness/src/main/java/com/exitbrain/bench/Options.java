package com.exitbrain.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The flags of {@code scripts/bench} (its {@code --help} is the reference). A bad flag stops the
 * run before anything starts, with exit status 2.
 */
record Options(Path workerJar, List<String> jvmFlags, String jvmFlagsSource, int positions, int trades, int rate, int latencySeconds,
               int warmupSeconds, int soakSeconds, int coldStartSeconds, boolean coldStartUnderLoad, int batchSize, int rounds, boolean drain, boolean latency,
               Path jsonOut, Path profileDir, int fills) {

    static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }

    static Options parse(String[] args) {
        Path jar = Path.of("target/exitbrain.jar");
        String jvmFlags = null;
        int positions = 500_000;
        int trades = 100_000;
        int fills = 100_000;
        int rate = 5000;
        int latencySeconds = 30;
        int warmupSeconds = 30;
        int soakSeconds = 0;
        int coldStartSeconds = 20;
        boolean coldStartUnderLoad = false;
        int batchSize = 1000;
        int rounds = 3;
        boolean drain = true;
        boolean latency = true;
        Path jsonOut = null;
        Path profileDir = null;
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        // --quick first, so that explicit counts given with it still win, wherever they stand
        if (rest.remove("--quick")) {
            positions = 50_000;
            trades = 20_000;
            fills = 20_000;
            latencySeconds = 10;
            warmupSeconds = 3;
            rounds = 1;
        }
        for (int i = 0; i < rest.size(); i++) {
            String flag = rest.get(i);
            switch (flag) {
                case "--jar" -> jar = Path.of(value(rest, ++i, flag));
                case "--jvm-flags" -> jvmFlags = value(rest, ++i, flag);
                case "--positions" -> positions = count(rest, ++i, flag, 0);
                case "--trades" -> trades = count(rest, ++i, flag, 0);
                case "--fills" -> fills = count(rest, ++i, flag, 0);
                case "--rate" -> rate = count(rest, ++i, flag, 1);
                case "--latency-seconds" -> latencySeconds = count(rest, ++i, flag, 1);
                case "--warmup-seconds" -> warmupSeconds = count(rest, ++i, flag, 0);
                case "--soak" -> soakSeconds = 600;
                case "--cold-start-seconds" -> coldStartSeconds = count(rest, ++i, flag, 0);
                case "--cold-start-under-load" -> coldStartUnderLoad = true;
                case "--soak-seconds" -> soakSeconds = count(rest, ++i, flag, 1);
                case "--batch-size" -> batchSize = count(rest, ++i, flag, 1);
                case "--rounds" -> rounds = count(rest, ++i, flag, 1);
                case "--skip-drain" -> drain = false;
                case "--skip-latency" -> latency = false;
                case "--json-out" -> jsonOut = Path.of(value(rest, ++i, flag));
                case "--profile" -> profileDir = Path.of(value(rest, ++i, flag)).toAbsolutePath();
                default -> throw new UsageError("unknown flag " + flag);
            }
        }
        UnitFlags.Flags unit = UnitFlags.resolve();
        return new Options(jar, jvmFlags == null ? unit.flags() : List.of(jvmFlags.trim().split("\\s+")),
                jvmFlags == null ? unit.source() : "--jvm-flags", positions, trades, rate, latencySeconds,
                warmupSeconds, soakSeconds, coldStartSeconds, coldStartUnderLoad, batchSize, rounds, drain, latency, jsonOut, profileDir, fills);
    }

    /** With --profile, each run (worker, floor, script mix) leaves a JFR recording (profile settings) named after it. */
    List<String> profileFlags(String run) {
        if (profileDir == null) {
            return List.of();
        }
        return List.of("-XX:StartFlightRecording=settings=profile,filename=" + profileDir.resolve(run + ".jfr"));
    }

    private static String value(List<String> args, int i, String flag) {
        if (i >= args.size()) {
            throw new UsageError(flag + " needs a value");
        }
        return args.get(i);
    }

    private static int count(List<String> args, int i, String flag, int min) {
        String text = value(args, i, flag).replace("_", "").replace(",", "");
        try {
            int n = Integer.parseInt(text);
            if (n < min) {
                throw new UsageError(flag + " must be at least " + min + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageError(flag + " needs a whole number, got \"" + args.get(i) + "\"");
        }
    }
}
