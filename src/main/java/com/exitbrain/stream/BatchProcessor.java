package com.exitbrain.stream;

import com.exitbrain.config.Settings;
import com.exitbrain.engine.ErrorCode;
import com.exitbrain.engine.InvalidInputException;
import com.exitbrain.engine.LevelEngine;
import com.exitbrain.engine.LevelSet;
import com.exitbrain.health.WorkerMetrics;
import com.exitbrain.pnl.PnlKeys;
import io.lettuce.core.RedisFuture;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a batch of input entries into their effects: levels for positions, recorded trades,
 * dead letters for refused entries. Each effect is one script call that also acks its entry
 * (SPEC §4); the calls of a batch are pipelined.
 */
final class BatchProcessor {
    private static final Logger log = LoggerFactory.getLogger(BatchProcessor.class);

    private final Settings settings;
    private final Pipeline pipeline;
    private final LevelEngine engine;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final PnlKeys keys;
    private final Script publish;
    private final TradeRecorder trades;
    private final DeadLetterLog deadLetterLog = new DeadLetterLog();

    BatchProcessor(Settings settings, Pipeline pipeline, WorkerMetrics metrics, Clock clock,
                   Script publish, Script recordTrade) {
        this.settings = settings;
        this.pipeline = pipeline;
        this.engine = new LevelEngine(settings.tuning());
        this.metrics = metrics;
        this.clock = clock;
        this.keys = new PnlKeys(settings.keyPrefix());
        this.publish = publish;
        this.trades = new TradeRecorder(settings, pipeline, metrics, clock, recordTrade, keys);
    }

    private record Position(Inbound in, PositionOpened event) {
    }

    /** A call to the publish script: one output entry for one input entry. */
    private record Publication(Inbound in, String output, Map<String, String> fields, String outcome) {
    }

    void process(List<Inbound> batch) {
        List<Position> positions = new ArrayList<>();
        List<TradeRecorder.Trade> closed = new ArrayList<>();
        List<Publication> publications = new ArrayList<>();
        List<Inbound> vanished = new ArrayList<>();
        for (Inbound in : batch) {
            if (in.body() == null) {
                vanished.add(in);
                continue;
            }
            if (in.deliveries() > settings.maxDeliveries()) {
                publications.add(deadLetter(in, ErrorCode.MAX_DELIVERIES, "delivered " + in.deliveries()
                        + " times, more than max-deliveries (" + settings.maxDeliveries() + ")."));
                continue;
            }
            try {
                EventFields fields = EventFields.of(in.body(), settings.maxEntryBytes());
                if (in.kind() == InputKind.POSITION_OPENED) {
                    positions.add(new Position(in, PositionOpened.parse(fields, in.id(), settings)));
                } else {
                    closed.add(new TradeRecorder.Trade(in, TradeClosed.parse(fields, in.id(), settings)));
                }
            } catch (InvalidInputException e) {
                publications.add(deadLetter(in, e.code(), e.reason()));
            } catch (RuntimeException e) {
                // A bug, not bad input: the entry stays pending; redelivery and max-deliveries decide.
                log.error("reading {} {} failed; left pending", in.stream(), in.id(), e);
                metrics.event(in.kind().metricTag, "failed");
            }
        }
        trades.record(closed);
        levels(positions, publications);
        publishAll(publications);
        ackVanished(vanished);
    }

    private void levels(List<Position> positions, List<Publication> publications) {
        if (positions.isEmpty()) {
            return;
        }
        Map<String, Double> averages = averagePnl(positions);
        long now = clock.instant().getEpochSecond();
        for (Position p : positions) {
            try {
                LevelSet set = engine.compute(p.event().request(averages.get(settings.pnlScopeOf(p.event().symbol()))));
                publications.add(new Publication(p.in(), settings.streams().levels(),
                        LevelsRecord.fields(set, p.event().context(p.in().id()), now), "published"));
            } catch (InvalidInputException e) {
                publications.add(deadLetter(p.in(), e.code(), e.reason()));
            } catch (RuntimeException e) {
                // A bug, not bad input: leave the entry pending; redelivery and max-deliveries decide.
                log.error("computing levels for {} {} failed; left pending", p.in().stream(), p.in().id(), e);
                metrics.event(InputKind.POSITION_OPENED.metricTag, "failed");
            }
        }
    }

    /** The rolling average PnL of every scope the positions need, read in one round trip. */
    private Map<String, Double> averagePnl(List<Position> positions) {
        Set<String> scopes = new LinkedHashSet<>();
        positions.forEach(p -> scopes.add(settings.pnlScopeOf(p.event().symbol())));
        List<String> ordered = new ArrayList<>(scopes);
        List<String> values = pipeline.run(redis -> {
            List<RedisFuture<String>> futures = new ArrayList<>();
            ordered.forEach(s -> futures.add(redis.hget(keys.scope(s), "avg_pnl")));
            return futures;
        });
        Map<String, Double> averages = new HashMap<>();
        for (int i = 0; i < ordered.size(); i++) {
            String v = values.get(i);
            averages.put(ordered.get(i), v == null ? 0.0 : Double.parseDouble(v));
        }
        return averages;
    }


    private Publication deadLetter(Inbound in, ErrorCode code, String reason) {
        Map<String, String> fields = DeadLetter.fields(in.stream(), in.id(), code, reason, in.body(),
                in.deliveries(), settings.consumer(), clock.instant().getEpochSecond());
        return new Publication(in, settings.streams().deadLetter(), fields, "dead_letter:" + code.wire());
    }

    private void publishAll(List<Publication> publications) {
        if (publications.isEmpty()) {
            return;
        }
        String maxLen = Long.toString(settings.streams().outputMaxLen());
        List<Long> replies = pipeline.run(redis -> {
            List<RedisFuture<Long>> futures = new ArrayList<>(publications.size());
            for (Publication p : publications) {
                List<String> args = new ArrayList<>(3 + p.fields().size() * 2);
                args.add(settings.group());
                args.add(p.in().id());
                args.add(maxLen);
                p.fields().forEach((k, v) -> {
                    args.add(k);
                    args.add(v);
                });
                futures.add(publish.call(redis, List.of(p.in().stream(), p.output()), args));
            }
            return futures;
        });
        for (int i = 0; i < publications.size(); i++) {
            Publication p = publications.get(i);
            String type = p.in().kind().metricTag;
            if (replies.get(i) == 0L) {
                metrics.event(type, "skipped");
            } else if (p.outcome().startsWith("dead_letter:")) {
                String code = p.outcome().substring("dead_letter:".length());
                metrics.event(type, "dead_letter");
                metrics.deadLetter(code);
                deadLetterLog.warn(p.in(), code, p.fields().get("reason"));
            } else {
                metrics.event(type, p.outcome());
            }
        }
    }

    /** Entries deleted from the stream while pending: nothing left to process, only to acknowledge. */
    private void ackVanished(List<Inbound> vanished) {
        if (vanished.isEmpty()) {
            return;
        }
        pipeline.run(redis -> {
            List<RedisFuture<Long>> futures = new ArrayList<>();
            vanished.forEach(in -> futures.add(redis.xack(in.stream(), settings.group(), in.id())));
            return futures;
        });
        vanished.forEach(in -> {
            log.warn("entry {} of {} was deleted while pending; acknowledged without processing", in.id(), in.stream());
            metrics.event(in.kind().metricTag, "vanished");
        });
    }
}
