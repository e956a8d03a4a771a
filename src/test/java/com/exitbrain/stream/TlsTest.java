package com.exitbrain.stream;

import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.app.Daemon;
import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.Streams;
import com.exitbrain.testing.WorkerHarness;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code rediss://} with an ACL user and password: TLS through REDIS_URL (SPEC §6). */
class TlsTest {

    @Test
    void workerConsumesOverTlsWithAclUser() {
        try (RedisProcess server = RedisProcess.startTls(); Streams admin = new Streams(server)) {
            admin.redis.aclSetuser("worker", io.lettuce.core.AclSetuserArgs.Builder.on().addPassword("tls-pw").allKeys()
                    .allCommands());
            String url = "rediss://worker:tls-pw@127.0.0.1:" + server.port() + "?verifyPeer=NONE";
            try (Daemon worker = WorkerHarness.start(server, "REDIS_URL", url)) {
                String id = admin.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "10");
                await().atMost(Duration.ofSeconds(30)).until(() -> admin.length(LEVELS) == 1);
                assertEquals(id, admin.entries(LEVELS).get(0).get("source_id"));
                List<String> clients = List.of(admin.redis.clientList().split("\n"));
                assertTrue(clients.stream().anyMatch(c -> c.contains("user=worker")), "worker connected as its ACL user");
            }
        }
    }
}
