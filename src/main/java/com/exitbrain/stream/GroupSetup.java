package com.exitbrain.stream;

import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.sync.RedisCommands;

/** Creates the consumer groups (SPEC §4, §8): MKSTREAM, and an existing group is fine. */
final class GroupSetup {
    private GroupSetup() {
    }

    /** Creates the group at {@code startId} unless it exists; true when it was created. */
    static boolean ensure(RedisCommands<String, String> redis, String stream, String group, String startId) {
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
