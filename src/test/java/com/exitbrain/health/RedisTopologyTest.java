package com.exitbrain.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisReadOnlyException;
import org.junit.jupiter.api.Test;

/** SPEC §10: the role /health reports and the refusal that makes the worker look for the primary again. */
class RedisTopologyTest {
    @Test
    void roleOfAnInfoReplicationReply() {
        assertEquals("master", RedisTopology.role("# Replication\r\nrole:master\r\nconnected_slaves:1\r\n"));
        assertEquals("replica", RedisTopology.role("# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\n"));
        assertNull(RedisTopology.role("# Replication\r\n"));
    }

    @Test
    void readOnlyIsRecognisedWhereverLettuceWrapsIt() {
        assertTrue(RedisTopology.readOnly(new RedisReadOnlyException("READONLY You can't write against a read only replica.")));
        assertTrue(RedisTopology.readOnly(new RedisException("commit failed", new RedisCommandExecutionException(
                "ERR Error running script: READONLY You can't write against a read only replica."))));
        assertFalse(RedisTopology.readOnly(new RedisCommandExecutionException("NOSCRIPT No matching script")));
        assertFalse(RedisTopology.readOnly(new RedisException("Currently not connected. Commands are rejected.")));
    }
}
