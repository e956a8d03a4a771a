package com.exitbrain.config;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * SPEC §10: which partition a set of names belongs to, out of how many, and whether the names carry
 * the partition's hash tag. On Redis Cluster every name of partition {@code p} carries {@code {p<p>}}:
 * streams end in it, keys have it right after the key prefix, before any part taken from an event
 * (Redis hashes the first {@code {…}} of a name), so all keys of one script call share a slot.
 * Standalone and Sentinel keep the untagged names of §3, with one partition.
 *
 * @param count  N, {@code EXITBRAIN_PARTITIONS}
 * @param index  this view's partition, 0 ≤ index &lt; count
 * @param tagged whether names carry the tag (Redis Cluster)
 */
public record Partitioning(int count, int index, boolean tagged) {
    /** Standalone or Sentinel: one partition, the names of §3. */
    public static final Partitioning NONE = new Partitioning(1, 0, false);

    public Partitioning {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("partition " + index + " of " + count);
        }
    }

    /** This view's hash tag, {@code {p<index>}}. */
    public String tag() {
        return "{p" + index + "}";
    }

    /** A stream name of this partition: the tag at its end on a cluster. */
    public String stream(String name) {
        return tagged ? name + tag() : name;
    }

    /** The key prefix of this partition: the tag right after it on a cluster ({@code exitbrain{p3}}). */
    public String keyPrefix(String prefix) {
        return tagged ? prefix + tag() : prefix;
    }

    /** The same partitioning, seen from partition {@code p}. */
    public Partitioning at(int p) {
        return new Partitioning(count, p, tagged);
    }

    /** Whether an event of {@code symbol} belongs here. */
    public boolean owns(String symbol) {
        return count == 1 || of(symbol, count) == index;
    }

    /** SPEC §10's routing: {@code crc32(utf-8 bytes of symbol) mod count} (zlib's CRC-32). */
    public static int of(String symbol, int count) {
        CRC32 crc = new CRC32();
        crc.update(symbol.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % count);
    }
}
