package com.exitbrain.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.config.SettingsLoader;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The operator's documents agree with reference.conf: deploy/exitbrain.env.example names every
 * environment variable with its default, and README "Configuration" has one row per setting.
 */
class ConfigurationDocsIT {
    private static final Config REFERENCE = ConfigFactory.parseResources("reference.conf").getConfig("exitbrain");

    /** The first "#VAR=value" line per variable: the documented default. */
    private static Map<String, String> documentedDefaults() throws IOException {
        Map<String, String> defaults = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Shell.PROJECT.resolve("deploy/exitbrain.env.example"))) {
            if (line.matches("#[A-Z_][A-Z0-9_]*=.*")) {
                defaults.putIfAbsent(line.substring(1, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return defaults;
    }

    @Test
    void envExampleDocumentsEveryVariableWithItsDefault() throws IOException {
        Map<String, String> documented = documentedDefaults();

        Set<String> expected = new TreeSet<>(SettingsLoader.ENVIRONMENT.keySet());
        expected.add("EXITBRAIN_CONFIG");
        expected.add("JAVA_OPTS");
        assertEquals(expected, new TreeSet<>(documented.keySet()));
        for (var entry : SettingsLoader.ENVIRONMENT.entrySet()) {
            assertEquals(referenceDefault(entry.getValue(), ","), documented.get(entry.getKey()),
                    entry.getKey() + " (" + entry.getValue() + ")");
        }
    }

    @Test
    void readmeConfigurationTableHasEveryKeyWithItsVariableAndDefault() throws IOException {
        String readme = Files.readString(Shell.PROJECT.resolve("README.md"));
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (String line : readme.lines().toList()) {
            if (line.startsWith("| `")) {
                List<String> cells = List.of(line.substring(1, line.length() - 1).split(" \\| "));
                rows.put(cells.get(0).strip().replace("`", ""), cells.stream().map(String::strip).toList());
            }
        }
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> e : REFERENCE.entrySet()) {
            keys.add(e.getKey());
        }
        keys.add("levels.symbols");
        Map<String, String> variableOf = SettingsLoader.ENVIRONMENT.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getValue, Map.Entry::getKey));
        for (String key : keys) {
            List<String> row = rows.get(key);
            assertTrue(row != null, "README Configuration has no row for " + key);
            if (variableOf.containsKey(key)) {
                assertEquals("`" + variableOf.get(key) + "`", row.get(1), key);
                String defaultCell = row.get(2);
                String expected = referenceDefault(key, ", ");
                assertTrue(defaultCell.startsWith("`" + expected + "`")
                                || expected.isEmpty() && defaultCell.startsWith("empty"),
                        key + ": README says " + defaultCell + ", reference.conf " + expected);
            }
        }
    }

    /** The reference.conf default as text; lists joined with the separator. */
    private static String referenceDefault(String path, String separator) {
        Object value = REFERENCE.getValue(path).unwrapped();
        if (value instanceof List<?> list) {
            String joined = list.stream().map(v -> new BigDecimal(v.toString()).setScale(3).toPlainString())
                    .collect(Collectors.joining(separator));
            return separator.equals(",") ? joined : "[" + joined + "]";
        }
        return value.toString();
    }
}
