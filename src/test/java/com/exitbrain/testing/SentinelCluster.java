package com.exitbrain.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A primary, a replica ({@code --replicaof}) and three sentinels ({@code redis-server <conf> --sentinel})
 * on loopback, each a private process on a free port with a directory of its own. The sentinels
 * monitor master {@link #MASTER} with quorum 2, {@code down-after-milliseconds 1000} and
 * {@code failover-timeout 5000}; {@link #start} returns once they know the replica and each other,
 * so that a failover can begin as soon as the primary dies.
 */
public final class SentinelCluster implements AutoCloseable {
    public static final String MASTER = "m";

    private final RedisProcess primary;
    private final RedisProcess replica;
    private final List<Process> sentinels = new ArrayList<>();
    private final List<Integer> sentinelPorts = new ArrayList<>();
    private final List<Path> sentinelDirs = new ArrayList<>();
    private final RedisClient client = RedisClient.create();
    private final String dataPassword;
    private final String sentinelPassword;

    private SentinelCluster(RedisProcess primary, RedisProcess replica, String dataPassword, String sentinelPassword) {
        this.primary = primary;
        this.replica = replica;
        this.dataPassword = dataPassword;
        this.sentinelPassword = sentinelPassword;
    }

    public static SentinelCluster start() {
        return start(null, null);
    }

    /**
     * With passwords: the data nodes require {@code dataPassword} (and the replica and the sentinels
     * use it towards them), the sentinels require {@code sentinelPassword} of their clients and of
     * each other.
     */
    public static SentinelCluster start(String dataPassword, String sentinelPassword) {
        List<String> auth = dataPassword == null ? List.of()
                : List.of("--requirepass", dataPassword, "--masterauth", dataPassword);
        List<String> primaryArgs = new ArrayList<>(List.of("--repl-diskless-sync", "no"));
        primaryArgs.addAll(auth);
        RedisProcess primary = RedisProcess.start(false, primaryArgs.toArray(String[]::new));
        RedisProcess replica = null;
        SentinelCluster cluster = null;
        try {
            List<String> replicaArgs = new ArrayList<>(List.of("--replicaof", "127.0.0.1",
                    Integer.toString(primary.port())));
            replicaArgs.addAll(auth);
            replica = RedisProcess.start(false, replicaArgs.toArray(String[]::new));
            cluster = new SentinelCluster(primary, replica, dataPassword, sentinelPassword);
            cluster.awaitReplicaInSync();
            for (int i = 0; i < 3; i++) {
                cluster.startSentinel();
            }
            cluster.awaitSentinelsAgree();
            return cluster;
        } catch (IOException | RuntimeException e) {
            if (cluster != null) {
                cluster.close();
            } else {
                primary.close();
                if (replica != null) {
                    replica.close();
                }
            }
            throw new IllegalStateException("cannot start the Sentinel test cluster: " + e.getMessage(), e);
        }
    }

    public RedisProcess primary() {
        return primary;
    }

    public RedisProcess replica() {
        return replica;
    }

    /** Lettuce's form: {@code redis-sentinel://[:dataPassword@]127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3#m}. */
    public String url() {
        return "redis-sentinel://" + (dataPassword == null ? "" : ":" + dataPassword + "@") + sentinelPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","))
                + "#" + MASTER;
    }

    /** A {@code redis://} URL of one data node, with the password when there is one. */
    public String url(RedisProcess node) {
        return "redis://" + (dataPassword == null ? "" : ":" + dataPassword + "@") + "127.0.0.1:" + node.port();
    }

    private RedisURI sentinelUri(int port) {
        RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(port).withTimeout(Duration.ofSeconds(1)).build();
        if (sentinelPassword != null) {
            uri.setAuthentication(sentinelPassword);
        }
        return uri;
    }

    private RedisURI nodeUri(RedisProcess node) {
        RedisURI uri = RedisURI.create(url(node));
        uri.setTimeout(Duration.ofSeconds(1));
        return uri;
    }

    /** The master's address as the first sentinel that answers tells it ({@code 127.0.0.1:port}), null if none. */
    public String masterAddress() {
        for (int port : sentinelPorts) {
            try (StatefulRedisSentinelConnection<String, String> s = client.connectSentinel(sentinelUri(port))) {
                SocketAddress address = s.sync().getMasterAddrByName(MASTER);
                if (address instanceof InetSocketAddress inet) {
                    return inet.getHostString() + ":" + inet.getPort();
                }
            } catch (RuntimeException sentinelDown) {
                // the next one
            }
        }
        return null;
    }

    /**
     * Makes every sentinel name {@code node} as the master, whatever its role (SENTINEL REMOVE, then
     * MONITOR), with a down-after of a minute so that they start no failover of their own: a
     * sentinel whose view is wrong, as one cut off during a failover has.
     */
    public void monitor(RedisProcess node) {
        for (int port : sentinelPorts) {
            try (StatefulRedisSentinelConnection<String, String> s = client.connectSentinel(sentinelUri(port))) {
                s.sync().remove(MASTER);
                s.sync().monitor(MASTER, "127.0.0.1", node.port(), 2);
                s.sync().set(MASTER, "down-after-milliseconds", "60000");
                if (dataPassword != null) {
                    s.sync().set(MASTER, "auth-pass", dataPassword);
                }
            }
        }
    }

    /** {@code ROLE}'s first word on {@code redis} (master, slave), null when it does not answer. */
    public String role(RedisProcess redis) {
        try (StatefulRedisConnection<String, String> c = client.connect(nodeUri(redis))) {
            return String.valueOf(c.sync().role().get(0));
        } catch (RuntimeException down) {
            return null;
        }
    }

    private void startSentinel() throws IOException {
        int port = RedisProcess.freePort();
        Path dir = Files.createTempDirectory("exitbrain-sentinel");
        Path conf = dir.resolve("sentinel.conf");
        List<String> auth = new ArrayList<>();
        if (dataPassword != null) {
            auth.add("sentinel auth-pass " + MASTER + " " + dataPassword);
        }
        if (sentinelPassword != null) {
            auth.add("requirepass " + sentinelPassword);
            auth.add("sentinel sentinel-pass " + sentinelPassword);
        }
        Files.writeString(conf, String.join("\n",
                "port " + port,
                "bind 127.0.0.1",
                "protected-mode no",
                "daemonize no",
                "dir " + dir,
                "sentinel monitor " + MASTER + " 127.0.0.1 " + primary.port() + " 2",
                "sentinel down-after-milliseconds " + MASTER + " 1000",
                "sentinel failover-timeout " + MASTER + " 5000",
                "sentinel parallel-syncs " + MASTER + " 1",
                "") + String.join("\n", auth) + "\n");
        Process p = new ProcessBuilder(RedisProcess.binary(), conf.toString(), "--sentinel").redirectErrorStream(true)
                .redirectOutput(dir.resolve("sentinel.log").toFile()).start();
        sentinels.add(p);
        sentinelPorts.add(port);
        sentinelDirs.add(dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("sentinel exited: " + Files.readString(dir.resolve("sentinel.log")));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.getOutputStream().write("PING\r\n".getBytes());
                byte[] buf = new byte[16];
                String reply = s.getInputStream().read(buf) > 0 ? new String(buf) : "";
                if (reply.startsWith("+PONG") || reply.startsWith("-NOAUTH")) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            sleep(50);
        }
        throw new IllegalStateException("sentinel on port " + port + " did not answer PING");
    }

    private void awaitReplicaInSync() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (StatefulRedisConnection<String, String> c = client.connect(nodeUri(replica))) {
                if (c.sync().info("replication").contains("master_link_status:up")) {
                    return;
                }
            }
            sleep(50);
        }
        throw new IllegalStateException("the replica never synchronised with the primary");
    }

    /** Every sentinel knows the replica and the two other sentinels: a failover can start at once. */
    private void awaitSentinelsAgree() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (int port : sentinelPorts) {
                try (StatefulRedisSentinelConnection<String, String> s = client.connectSentinel(sentinelUri(port))) {
                    Map<String, String> master = s.sync().master(MASTER);
                    all &= "1".equals(master.get("num-slaves")) && "2".equals(master.get("num-other-sentinels"));
                }
            }
            if (all) {
                return;
            }
            sleep(100);
        }
        throw new IllegalStateException("the sentinels never saw the replica and each other");
    }

    /** The sentinels' logs, for a failing test's message. */
    public String sentinelLogs() {
        StringBuilder out = new StringBuilder();
        for (Path dir : sentinelDirs) {
            try {
                out.append("--- ").append(dir).append('\n').append(Files.readString(dir.resolve("sentinel.log")));
            } catch (IOException e) {
                out.append(e).append('\n');
            }
        }
        return out.toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (Process p : sentinels) {
            p.destroyForcibly();
        }
        for (Process p : sentinels) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        replica.close();
        primary.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
}
