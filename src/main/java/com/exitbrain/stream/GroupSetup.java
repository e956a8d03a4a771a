package com.exitbrain.stream;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

/** Creates the consumer groups (SPEC §4, §8): MKSTREAM, and an existing group is fine. */
final class GroupSetup {
    private GroupSetup() {
    }

    /** Creates the group at {@code startId} unless it exists; true when it was created. */
    static boolean ensure(RedisClusterCommands<String, String> redis, String stream, String group, String startId) {
        try {
            redis.xgroupCreate(StreamOffset.from(stream, startId), group, XGroupCreateArgs.Builder.mkstream(true));
            return true;
        } catch (RedisBusyException e) {
            return false;
        } catch (RedisCommandExecutionException e) {
            String message = String.valueOf(e.getMessage());
            if (message.startsWith("BUSYGROUP")) {
                return false;
            }
            if (message.startsWith("OOM")) {
                // Redis refuses XGROUP CREATE while out of memory even when the group exists; if it
                // does not, the read that follows fails with NOGROUP and this is tried again
                return false;
            }
            throw e;
        }
    }

    /**
     * Whether {@code stream} still holds the entry {@code id} that this worker read from it: if so,
     * it is the stream the worker was reading and a vanished group is recreated where the worker
     * was; if not, Redis lost its data (an empty restart, a restored snapshot) or the stream was
     * written anew, and none of its entries need be one the worker has seen. True when it cannot
     * tell (no id yet; an ACL of an earlier version without XRANGE): the old behaviour.
     */
    static boolean stillHolds(RedisClusterCommands<String, String> redis, String stream, String id) {
        if (id == null) {
            return true;
        }
        try {
            return !redis.xrange(stream, Range.create(id, id), Limit.from(1)).isEmpty();
        } catch (RedisCommandExecutionException e) {
            if (String.valueOf(e.getMessage()).startsWith("NOPERM")) {
                return true;
            }
            throw e;
        }
    }

    /** The id of the stream's first entry, for a log line; "none" when empty or unreadable. */
    static String firstId(RedisClusterCommands<String, String> redis, String stream) {
        try {
            var first = redis.xrange(stream, Range.create("-", "+"), Limit.from(1));
            return first.isEmpty() ? "none" : first.get(0).getId();
        } catch (RedisCommandExecutionException e) {
            return "unknown";
        }
    }

    static boolean isNoGroup(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (String.valueOf(c.getMessage()).startsWith("NOGROUP")) {
                return true;
            }
        }
        return false;
    }

    /** The stream id just before {@code id}: a group created there delivers {@code id} next. */
    static String predecessor(String id) {
        int dash = id.indexOf('-');
        long ms = Long.parseLong(dash < 0 ? id : id.substring(0, dash));
        long seq = dash < 0 ? 0 : Long.parseUnsignedLong(id.substring(dash + 1));
        if (seq > 0) {
            return ms + "-" + (seq - 1);
        }
        return ms == 0 ? "0-0" : (ms - 1) + "-" + Long.toUnsignedString(-1L);
    }

    /** Compares two stream ids numerically. */
    static int compare(String a, String b) {
        int da = a.indexOf('-');
        int db = b.indexOf('-');
        // parsed in place: the worker compares the ids of every entry of every batch
        int byMs = Long.compare(Long.parseLong(a, 0, da, 10), Long.parseLong(b, 0, db, 10));
        return byMs != 0 ? byMs : Long.compareUnsigned(Long.parseUnsignedLong(a, da + 1, a.length(), 10),
                Long.parseUnsignedLong(b, db + 1, b.length(), 10));
    }
}
