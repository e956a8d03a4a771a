package com.exitbrain.stream;

import com.exitbrain.redis.RespWriter;
import com.exitbrain.redis.Script;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The arguments of one {@code commit.lua} call, built entry by entry: every key goes once into
 * KEYS and is named by its index (so all keys of the call are declared, as Redis Cluster needs),
 * and a field list is its shape (its names, sent once per call) and its values. See the script's
 * header for the layout. Keys and arguments are written as RESP as they come ({@link RespWriter}).
 */
final class CommitCall {
    /** A levels entry's record is some 48 arguments and 700 bytes. */
    private static final int BYTES_PER_ENTRY = 768;
    private static final int CHUNK_HINT = 128;

    private final String group;
    private final String outputMaxLen;
    private final String deadLetterMaxLen;
    private final Map<String, Integer> keyIndex = new HashMap<>();
    private final RespWriter keys;
    private String firstKey;
    private final RespWriter args;
    /** Shapes by the hash of their names; a hash can stand for several (compared name by name). */
    private final Map<Integer, List<Integer>> shapesByHash = new HashMap<>();
    private final List<List<String>> shapes = new ArrayList<>();
    private final RespWriter shapeArgs = new RespWriter(1024);
    /** The index of the shape of the last field list, -1 for none yet. */
    private int lastShape = -1;
    /** Each entry's op, in order. */
    private final StringBuilder ops = new StringBuilder(CHUNK_HINT);
    private int entries;

    /** Where a call stands: {@link #rollback} to it drops what was added after. */
    record Mark(int position, int count, int entries) {
    }

    /** @param entries how many entries the call is expected to hold: sizes its buffers */
    CommitCall(String group, String outputMaxLen, String deadLetterMaxLen, int entries) {
        this.group = group;
        this.outputMaxLen = outputMaxLen;
        this.deadLetterMaxLen = deadLetterMaxLen;
        this.keys = new RespWriter(64 + entries * 40);
        this.args = new RespWriter(256 + entries * BYTES_PER_ENTRY);
    }

    /** Empties the call for reuse, keeping its buffers. */
    void reset() {
        keyIndex.clear();
        keys.truncate(0, 0);
        firstKey = null;
        args.truncate(0, 0);
        shapesByHash.clear();
        shapes.clear();
        lastShape = -1;
        shapeArgs.truncate(0, 0);
        ops.setLength(0);
        entries = 0;
    }

    /** Starts an entry's record: its op, input stream and id. */
    CommitCall entry(char op, String input, String id) {
        entries++;
        ops.append(op);
        args.bulk(String.valueOf(op));
        key(input);
        args.bulk(id);
        return this;
    }

    /** Appends the index of a key, adding it to KEYS the first time; null is "0", no key. */
    CommitCall key(String key) {
        if (key == null) {
            args.bulk(0);
            return this;
        }
        Integer index = keyIndex.get(key);
        if (index == null) {
            keys.bulk(key);
            if (firstKey == null) {
                firstKey = key;
            }
            index = keyIndex.size() + 1;
            keyIndex.put(key, index);
        }
        args.bulk(index);
        return this;
    }

    CommitCall arg(String value) {
        args.bulk(value);
        return this;
    }

    CommitCall fields(Map<String, String> fields) {
        args.bulk(shape(fields));
        for (String value : fields.values()) {
            args.bulk(value);
        }
        return this;
    }

    /** The 1-based index of the shape of these fields' names, added to the call the first time. */
    private int shape(Map<String, String> fields) {
        // entries of one kind follow each other: most often the shape is the last one's
        if (lastShape >= 0 && sameNames(shapes.get(lastShape), fields)) {
            return lastShape + 1;
        }
        lastShape = findShape(fields);
        return lastShape + 1;
    }

    /** The 0-based index of the shape of these names, added to the call when new. */
    private int findShape(Map<String, String> fields) {
        int hash = fields.size();
        for (String name : fields.keySet()) {
            hash = 31 * hash + name.hashCode();
        }
        List<Integer> candidates = shapesByHash.computeIfAbsent(hash, h -> new ArrayList<>(1));
        for (int index : candidates) {
            if (sameNames(shapes.get(index), fields)) {
                return index;
            }
        }
        List<String> names = List.copyOf(fields.keySet());
        shapes.add(names);
        candidates.add(shapes.size() - 1);
        shapeArgs.bulk(names.size());
        names.forEach(shapeArgs::bulk);
        return shapes.size() - 1;
    }

    private static boolean sameNames(List<String> shape, Map<String, String> fields) {
        if (shape.size() != fields.size()) {
            return false;
        }
        int i = 0;
        for (String name : fields.keySet()) {
            if (!name.equals(shape.get(i++))) {
                return false;
            }
        }
        return true;
    }

    int entries() {
        return entries;
    }

    /** The op of each entry, in order. */
    CharSequence ops() {
        return ops;
    }

    Mark mark() {
        return new Mark(args.position(), args.count(), entries);
    }

    /**
     * Drops what was added since {@code mark} (the record of one entry, and that entry). Keys and shapes
     * it added stay: unused ones are harmless.
     */
    void rollback(Mark mark) {
        args.truncate(mark.position(), mark.count());
        entries = mark.entries();
        ops.setLength(entries);
    }

    /** Sends the call (queued on the connection, flushed by the caller); may be sent again, unchanged. */
    <T> RedisFuture<T> send(Script commit, RedisClusterAsyncCommands<String, String> redis) {
        return commit.call(redis, firstKey, keys.count(), parts());
    }

    /** Writes the call's keys and arguments as they would go to Redis (a rehearsal); returns the bytes written. */
    int writeTo(ByteBuf target) {
        int before = target.writerIndex();
        parts().forEach(p -> p.writeTo(target));
        return target.writerIndex() - before;
    }

    private List<RespWriter> parts() {
        RespWriter head = new RespWriter(128).bulk(group).bulk(outputMaxLen).bulk(deadLetterMaxLen).bulk(shapes.size());
        return List.of(keys, head, shapeArgs, args);
    }
}
