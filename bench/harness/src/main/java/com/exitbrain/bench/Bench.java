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
 * against the Redis floor for the same effects ({@link Floor}) and against the worker's per-entry
 * script mix ({@link ScriptMix}) on the same private Redis in the same run, so that the machine's
 * noise (two shared cores) hits all sides alike. Prints one table and one JSON line on stdout.
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("floor")) {
            Floor.run(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("cluster")) {
            System.exit(ClusterBench.run(Arrays.copyOfRange(args, 1, args.length)));
            return;
        }
        if (args.length > 0 && args[0].equals("script-mix")) {
            ScriptMix.run(Arrays.copyOfRange(args, 1, args.length));
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
                Launchers launchers = new Launchers(options, server.url(), workDir, LevelsEntry.write(options, workDir));
                if (options.drain()) {
                    Drain drain = new Drain(redis, server.pid());
                    Map<String, Drain.Launcher> clients = Map.of(Report.WORKER, launchers::worker,
                            Report.FLOOR, launchers::floor, Report.SCRIPT_MIX, launchers::scriptMix);
                    List<String> order = List.of(Report.FLOOR, Report.WORKER, Report.SCRIPT_MIX);
                    List<String> reversed = new ArrayList<>(order);
                    java.util.Collections.reverse(reversed);
                    for (int round = 1; round <= options.rounds(); round++) {
                        for (Drain.Kind kind : Drain.Kind.values()) {
                            int count = switch (kind) {
                                case POSITIONS -> options.positions();
                                case TRADES -> options.trades();
                                case FILLS -> options.fills();
                            };
                            if (count == 0) {
                                continue;
                            }
                            // the worker runs right after the floor, its reference; the order turns each
                            // round, so that no client always runs first on a warmer (or busier) machine
                            List<String> roundOrder = round % 2 == 1 ? order : reversed;
                            for (String who : roundOrder) {
                                if (kind == Drain.Kind.FILLS && who.equals(Report.SCRIPT_MIX)) {
                                    continue; // the former design had no fills
                                }
                                report.drain(drain.run(who, clients.get(who), kind, count, round));
                            }
                        }
                    }
                }
                if (options.latency() && options.coldStartSeconds() > 0) {
                    report.coldStart(new ColdStart(client, redis).run(launchers::workerOnPort, options.rate(),
                            options.coldStartSeconds(), options.coldStartUnderLoad()));
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

    /** How the clients are started: same JVM flags, same Redis, same batch size (the floor: COUNT 500). */
    private record Launchers(Options options, String redisUrl, Path logDir, Path levelsEntry) {
        JavaChild worker(String consumer) throws Exception {
            return workerOnPort(consumer, 0);
        }

        JavaChild workerOnPort(String consumer, int healthPort) throws Exception {
            List<String> flags = new ArrayList<>(options.jvmFlags());
            flags.addAll(options.profileFlags(consumer));
            return JavaChild.start(consumer, flags, List.of("-jar", options.workerJar().toString(), "run"),
                    Map.of("REDIS_URL", redisUrl, "HEALTH_PORT", Integer.toString(healthPort), "EXITBRAIN_CONSUMER",
                            consumer, "EXITBRAIN_BATCH_SIZE", Integer.toString(options.batchSize())), logDir);
        }

        JavaChild scriptMix(String consumer) throws Exception {
            return harness(consumer, "script-mix", options.workerJar().toString(), Integer.toString(options.batchSize()));
        }

        JavaChild floor(String consumer) throws Exception {
            return harness(consumer, "floor", levelsEntry.toString(), Integer.toString(Floor.COUNT));
        }

        private JavaChild harness(String consumer, String command, String input, String count) throws Exception {
            String self = Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            List<String> flags = new ArrayList<>(options.jvmFlags());
            flags.addAll(options.profileFlags(consumer));
            return JavaChild.start(consumer, flags, List.of("-cp", self, Bench.class.getName(), command,
                    redisUrl, input, count, consumer), Map.of(), logDir);
        }
    }
}
