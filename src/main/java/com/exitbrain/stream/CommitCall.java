package com.exitbrain.stream;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The arguments of one {@code commit.lua} call, built entry by entry: every key goes once into
 * KEYS and is named by its index (so all keys of the call are declared, as Redis Cluster needs),
 * and field lists are a count followed by the pairs. See the script's header for the layout.
 */
final class CommitCall {
    private final Map<String, String> keyIndex = new HashMap<>();
    private final List<String> keys = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private int entries;

    CommitCall(String group, String outputMaxLen, String deadLetterMaxLen) {
        args.add(group);
        args.add(outputMaxLen);
        args.add(deadLetterMaxLen);
    }

    /** Starts an entry's record: its op, input stream and id. */
    CommitCall entry(char op, String input, String id) {
        entries++;
        args.add(String.valueOf(op));
        key(input);
        args.add(id);
        return this;
    }

    /** Appends the index of a key, adding it to KEYS the first time; null is "0", no key. */
    CommitCall key(String key) {
        if (key == null) {
            args.add("0");
            return this;
        }
        String index = keyIndex.get(key);
        if (index == null) {
            keys.add(key);
            index = Integer.toString(keys.size());
            keyIndex.put(key, index);
        }
        args.add(index);
        return this;
    }

    CommitCall arg(String value) {
        args.add(value);
        return this;
    }

    CommitCall fields(Map<String, String> fields) {
        args.add(Integer.toString(fields.size()));
        for (Map.Entry<String, String> f : fields.entrySet()) {
            args.add(f.getKey());
            args.add(f.getValue());
        }
        return this;
    }

    int entries() {
        return entries;
    }

    String[] keys() {
        return keys.toArray(String[]::new);
    }

    String[] args() {
        return args.toArray(String[]::new);
    }
}
