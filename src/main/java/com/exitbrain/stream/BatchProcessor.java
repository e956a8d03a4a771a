package com.exitbrain.stream;

import com.exitbrain.config.Settings;
import com.exitbrain.engine.ErrorCode;
import com.exitbrain.engine.InvalidInputException;
import com.exitbrain.engine.LevelEngine;
import com.exitbrain.engine.LevelSet;
import com.exitbrain.health.WorkerMetrics;
import com.exitbrain.pnl.PnlKeys;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.async.RedisAsyncCommands;
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
    /** The publish script's reply when the levels' average PnL is no longer the scope's. */
    private static final long STALE = -1;
    private static final int MAX_STALE_ROUNDS = 100;
    /** Levels computed and sent at a time: Redis works on one chunk while the next is computed. */
    private static final int CHUNK = 32;
    /** Symbol scopes are as many as symbols; a worker fed ever new symbols forgets and re-reads. */
    private static final int MAX_REMEMBERED_SCOPES = 10_000;

    private final Settings settings;
    private final Pipeline pipeline;
    private final LevelEngine engine;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final PnlKeys keys;
    private final Script publish;
    private final TradeRecorder trades;
    private final String maxLen;
    private final DeadLetterLog deadLetterLog = new DeadLetterLog();
    /** Scope → its avg_pnl as last read or written here: a guess the publish script verifies. */
    private final Map<String, Average> averages = new HashMap<>();

    BatchProcessor(Settings settings, Pipeline pipeline, WorkerMetrics metrics, Clock clock,
                   Script publish, Script recordTrade) {
        this.settings = settings;
        this.pipeline = pipeline;
        this.engine = new LevelEngine(settings.tuning());
        this.metrics = metrics;
        this.clock = clock;
        this.keys = new PnlKeys(settings.keyPrefix());
        this.publish = publish;
        this.maxLen = Long.toString(settings.streams().outputMaxLen());
        this.trades = new TradeRecorder(settings, pipeline, metrics, clock, recordTrade, keys, this::rememberAverage);
    }

    private record Position(Inbound in, PositionOpened event) {
    }

    /** A scope's avg_pnl as its text ("" for none, the script compares texts), its value, and its hash key. */
    private record Average(String text, double value, String key) {
    }

    /**
     * A call to the publish script: one output entry for one input entry. Levels also name the PnL
     * scope they were computed from and the scope's {@code avg_pnl} text they used, which the
     * script checks (the levels are published only if it is still current).
     */
    private record Publication(Inbound in, String output, Map<String, String> fields, String outcome,
                               Position position, String scope, Average average) {
        static Publication deadLetter(Inbound in, String output, Map<String, String> fields, String code) {
            return new Publication(in, output, fields, "dead_letter:" + code, null, null, null);
        }
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
        List<Position> stale = computeAndPublish(positions, publications);
        for (int round = 1; !stale.isEmpty(); round++) {
            if (round == MAX_STALE_ROUNDS) {
                log.warn("{} positions saw their PnL window change {} times in a row; left pending for redelivery",
                        stale.size(), round);
                stale.forEach(p -> metrics.event(InputKind.POSITION_OPENED.metricTag, "failed"));
                break;
            }
            stale = computeAndPublish(stale, new ArrayList<>(stale.size()));
        }
        ackVanished(vanished);
    }

    /**
     * Computes the levels a chunk at a time and sends each chunk's script calls (after those of
     * {@code publications}, the dead letters) as soon as it is ready, so that Redis runs one chunk
     * while the next is being computed; then waits for every reply. Returns the positions whose
     * levels were computed from a stale average.
     */
    private List<Position> computeAndPublish(List<Position> positions, List<Publication> publications) {
        if (!positions.isEmpty()) {
            readUnknownAverages(positions);
        }
        List<RedisFuture<Long>> futures = new ArrayList<>(publications.size() + positions.size());
        send(publications, futures);
        for (int from = 0; from < positions.size(); from += CHUNK) {
            List<Publication> chunk = new ArrayList<>(CHUNK);
            levels(positions.subList(from, Math.min(positions.size(), from + CHUNK)), chunk);
            send(chunk, futures);
            publications.addAll(chunk);
        }
        if (publications.isEmpty()) {
            return List.of();
        }
        // sent again whole if Redis lost its scripts: the pending check makes calls that did run harmless
        List<Long> replies = pipeline.awaitOrResend(futures, redis -> {
            List<RedisFuture<Long>> again = new ArrayList<>(publications.size());
            send(publications, again);
            return again;
        });
        return outcomes(publications, replies);
    }

    private void levels(List<Position> positions, List<Publication> publications) {
        long now = clock.instant().getEpochSecond();
        for (Position p : positions) {
            try {
                String scope = settings.pnlScopeOf(p.event().symbol());
                Average average = averages.get(scope);
                if (Double.isNaN(average.value())) {
                    throw new IllegalStateException("avg_pnl of " + average.key() + " is not a number: " + average.text());
                }
                LevelSet set = engine.compute(p.event().request(average.value()));
                publications.add(new Publication(p.in(), settings.streams().levels(),
                        LevelsRecord.fields(set, p.event().context(p.in().id()), now), "published",
                        p, scope, average));
            } catch (InvalidInputException e) {
                publications.add(deadLetter(p.in(), e.code(), e.reason()));
            } catch (RuntimeException e) {
                // A bug, not bad input: leave the entry pending; redelivery and max-deliveries decide.
                log.error("computing levels for {} {} failed; left pending", p.in().stream(), p.in().id(), e);
                metrics.event(InputKind.POSITION_OPENED.metricTag, "failed");
            }
        }
    }

    /**
     * Reads, in one round trip, the rolling average PnL of the scopes the positions need that this
     * worker knows nothing of. Known averages are only a guess (another worker may have recorded a
     * trade since): the publish script checks the guess against the scope and refuses stale levels.
     */
    private void readUnknownAverages(List<Position> positions) {
        Set<String> unknown = new LinkedHashSet<>();
        positions.forEach(p -> {
            String scope = settings.pnlScopeOf(p.event().symbol());
            if (!averages.containsKey(scope)) {
                unknown.add(scope);
            }
        });
        if (unknown.isEmpty()) {
            return;
        }
        List<String> ordered = new ArrayList<>(unknown);
        List<String> values = pipeline.run(redis -> {
            List<RedisFuture<String>> futures = new ArrayList<>();
            ordered.forEach(s -> futures.add(redis.hget(keys.scope(s), PnlKeys.AVERAGE_FIELD)));
            return futures;
        });
        for (int i = 0; i < ordered.size(); i++) {
            rememberAverage(ordered.get(i), values.get(i));
        }
    }

    /** What this worker last saw, or wrote, as a scope's average PnL text ("" for none). */
    private void rememberAverage(String scope, String text) {
        if (averages.size() >= MAX_REMEMBERED_SCOPES && !averages.containsKey(scope)) {
            averages.clear();
        }
        String known = text == null ? "" : text;
        averages.put(scope, new Average(known, parseAverage(known), keys.scope(scope)));
    }

    /** NaN for a value that is not a number (a damaged hash): the levels needing it then fail, one by one. */
    private static double parseAverage(String text) {
        if (text.isEmpty()) {
            return 0.0;
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private Publication deadLetter(Inbound in, ErrorCode code, String reason) {
        Map<String, String> fields = DeadLetter.fields(in.stream(), in.id(), code, reason, in.body(),
                in.deliveries(), settings.consumer(), clock.instant().getEpochSecond());
        return Publication.deadLetter(in, settings.streams().deadLetter(), fields, code.wire());
    }

    /** Queues the script call of each publication and sends them (one flush). */
    private void send(List<Publication> publications, List<RedisFuture<Long>> futures) {
        if (publications.isEmpty()) {
            return;
        }
        RedisAsyncCommands<String, String> redis = pipeline.commands();
        for (Publication p : publications) {
            String[] args = new String[4 + p.fields().size() * 2];
            args[0] = settings.group();
            args[1] = p.in().id();
            args[2] = maxLen;
            args[3] = p.average() == null ? "" : p.average().text();
            int i = 4;
            for (Map.Entry<String, String> field : p.fields().entrySet()) {
                args[i++] = field.getKey();
                args[i++] = field.getValue();
            }
            String[] keysOfCall = p.average() == null ? new String[]{p.in().stream(), p.output()}
                    : new String[]{p.in().stream(), p.output(), p.average().key()};
            futures.add(publish.call(redis, keysOfCall, args));
        }
        pipeline.flush();
    }

    /** Counts each reply; returns the positions whose levels were computed from a stale average. */
    private List<Position> outcomes(List<Publication> publications, List<Long> replies) {
        List<Position> stale = new ArrayList<>();
        for (int i = 0; i < publications.size(); i++) {
            Publication p = publications.get(i);
            String type = p.in().kind().metricTag;
            long reply = replies.get(i);
            if (reply == STALE) {
                averages.remove(p.scope());
                stale.add(p.position());
            } else if (reply == 0L) {
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
        return stale;
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
