package com.exitbrain.ops;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Runs the project's scripts as a user would, from the project directory, with a time limit. */
final class Shell {
    /** The checkout: failsafe runs the tests there and sets {@code basedir}. */
    static final Path PROJECT = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    private static final Map<Long, Path> LOGS = new ConcurrentHashMap<>();

    private Shell() {
    }

    record Result(int exitStatus, String output) {
        @Override
        public String toString() {
            return "exit status " + exitStatus + ", output:\n" + output;
        }
    }

    /**
     * The environment of the test JVM without the worker's variables, so that a REDIS_URL or
     * EXITBRAIN_* of the machine cannot point a script at the shared Redis.
     */
    static Map<String, String> cleanEnvironment() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.equals("REDIS_URL") || k.startsWith("EXITBRAIN_") || k.startsWith("HEALTH_")
                || k.equals("JAVA_OPTS") || k.equals("ADAPTIVE_LEVERAGE_ENABLED") || k.equals("CROSS_EXCHANGE_ENABLED")
                || k.equals("LOG_LEVEL"));
        return env;
    }

    static Result run(Duration limit, Map<String, String> env, List<String> command) {
        Process process = start(env, command);
        return await(process, limit, command);
    }

    static Result run(Duration limit, List<String> command) {
        return run(limit, cleanEnvironment(), command);
    }

    /** Starts a command with stdout and stderr together in a file (read it with {@link #output}). */
    static Process start(Map<String, String> env, List<String> command) {
        try {
            Path log = Files.createTempFile("exitbrain-ops", ".log");
            log.toFile().deleteOnExit();
            ProcessBuilder builder = new ProcessBuilder(command).directory(PROJECT.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().clear();
            builder.environment().putAll(env);
            Process process = builder.start();
            LOGS.put(process.pid(), log);
            return process;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command, e);
        }
    }

    static String output(Process process) {
        try {
            return Files.readString(LOGS.get(process.pid()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits for the process; past the limit it gets SIGTERM (its traps run), then SIGKILL. */
    static Result await(Process process, Duration limit, List<String> command) {
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
                fail(command + " did not finish within " + limit + "; output:\n" + output(process));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            fail("interrupted");
        }
        return new Result(process.exitValue(), output(process));
    }
}
