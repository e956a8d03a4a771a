package com.exitbrain.bench;

import io.lettuce.core.RedisClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code scripts/bench}: throughput, latency and memory of the packaged worker, each drain measured
 * against the ceiling client on the same private Redis in the same run, so that the machine's noise
 * (two shared cores) hits both sides alike. Prints one table and one JSON line on stdout.
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("ceiling")) {
            Ceiling.run(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (Options.UsageError e) {
            System.err.println("scripts/bench: " + e.getMessage() + " (see scripts/bench --help)");
            System.exit(2);
            return;
        }
        if (!Files.isRegularFile(options.workerJar())) {
            System.err.println("scripts/bench: no worker jar at " + options.workerJar() + "; build it first");
            System.exit(2);
        }
        System.exit(run(options, System.getProperty("bench.command", "scripts/bench " + String.join(" ", args))));
    }

    private static int run(Options options, String command) throws Exception {
        Path workDir = Files.createTempDirectory("exitbrain-bench-");
        if (options.profileDir() != null) {
            Files.createDirectories(options.profileDir());
        }
        Progress.say("work directory (logs, Redis): %s", workDir);
        Report report = new Report(options, command, Machine.describe());
        try (RedisServer server = RedisServer.start(workDir)) {
            RedisClient client = RedisClient.create(server.url());
            try (RedisAdmin redis = new RedisAdmin(client)) {
                report.redis(server.binary(), redis.sync.info("server"));
                Progress.say("private redis-server on %s (pid %d)", server.url(), server.pid());
                Launchers launchers = new Launchers(options, server.url(), workDir);
                if (options.drain()) {
                    Drain drain = new Drain(redis, server.pid());
                    for (int round = 1; round <= options.rounds(); round++) {
                        // ABBA order: neither client always runs first on a warmer (or busier) machine
                        boolean ceilingFirst = round % 2 == 1;
                        for (Drain.Kind kind : Drain.Kind.values()) {
                            int count = kind == Drain.Kind.POSITIONS ? options.positions() : options.trades();
                            if (count == 0) {
                                continue;
                            }
                            List<String> order = ceilingFirst ? List.of("ceiling", "worker") : List.of("worker", "ceiling");
                            for (String who : order) {
                                Drain.Launcher l = who.equals("worker") ? launchers::worker : launchers::ceiling;
                                report.drain(drain.run(who, l, kind, count, round));
                            }
                        }
                    }
                }
                if (options.latency()) {
                    Latency latency = new Latency(client, redis, server.pid());
                    report.latency(latency.run("latency", launchers::worker, options.rate(), options.warmupSeconds(),
                            options.latencySeconds()));
                    if (options.soakSeconds() > 0) {
                        report.soak(latency.run("soak", launchers::worker, options.rate(), options.warmupSeconds(),
                                options.soakSeconds()));
                    }
                }
            } finally {
                client.shutdown();
            }
        }
        report.print(System.out);
        if (options.jsonOut() != null) {
            Files.writeString(options.jsonOut(), report.json() + "\n");
        }
        return 0;
    }

    /** How the two clients are started: same JVM flags, same Redis, same batch size. */
    private record Launchers(Options options, String redisUrl, Path logDir) {
        JavaChild worker(String consumer) throws Exception {
            List<String> flags = new ArrayList<>(options.jvmFlags());
            flags.addAll(options.profileFlags(consumer));
            return JavaChild.start(consumer, flags, List.of("-jar", options.workerJar().toString(), "run"),
                    Map.of("REDIS_URL", redisUrl, "HEALTH_PORT", "0", "EXITBRAIN_CONSUMER", consumer,
                            "EXITBRAIN_BATCH_SIZE", Integer.toString(options.batchSize())), logDir);
        }

        JavaChild ceiling(String consumer) throws Exception {
            String self = Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            List<String> flags = new ArrayList<>(options.jvmFlags());
            flags.addAll(options.profileFlags(consumer));
            return JavaChild.start(consumer, flags, List.of("-cp", self, Bench.class.getName(), "ceiling",
                    redisUrl, options.workerJar().toString(), Integer.toString(options.batchSize()), consumer),
                    Map.of(), logDir);
        }
    }
}
