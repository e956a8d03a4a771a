package com.exitbrain.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM the harness starts and measures: the worker ({@code java <flags> -jar exitbrain.jar run})
 * or a reference client (floor, script mix). Its memory is read from outside, the way an operator would: VmHWM from
 * /proc, and the heap after a full collection from {@code jcmd}.
 */
final class JavaChild implements AutoCloseable {
    /** " def new generation   total 4928K, used 1234K [..." and the like, for any collector. */
    private static final Pattern GENERATION = Pattern.compile("^\\s*([a-zA-Z][\\w -]*?)\\s+total (\\d+)K, used (\\d+)K");

    private final String name;
    private final Process process;
    private final Path log;

    private JavaChild(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static JavaChild start(String name, List<String> jvmFlags, List<String> launch, Map<String, String> env, Path logDir)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        cmd.addAll(launch);
        Path log = logDir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        Files.writeString(log, "$ " + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8);
        return new JavaChild(name, pb.start(), log);
    }

    long pid() {
        return process.pid();
    }

    String name() {
        return name;
    }

    void requireAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with status " + process.exitValue() + "; see " + log);
        }
    }

    /** Peak resident set size so far (VmHWM), KiB; -1 where /proc is not available. */
    long peakRssKib() {
        return procStatus("VmHWM:");
    }

    long rssKib() {
        return procStatus("VmRSS:");
    }

    private long procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).replace("kB", "").trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Heap in use right after a full collection (jcmd GC.run, then GC.heap_info), KiB; -1 if jcmd fails. */
    long heapAfterGcKib() {
        try {
            jcmd("GC.run");
            long used = 0;
            boolean any = false;
            for (String line : jcmd("GC.heap_info").split("\n")) {
                Matcher m = GENERATION.matcher(line);
                if (m.find() && !m.group(1).toLowerCase().contains("space")) {
                    used += Long.parseLong(m.group(3));
                    any = true;
                }
            }
            return any ? used : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    String jcmd(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(pid()));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("jcmd " + String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** SIGTERM, as systemd stops the unit; the worker finishes its batch and exits 0. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
