package com.exitbrain.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** SPEC §10, Sentinel: the URL form, the master name, the sentinels' own credentials, masking. */
class SentinelSettingsTest {
    private static Settings load(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("EXITBRAIN_CONFIG", "");
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return new SettingsLoader(env).load();
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis-sentinel://127.0.0.1:26379#m",
            "redis-sentinel://app:s3cret@s1:26379,s2:26380,s3:26381/2#mymaster",
            "rediss-sentinel://:s3cret@sentinel.example.com:26379#prod?verifyPeer=NONE",
            "redis-sentinel://s1,s2#m", "redis-sentinel://[::1]:26379#m"})
    void sentinelUrlsAreAccepted(String url) {
        assertEquals(url, load("REDIS_URL", url).redisUrl());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "redis-sentinel://s1:26379,s2:26380          | no master name",
        "redis-sentinel://app:s3cret@s1:26379#       | no master name",
        "redis-sentinel://s1:port,s2:26380#m         | not a usable",
        "redis-sentinel://:26379#m                   | not",
        "redis-sentinel://s1:26379,s2:99999#m        | not",
    })
    void sentinelUrlWithoutMasterOrUsableHostsIsAConfigurationError(String url, String why) {
        ConfigurationError e = assertThrows(ConfigurationError.class, () -> load("REDIS_URL", url));
        assertTrue(e.getMessage().contains("REDIS_URL"), e.getMessage());
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }

    @Test
    void sentinelPasswordIsMaskedInLogsAndHealth() {
        Settings s = load("REDIS_URL", "redis-sentinel://app:s3cret@s1:26379,s2:26380/1#m",
                "REDIS_SENTINEL_PASSWORD", "sentin3l");
        assertEquals("redis-sentinel://app:***@s1:26379,s2:26380/1#m", s.redisUrlMasked());
        String line = SettingsLoader.describe(s);
        assertFalse(line.contains("s3cret") || line.contains("sentin3l"), line);
        assertFalse(s.toString().contains("sentin3l"), "the record's own text hides it");
    }

    @Test
    void urlCredentialsAreTheDataNodesAndSentinelCredentialsTheSentinels() {
        Settings s = load("REDIS_URL", "redis-sentinel://app:s3cret@s1:26379,s2:26380#m",
                "REDIS_SENTINEL_USER", "watcher", "REDIS_SENTINEL_PASSWORD", "sentin3l");
        RedisURI uri = RedisURI.create(s.redisUrl());
        s.sentinel().applyTo(uri);
        RedisCredentials data = uri.getCredentialsProvider().resolveCredentials().block();
        assertEquals("app", data.getUsername());
        assertEquals("s3cret", new String(data.getPassword()));
        assertEquals(2, uri.getSentinels().size());
        for (RedisURI sentinel : uri.getSentinels()) {
            RedisCredentials own = sentinel.getCredentialsProvider().resolveCredentials().block();
            assertEquals("watcher", own.getUsername());
            assertEquals("sentin3l", new String(own.getPassword()));
        }
    }

    @Test
    void withoutSentinelCredentialsTheSentinelsGetNone() {
        Settings s = load("REDIS_URL", "redis-sentinel://app:s3cret@s1:26379#m");
        RedisURI uri = RedisURI.create(s.redisUrl());
        s.sentinel().applyTo(uri);
        RedisCredentials own = uri.getSentinels().get(0).getCredentialsProvider().resolveCredentials().block();
        assertTrue(own == null || !own.hasPassword(), "Lettuce gives the URL's password to the data nodes only");
        assertNull(s.sentinel().password());
    }

    @Test
    void sentinelCredentialsWithoutASentinelUrlAreRefused() {
        ConfigurationError e = assertThrows(ConfigurationError.class,
                () -> load("REDIS_URL", "redis://h:6379", "REDIS_SENTINEL_PASSWORD", "sentin3l"));
        assertTrue(e.getMessage().contains("REDIS_SENTINEL_PASSWORD"), e.getMessage());
        assertFalse(e.getMessage().contains("sentin3l"), e.getMessage());
    }

    @Test
    void sentinelUserWithoutPasswordIsRefused() {
        ConfigurationError e = assertThrows(ConfigurationError.class,
                () -> load("REDIS_URL", "redis-sentinel://s1:26379#m", "REDIS_SENTINEL_USER", "watcher"));
        assertTrue(e.getMessage().contains("REDIS_SENTINEL_USER"), e.getMessage());
        assertTrue(e.getMessage().contains("REDIS_SENTINEL_PASSWORD"), e.getMessage());
    }

    @Test
    void otherSchemesAreStillRefused() {
        ConfigurationError e = assertThrows(ConfigurationError.class, () -> load("REDIS_URL", "redis-cluster2://h:1"));
        assertTrue(e.getMessage().contains("redis-sentinel://"), e.getMessage());
    }
}
