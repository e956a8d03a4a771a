package com.exitbrain.stream;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The arguments of one {@code commit.lua} call, built entry by entry: every key goes once into
 * KEYS and is named by its index (so all keys of the call are declared, as Redis Cluster needs),
 * and a field list is its shape (its names, sent once per call) and its values. See the script's
 * header for the layout.
 */
final class CommitCall {
    private final String[] head;
    private final Map<String, String> keyIndex = new HashMap<>();
    private final List<String> keys = new ArrayList<>();
    private final List<String> args;
    /** Shapes by the hash of their names; a hash can stand for several (compared name by name). */
    private final Map<Integer, List<Integer>> shapesByHash = new HashMap<>();
    private final List<List<String>> shapes = new ArrayList<>();
    private int shapeArgs;
    private int entries;

    /** @param entries how many entries the call is expected to hold: sizes its argument list */
    CommitCall(String group, String outputMaxLen, String deadLetterMaxLen, int entries) {
        head = new String[]{group, outputMaxLen, deadLetterMaxLen};
        // some 45 arguments a levels entry, fewer for the others
        args = new ArrayList<>(Math.max(16, entries * 48));
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
        args.add(shape(fields));
        args.addAll(fields.values());
        return this;
    }

    /** The 1-based index of the shape of these fields' names, added to the call the first time. */
    private String shape(Map<String, String> fields) {
        int hash = fields.size();
        for (String name : fields.keySet()) {
            hash = 31 * hash + name.hashCode();
        }
        List<Integer> candidates = shapesByHash.computeIfAbsent(hash, h -> new ArrayList<>(1));
        for (int index : candidates) {
            if (sameNames(shapes.get(index), fields)) {
                return Integer.toString(index + 1);
            }
        }
        shapes.add(List.copyOf(fields.keySet()));
        candidates.add(shapes.size() - 1);
        shapeArgs += 1 + fields.size();
        return Integer.toString(shapes.size());
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

    /** Where the call stands: {@link #rollback} to it drops an entry whose record could not be finished. */
    int mark() {
        return args.size();
    }

    /**
     * Drops what was added since {@code mark} (the record of one entry, and that entry). Keys and shapes
     * it added stay: unused ones are harmless.
     */
    void rollback(int mark, boolean entryStarted) {
        args.subList(mark, args.size()).clear();
        if (entryStarted) {
            entries--;
        }
    }

    String[] keys() {
        return keys.toArray(String[]::new);
    }

    String[] args() {
        String[] all = new String[head.length + 1 + shapeArgs + args.size()];
        int at = 0;
        for (String h : head) {
            all[at++] = h;
        }
        all[at++] = Integer.toString(shapes.size());
        for (List<String> shape : shapes) {
            all[at++] = Integer.toString(shape.size());
            for (String name : shape) {
                all[at++] = name;
            }
        }
        for (String a : args) {
            all[at++] = a;
        }
        return all;
    }
}
