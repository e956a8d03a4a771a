package com.exitbrain.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code java -jar target/exitbrain.jar run} as a child process, the way an operator starts it. */
public final class WorkerProcess implements AutoCloseable {
    private static final Pattern HEALTH_LINE = Pattern.compile("listening on http://[^:]+:(\\d+)/health");

    private final Process process;
    private final Path log;

    private WorkerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static Path jar() {
        Path jar = Path.of("target", "exitbrain.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("target/exitbrain.jar is missing: run mvn verify (the jar is built in package)");
        }
        return jar;
    }

    public static WorkerProcess start(Map<String, String> env, String... args) throws IOException {
        Path log = Files.createTempFile("exitbrain-worker", ".log");
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-Xmx256m", "-jar", jar().toString()));
        cmd.addAll(List.of(args.length == 0 ? new String[] {"run"} : args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return new WorkerProcess(pb.start(), log);
    }

    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** The health port the worker logged (HEALTH_PORT=0 picks a free one). */
    public int healthPort() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Matcher m = HEALTH_LINE.matcher(output());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no health port logged:\n" + output());
    }

    /** Sends a signal by name (TERM, KILL) to the process. */
    public void signal(String name) throws IOException, InterruptedException {
        Signals.send(process, name);
    }

    public int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("worker still running after " + seconds + " s:\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        new File(log.toString()).deleteOnExit();
    }
}
