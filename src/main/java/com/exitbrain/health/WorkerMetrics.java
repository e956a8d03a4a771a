package com.exitbrain.health;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The worker's Prometheus metrics (served on {@code GET /metrics}). */
public final class WorkerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Counter>> events = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> pending = new ConcurrentHashMap<>();
    private final Timer batchTimer = Timer.builder("exitbrain.batch.duration")
            .description("Time to process one batch of input entries").publishPercentiles(0.5, 0.99)
            .register(registry);
    private final Counter reconnects = Counter.builder("exitbrain.redis.errors")
            .description("Redis failures that made the worker back off and reconnect").register(registry);

    /** Counts one handled input entry; outcome is published, recorded, duplicate, dead_letter, skipped or failed. */
    public void event(String type, String outcome) {
        // by type, then outcome: no key string made per event
        events.computeIfAbsent(type, t -> new ConcurrentHashMap<>())
                .computeIfAbsent(outcome, o -> Counter.builder("exitbrain.events")
                        .description("Input entries handled, by type and outcome")
                        .tag("type", type).tag("outcome", outcome).register(registry)).increment();
    }

    public void deadLetter(String error) {
        counters.computeIfAbsent("dlq/" + error, k -> Counter.builder("exitbrain.dead.letters")
                .description("Entries sent to the dead-letter stream, by error code")
                .tag("error", error).register(registry)).increment();
    }

    public void batch(long nanos) {
        batchTimer.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void redisError() {
        reconnects.increment();
    }

    public void conflict() {
        counters.computeIfAbsent("conflict", k -> Counter.builder("exitbrain.pnl.conflicts")
                .description("Trade recordings retried because another worker recorded first")
                .register(registry)).increment();
    }

    /** A stop moved by a fill (SPEC §9), by its new reason: breakeven or tp1. */
    public void stopMoved(String reason) {
        counters.computeIfAbsent("stop/" + reason, k -> Counter.builder("exitbrain.plan.stop.moves")
                .description("Stops moved by take-profit fills, by reason").tag("reason", reason)
                .register(registry)).increment();
    }

    /** A plan closed by a fill; {@code recorded}: its trade was recorded in the PnL window. */
    public void planClosed(boolean recorded) {
        counters.computeIfAbsent("closed/" + recorded, k -> Counter.builder("exitbrain.plan.closed")
                .description("Plans closed by a fill, by whether the closed trade was recorded now")
                .tag("trade_recorded", Boolean.toString(recorded)).register(registry)).increment();
    }

    public void pending(String stream, long value) {
        pending.computeIfAbsent(stream, s -> {
            AtomicLong holder = new AtomicLong();
            Gauge.builder("exitbrain.pending", holder, AtomicLong::get)
                    .description("Entries delivered but not acknowledged, per input stream (as of the last health check)")
                    .tag("stream", s).register(registry);
            return holder;
        }).set(value);
    }

    public String scrape() {
        return registry.scrape();
    }
}
