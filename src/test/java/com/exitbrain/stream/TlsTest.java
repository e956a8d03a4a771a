package com.exitbrain.stream;

import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.WorkerHarness;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code rediss://} with an ACL user and password: TLS through REDIS_URL (SPEC §6). */
class TlsTest {

    @Test
    void workerConsumesOverTlsWithAclUser() throws Exception {
        Path dir = Files.createTempDirectory("exitbrain-tls");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(),
                "-days", "1", "-subj", "/CN=127.0.0.1").redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        assertTrue(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0,
                "openssl is needed for this test (.ci/run installs it): " + Files.readString(dir.resolve("openssl.log")));
        int port = RedisProcess.freePort();
        Process redis = new ProcessBuilder(RedisProcess.binary(), "--port", "0", "--tls-port", Integer.toString(port),
                "--bind", "127.0.0.1", "--tls-cert-file", dir.resolve("cert.pem").toString(),
                "--tls-key-file", dir.resolve("key.pem").toString(), "--tls-auth-clients", "no",
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        try {
            RedisURI admin = RedisURI.builder().withHost("127.0.0.1").withPort(port).withSsl(true)
                    .withVerifyPeer(SslVerifyMode.NONE).build();
            RedisClient client = RedisClient.create(admin);
            StatefulRedisConnection<String, String> connection = connect(client, redis, dir);
            var sync = connection.sync();
            sync.aclSetuser("worker", io.lettuce.core.AclSetuserArgs.Builder.on().addPassword("tls-pw").allKeys()
                    .allCommands());
            String url = "rediss://worker:tls-pw@127.0.0.1:" + port + "?verifyPeer=NONE";
            Map<String, String> env = WorkerHarness.env(url);
            try (Daemon worker = new Daemon(WorkerHarness.settings(env)).start()) {
                String id = sync.xadd(POSITIONS, Map.of("symbol", "BTCUSDT", "leverage", "10"));
                await().atMost(Duration.ofSeconds(30)).until(() -> sync.xlen(LEVELS) == 1);
                assertEquals(id, sync.xrange(LEVELS, io.lettuce.core.Range.create("-", "+")).get(0).getBody().get("source_id"));
                List<Object> clients = List.of(sync.clientList().split("\n"));
                assertTrue(clients.stream().anyMatch(c -> c.toString().contains("user=worker")), "worker connected as its ACL user");
            }
            connection.close();
            client.shutdown();
        } finally {
            redis.destroyForcibly();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static StatefulRedisConnection<String, String> connect(RedisClient client, Process redis, Path dir)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                return client.connect();
            } catch (RuntimeException e) {
                if (!redis.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("TLS redis-server did not start: "
                            + Files.readString(dir.resolve("redis.log")), e);
                }
                Thread.sleep(100);
            }
        }
    }
}
