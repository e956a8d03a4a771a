package com.exitbrain.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real levels entry of the worker under test, for the floor to write: the worker's own
 * {@code levels --json} (the fields its levels stream entries carry, formatted by the same code) for
 * a BTCUSDT 20x long with prices and quantities, plus the two ids a stream entry adds. Taken from the
 * jar each run, so the floor writes what this build of the worker writes, field for field.
 */
final class LevelsEntry {
    private static final List<String> ARGS = List.of("levels", "--symbol", "BTCUSDT", "--leverage", "20",
            "--volatility", "1.35", "--confidence", "0.72", "--avg-pnl", "0.0123", "--side", "long", "--entry",
            "65012.3", "--quantity", "0.125", "--tick", "0.1", "--lot", "0.001", "--json");

    private LevelsEntry() {
    }

    /** Writes the entry to {@code dir/levels-entry.json} and returns that file. */
    static Path write(Options options, Path dir) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                options.workerJar().toString()));
        cmd.addAll(ARGS);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("the worker's levels --json failed: " + String.join(" ", cmd));
        }
        ObjectMapper json = new ObjectMapper();
        Map<String, String> levels = json.readValue(out, new TypeReference<LinkedHashMap<String, String>>() {
        });
        Map<String, String> entry = new LinkedHashMap<>();
        levels.forEach((k, v) -> {
            entry.put(k, v);
            if (k.equals("side")) {
                entry.put("position_id", String.format("pos-%010d", 0));
                entry.put("source_id", "1795504345633-0");
            }
        });
        int bytes = entry.entrySet().stream().mapToInt(e -> e.getKey().length() + e.getValue().length()).sum();
        Progress.say("floor: the worker's levels entry has %d fields, %d bytes of names and values", entry.size(),
                bytes);
        Path file = dir.resolve("levels-entry.json");
        Files.writeString(file, json.writeValueAsString(entry));
        return file;
    }
}
