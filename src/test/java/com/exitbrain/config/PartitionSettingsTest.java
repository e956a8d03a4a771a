package com.exitbrain.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisURI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** SPEC §10: cluster URLs, EXITBRAIN_PARTITIONS, the {p<i>} names and the routing function. */
class PartitionSettingsTest {
    private static final String CLUSTER = "redis-cluster://10.0.0.1:7000,10.0.0.2:7001";

    private static Settings load(String... keysAndValues) {
        Map<String, String> env = new HashMap<>();
        env.put("EXITBRAIN_CONFIG", "");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            env.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return new SettingsLoader(env).load();
    }

    private static String refusal(String... keysAndValues) {
        return assertThrows(ConfigurationError.class, () -> load(keysAndValues)).getMessage();
    }

    @Test
    void standaloneKeepsTheNamesOfSection3() {
        Settings s = load();
        assertFalse(s.cluster());
        assertEquals(1, s.partitions().size());
        assertEquals("quantum:stream:exitbrain.position_opened", s.partitions().get(0).streams().positionOpened());
        assertEquals("exitbrain", s.partitions().get(0).keyPrefix());
    }

    @Test
    void everyNameOfAClusterPartitionCarriesItsTag() {
        Settings s = load("REDIS_URL", CLUSTER, "EXITBRAIN_PARTITIONS", "4", "EXITBRAIN_PNL_SCOPE", "symbol");
        assertTrue(s.cluster());
        List<Settings> parts = s.partitions();
        assertEquals(4, parts.size());
        Settings p3 = parts.get(3);
        assertEquals("quantum:stream:exitbrain.position_opened{p3}", p3.streams().positionOpened());
        assertEquals("quantum:stream:exitbrain.trade_closed{p3}", p3.streams().tradeClosed());
        assertEquals("quantum:stream:exitbrain.fills{p3}", p3.streams().fills());
        assertEquals("quantum:stream:exitbrain.pnl{p3}", p3.streams().levels());
        assertEquals("quantum:stream:exitbrain.stats{p3}", p3.streams().stats());
        assertEquals("quantum:stream:exitbrain.plans{p3}", p3.streams().plans());
        assertEquals("quantum:stream:exitbrain.dlq{p3}", p3.streams().deadLetter());
        assertEquals("exitbrain{p3}", p3.keyPrefix());
        assertEquals(3, p3.partitioning().index());
        assertEquals(4, p3.partitioning().count());
        // one cluster, one partition: tagged all the same
        assertEquals("exitbrain{p0}", load("REDIS_URL", CLUSTER).partitions().get(0).keyPrefix());
    }

    @Test
    void routingIsZlibCrc32ModN() {
        // zlib.crc32(b"BTCUSDT") = 0xac8ea3c3 (Python's zlib)
        CRC32 crc = new CRC32();
        crc.update("BTCUSDT".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(0xac8ea3c3L, crc.getValue());
        for (int n = 1; n <= 16; n++) {
            assertEquals((int) (crc.getValue() % n), Partitioning.of("BTCUSDT", n));
        }
        assertEquals(0, Partitioning.of("BTCUSDT", 3));
        assertEquals(2, Partitioning.of("SOLUSDT", 3));
        assertEquals(1, Partitioning.of("XRPUSDT", 3));
        assertTrue(new Partitioning(3, 1, true).owns("XRPUSDT"));
        assertFalse(new Partitioning(3, 0, true).owns("XRPUSDT"));
    }

    @Test
    void morePartitionsThanOneNeedACluster() {
        String m = refusal("EXITBRAIN_PARTITIONS", "2", "EXITBRAIN_PNL_SCOPE", "symbol");
        assertTrue(m.contains("exitbrain.partitions (EXITBRAIN_PARTITIONS) = 2"), m);
        assertTrue(m.contains("Redis Cluster"), m);
        String sentinel = refusal("REDIS_URL", "redis-sentinel://127.0.0.1:26379#m", "EXITBRAIN_PARTITIONS", "2",
                "EXITBRAIN_PNL_SCOPE", "symbol");
        assertTrue(sentinel.contains("EXITBRAIN_PARTITIONS"), sentinel);
    }

    @Test
    void aGlobalScopeIsRefusedWithMorePartitionsNamingBothSettings() {
        String m = refusal("REDIS_URL", CLUSTER, "EXITBRAIN_PARTITIONS", "3");
        assertTrue(m.contains("EXITBRAIN_PNL_SCOPE") && m.contains("EXITBRAIN_PARTITIONS) = 3"), m);
        assertEquals(3, load("REDIS_URL", CLUSTER, "EXITBRAIN_PARTITIONS", "3", "EXITBRAIN_PNL_SCOPE", "symbol")
                .partitions().size());
    }

    @Test
    void partitionCountOutOfRangeIsRefused() {
        assertTrue(refusal("REDIS_URL", CLUSTER, "EXITBRAIN_PARTITIONS", "0").contains("EXITBRAIN_PARTITIONS"));
        assertTrue(refusal("REDIS_URL", CLUSTER, "EXITBRAIN_PARTITIONS", "two").contains("EXITBRAIN_PARTITIONS"));
        assertTrue(refusal("REDIS_URL", CLUSTER, "EXITBRAIN_PARTITIONS", "1025").contains("EXITBRAIN_PARTITIONS"));
    }

    @Test
    void configuredNamesHoldingBracesAreRefusedOnACluster() {
        String m = refusal("REDIS_URL", CLUSTER, "EXITBRAIN_KEY_PREFIX", "app{x}");
        assertTrue(m.contains("exitbrain.pnl.key-prefix (EXITBRAIN_KEY_PREFIX) = app{x}"), m);
        String s = refusal("REDIS_URL", CLUSTER, "EXITBRAIN_STREAM_LEVELS", "levels{1}");
        assertTrue(s.contains("EXITBRAIN_STREAM_LEVELS"), s);
        assertEquals("app{x}", load("EXITBRAIN_KEY_PREFIX", "app{x}").keyPrefix(), "standalone: any name");
    }

    @Test
    void clusterUrlsGiveOneSeedPerNodeWithTheUrlsCredentials() {
        List<RedisURI> seeds = RedisUrls.clusterSeeds("rediss-cluster://app:s3cret@10.0.0.1:7000,10.0.0.2:7001");
        assertEquals(2, seeds.size());
        assertEquals("10.0.0.2", seeds.get(1).getHost());
        assertEquals(7001, seeds.get(1).getPort());
        assertTrue(seeds.get(0).isSsl());
        io.lettuce.core.RedisCredentials credentials = seeds.get(1).getCredentialsProvider().resolveCredentials().block();
        assertEquals("app", credentials.getUsername());
        assertEquals("s3cret", new String(credentials.getPassword()));
        assertEquals(1, RedisUrls.clusterSeeds("redis-cluster://[::1]:7000/0").size());
    }

    @Test
    void badClusterUrlsStopStartUpWithTheUrlMasked() {
        for (String url : List.of("redis-cluster://", "redis-cluster://host", "redis-cluster://host:0",
                "redis-cluster://host:7000,", "redis-cluster://h:7000/3", "redis-cluster://u:s3cret@host:x")) {
            String m = refusal("REDIS_URL", url);
            assertTrue(m.startsWith("exitbrain.redis.url (REDIS_URL) = "), m);
            assertFalse(m.contains("s3cret"), m);
        }
    }
}
