package com.exitbrain.stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One warning per dead letter, at most one line every few seconds plus a count of the rest. */
final class DeadLetterLog {
    private static final Logger log = LoggerFactory.getLogger("com.exitbrain.deadletters");
    private static final long INTERVAL_NANOS = 5_000_000_000L;

    private long lastLogged = System.nanoTime() - INTERVAL_NANOS;
    private long suppressed;

    void warn(Inbound in, String code, String reason) {
        long now = System.nanoTime();
        if (now - lastLogged < INTERVAL_NANOS) {
            suppressed++;
            return;
        }
        String more = suppressed == 0 ? "" : " (" + suppressed + " more dead letters since the last line)";
        log.warn("dead letter: {} {} {}: {}{}", in.stream(), in.id(), code, reason, more);
        lastLogged = now;
        suppressed = 0;
    }
}
