package com.exitbrain.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** SPEC §6: passwords never appear in logs or on the health port. */
class RedisUrlsTest {
    @Test
    void passwordIsReplacedAndUserKept() {
        assertEquals("redis://app:***@host:6379/0", RedisUrls.mask("redis://app:s3cret@host:6379/0"));
        assertEquals("rediss://app:***@host:6380", RedisUrls.mask("rediss://app:s3cret@host:6380"));
    }

    @Test
    void passwordWithoutUserIsReplaced() {
        assertEquals("redis://:***@host", RedisUrls.mask("redis://:s3cret@host"));
        // redis://secret@host: a lone user-info part is the password for Redis URLs
        assertEquals("redis://***@host", RedisUrls.mask("redis://s3cret@host"));
    }

    @Test
    void urlWithoutCredentialsIsUnchanged() {
        assertEquals("redis://127.0.0.1:6379", RedisUrls.mask("redis://127.0.0.1:6379"));
        assertEquals("redis://host:6379/0?timeout=5s", RedisUrls.mask("redis://host:6379/0?timeout=5s"));
    }

    @Test
    void passwordHoldingAnAtSignOrSlashIsHiddenWhole() {
        // Lettuce accepts redis://app:p@ss@host; masking up to the first @ used to print "ss@host"
        assertEquals("redis://app:***@host:6379", RedisUrls.mask("redis://app:p@ss@host:6379"));
        assertEquals("redis://app:***@host:6379", RedisUrls.mask("redis://app:p/ss@host:6379"));
    }

    @Test
    void passwordIsHiddenWhateverTheSchemeOrItsCase() {
        // refused URLs are printed in the start-up error, so these must be masked too
        assertEquals("REDIS://app:***@host", RedisUrls.mask("REDIS://app:s3cret@host"));
        assertEquals("http://app:***@host", RedisUrls.mask("http://app:s3cret@host"));
        assertEquals("app:***@host:6379", RedisUrls.mask("app:s3cret@host:6379"));
    }
}
