package com.exitbrain.redis;

/**
 * The one retry delay of the worker: doubling from a first delay up to a ceiling, back to the
 * first after a success. Used for reconnecting, for the consumer loop after a Redis failure, and
 * (with jitter) between rounds of entries that lost a race to another worker.
 */
public final class Backoff {
    private final long firstMs;
    private final long maxMs;
    private long nextMs;

    public Backoff(long firstMs, long maxMs) {
        if (firstMs <= 0 || maxMs < firstMs) {
            throw new IllegalArgumentException("backoff " + firstMs + ".." + maxMs + " ms");
        }
        this.firstMs = firstMs;
        this.maxMs = maxMs;
        this.nextMs = firstMs;
    }

    /** The delay to wait now; the one after it is twice as long, up to the ceiling. */
    public long next() {
        long now = nextMs;
        nextMs = Math.min(maxMs, nextMs * 2);
        return now;
    }

    /** A random delay in [first, next()]: workers that collided do not retry in step. */
    public long nextJittered() {
        long upper = next();
        return upper <= firstMs ? firstMs : java.util.concurrent.ThreadLocalRandom.current().nextLong(firstMs, upper + 1);
    }

    public void reset() {
        nextMs = firstMs;
    }
}
