package com.exitbrain.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/install.sh into a throwaway root: what it installs, idempotence, the operator's files, --dry-run. */
class InstallScriptIT {
    private static final Duration LIMIT = Duration.ofMinutes(2);
    private static final List<String> INSTALLED = List.of(
            "opt/exitbrain/exitbrain.jar",
            "opt/exitbrain/README.md",
            "opt/exitbrain/exitbrain.env.example",
            "opt/exitbrain/redis-acl.conf",
            "opt/exitbrain/redis-acl-cluster.conf",
            "etc/systemd/system/exitbrain.service",
            "etc/exitbrain/application.conf",
            "etc/exitbrain/exitbrain.env");

    @TempDir
    Path temp;

    static Shell.Result install(String... args) {
        return Shell.run(LIMIT, Stream.concat(Stream.of("deploy/install.sh"), Stream.of(args)).toList());
    }

    @Test
    void installsEveryFileWithTheSourcesContent() throws IOException {
        Path root = temp.resolve("root");
        Shell.Result result = install("--prefix", root.toString());

        assertEquals(0, result.exitStatus(), result::toString);
        INSTALLED.forEach(f -> assertTrue(Files.isRegularFile(root.resolve(f)), f + " missing; " + result));
        assertSameContent(Shell.PROJECT.resolve("target/exitbrain.jar"), root.resolve("opt/exitbrain/exitbrain.jar"));
        assertSameContent(Shell.PROJECT.resolve("deploy/exitbrain.service"),
                root.resolve("etc/systemd/system/exitbrain.service"));
        assertSameContent(Shell.PROJECT.resolve("conf/application.conf"), root.resolve("etc/exitbrain/application.conf"));
        assertSameContent(Shell.PROJECT.resolve("deploy/exitbrain.env.example"), root.resolve("etc/exitbrain/exitbrain.env"));
        // the environment file will hold the Redis password
        assertEquals("rw-r-----", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(root.resolve("etc/exitbrain/exitbrain.env"))));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(root.resolve("etc/exitbrain"))));
        assertTrue(result.output().contains("system user exitbrain (--prefix: not created)"), result::toString);
    }

    @Test
    void secondRunChangesNothing() {
        Path root = temp.resolve("root");
        Shell.Result first = install("--prefix", root.toString());
        assertEquals(0, first.exitStatus(), first::toString);
        Map<String, String> before = snapshot(root);

        Shell.Result second = install("--prefix", root.toString());

        assertEquals(0, second.exitStatus(), second::toString);
        assertEquals(before, snapshot(root), "the second run changed the installation");
        assertTrue(second.output().contains("nothing to do"), second::toString);
        INSTALLED.forEach(f -> assertReports(second, "unchanged", root.resolve(f)));
    }

    @Test
    void operatorsConfigurationIsNeverOverwritten() throws IOException {
        Path root = temp.resolve("root");
        assertEquals(0, install("--prefix", root.toString()).exitStatus());
        Path conf = root.resolve("etc/exitbrain/application.conf");
        Path env = root.resolve("etc/exitbrain/exitbrain.env");
        Files.writeString(conf, "exitbrain.pnl.scope = \"symbol\"\n");
        Files.writeString(env, "REDIS_URL=redis://exitbrain:secret@10.0.0.5:6379\n");
        // an upgrade: the unit in the root is stale
        Path unit = root.resolve("etc/systemd/system/exitbrain.service");
        Files.writeString(unit, "[Service]\nExecStart=/bin/false\n");

        Shell.Result again = install("--prefix", root.toString());

        assertEquals(0, again.exitStatus(), again::toString);
        assertEquals("exitbrain.pnl.scope = \"symbol\"\n", Files.readString(conf));
        assertEquals("REDIS_URL=redis://exitbrain:secret@10.0.0.5:6379\n", Files.readString(env));
        assertReports(again, "keep", conf);
        assertSameContent(Shell.PROJECT.resolve("deploy/exitbrain.service"), unit);
        assertReports(again, "update", unit);
    }

    @Test
    void dryRunWritesNothing() {
        Path root = temp.resolve("root");

        Shell.Result dry = install("--prefix", root.toString(), "--dry-run");

        assertEquals(0, dry.exitStatus(), dry::toString);
        assertFalse(Files.exists(root), "--dry-run created " + root);
        assertReports(dry, "would install", root.resolve("opt/exitbrain/exitbrain.jar"));
        assertTrue(dry.output().contains("nothing was written"), dry::toString);
    }

    @Test
    void dryRunOnAnInstalledRootWritesNothingEither() throws IOException {
        Path root = temp.resolve("root");
        assertEquals(0, install("--prefix", root.toString()).exitStatus());
        Files.writeString(root.resolve("opt/exitbrain/README.md"), "old\n");
        Map<String, String> before = snapshot(root);

        Shell.Result dry = install("--prefix", root.toString(), "--dry-run");

        assertEquals(0, dry.exitStatus(), dry::toString);
        assertEquals(before, snapshot(root));
        assertReports(dry, "would update", root.resolve("opt/exitbrain/README.md"));
    }

    @Test
    void badUsageAndMissingJarAreClearErrors() {
        Shell.Result unknown = install("--frobnicate");
        assertEquals(2, unknown.exitStatus(), unknown::toString);
        assertTrue(unknown.output().contains("unknown argument: --frobnicate"), unknown::toString);

        Shell.Result noJar = install("--prefix", temp.resolve("root").toString(), "--jar", temp.resolve("none.jar").toString());
        assertEquals(1, noJar.exitStatus(), noJar::toString);
        assertTrue(noJar.output().contains("no jar at"), noJar::toString);
        assertFalse(Files.exists(temp.resolve("root")));

        Shell.Result help = install("--help");
        assertEquals(0, help.exitStatus(), help::toString);
        assertTrue(help.output().contains("--prefix DIR"), help::toString);
    }

    /** Path → size, modification time, permissions and content hash of everything under root. */
    static Map<String, String> snapshot(Path root) {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                String detail = Files.isDirectory(p) ? "dir " + perms
                        : Files.size(p) + " " + Files.getLastModifiedTime(p) + " " + perms + " "
                        + java.util.Arrays.hashCode(Files.readAllBytes(p));
                files.put(root.relativize(p).toString(), detail);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** install.sh reports one line per path: "  <verb>  <path>[ (reason)]". */
    static void assertReports(Shell.Result result, String verb, Path path) {
        Pattern line = Pattern.compile("(?m)^\\s+" + Pattern.quote(verb) + "\\s+" + Pattern.quote(path.toString()) + "( |$)");
        assertTrue(line.matcher(result.output()).find(), "expected \"" + verb + " " + path + "\" in " + result);
    }

    static void assertSameContent(Path expected, Path actual) throws IOException {
        assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(actual), actual + " differs from " + expected);
    }
}
