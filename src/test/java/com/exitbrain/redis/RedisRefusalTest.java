package com.exitbrain.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisConnectionException;
import org.junit.jupiter.api.Test;

/** Refusals that stop start-up (exit 78), as Lettuce reports them for one Redis and for a cluster. */
class RedisRefusalTest {
    @Test
    void aClusterClientsPerSeedAnswerIsFound() {
        // the message of RedisClusterClient when no seed gives its partitions: one line per seed
        RedisConnectionException e = new RedisConnectionException("Unable to establish a connection to Redis Cluster",
                new RuntimeException("Cannot retrieve cluster partitions from [redis://u:**@127.0.0.1:7101]\n\n"
                        + "[redis://u:**@127.0.0.1:7101]: NOPERM this user has no permissions to run the 'cluster|nodes' command"));
        RedisRefusal refusal = RedisRefusal.in(e);
        assertEquals("NOPERM this user has no permissions to run the 'cluster|nodes' command", refusal.reply());
        String text = refusal.describe("redis-cluster://u:***@127.0.0.1:7101");
        assertTrue(text.contains("may not run CLUSTER|NODES") && text.endsWith("see deploy/redis-acl-cluster.conf"), text);
        assertTrue(new RedisRefusal("NOPERM this user has no permissions to run the 'xack' command")
                .describe("redis://u:***@h:6379").endsWith("see deploy/redis-acl.conf"));
    }

    @Test
    void aSuppressedRefusalIsFoundAndOtherFailuresAreNot() {
        RuntimeException outer = new RuntimeException("Unable to connect");
        outer.addSuppressed(new RuntimeException("WRONGPASS invalid username-password pair or user is disabled."));
        assertTrue(RedisRefusal.in(outer).reply().startsWith("WRONGPASS"));
        assertNull(RedisRefusal.in(new RuntimeException("Connection refused: /127.0.0.1:7101")));
    }
}
