package com.exitbrain.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The settings of a systemd unit file: "Section.Key" → every value given, in order. */
record UnitFile(Map<String, List<String>> settings) {

    static UnitFile read(Path path) {
        try {
            return parse(Files.readString(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static UnitFile parse(String text) {
        Map<String, List<String>> settings = new LinkedHashMap<>();
        String section = "";
        // systemd joins a line ending in a backslash with the next one
        String joined = text.replaceAll("\\\\\\n\\s*", " ");
        for (String raw : joined.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1);
                continue;
            }
            int eq = line.indexOf('=');
            settings.computeIfAbsent(section + "." + line.substring(0, eq).strip(), k -> new ArrayList<>())
                    .add(line.substring(eq + 1).strip());
        }
        return new UnitFile(settings);
    }

    /** The last value of a setting (what systemd uses for single-valued settings), or null. */
    String get(String key) {
        List<String> values = settings.get(key);
        return values == null ? null : values.get(values.size() - 1);
    }

    List<String> all(String key) {
        return settings.getOrDefault(key, List.of());
    }

    /** ExecStart split into words, with systemd's "%%" unescaped. */
    List<String> execStart() {
        return Arrays.stream(get("Service.ExecStart").split("\\s+")).map(w -> w.replace("%%", "%")).toList();
    }
}
