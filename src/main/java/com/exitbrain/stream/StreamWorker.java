package com.exitbrain.stream;

import com.exitbrain.redis.Pipeline;
import com.exitbrain.redis.RedisRefusal;
import com.exitbrain.redis.Script;

import com.exitbrain.config.ConfigurationError;
import com.exitbrain.config.Settings;
import com.exitbrain.config.SettingsLoader;
import com.exitbrain.health.RedisTopology;
import com.exitbrain.health.WorkerMetrics;
import com.exitbrain.redis.Backoff;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.models.stream.PendingMessage;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import com.exitbrain.redis.Connection;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer loop (SPEC §4): set up the groups, finish this consumer's own pending entries,
 * take over those of a predecessor that died on this host ({@link ConsumerSweep}), claim entries
 * other consumers left idle, and read new entries in batches, until stopped. Any
 * Redis failure makes it back off, report unhealthy, and start again from its own pending entries,
 * which the idempotent scripts make safe.
 */
public final class StreamWorker implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(StreamWorker.class);
    private static final long MAX_BACKOFF_MS = 5000;
    /**
     * On a cluster the connection stays open while one master is down (the others answer), so no
     * reconnect cuts the wait short: a failover (about 2 s) is followed within a second of it.
     */
    private static final long CLUSTER_MAX_BACKOFF_MS = 1000;
    /** A read of at least this many entries (or a full batch) is taken for a backlog: the next batch is read ahead. */
    private static final int READ_AHEAD_FROM = 100;
    /** Departed consumers are looked for at start-up, after a failure, and this often. */
    private static final long SWEEP_INTERVAL_MS = 300_000;
    /** A consumer with nothing pending is removed once idle this long: no live worker ever is. */
    private static final Duration EMPTY_CONSUMER_IDLE = Duration.ofHours(1);

    private final Settings settings;
    private final RedisClusterCommands<String, String> reader;
    private final RedisClusterAsyncCommands<String, String> readerAsync;
    /**
     * The next batch, read while the last one's final commit call runs in Redis (null: none): its
     * entries are this consumer's pending ones from the moment Redis answers.
     */
    private RedisFuture<List<StreamMessage<String, String>>> readAhead;
    /** The last entry per stream of the batch in flight (sent, not settled), null when none. */
    private Map<String, String> inFlightLast;
    private final RedisClusterCommands<String, String> control;
    private final Pipeline pipeline;
    private final BatchProcessor processor;
    private final WorkerMetrics metrics;
    /** In the order positions, trades, fills: a fill handled alone is never ahead of its position. */
    private final Map<InputKind, String> streams = new java.util.EnumMap<>(InputKind.class);
    /** The three inputs from this group's last delivered entry on, in that order (XREADGROUP's {@code >}). */
    private final StreamOffset<String>[] newEntries;
    private final Map<String, String> resumeAfter = new HashMap<>();
    /** Per stream, the newest entry a read of new entries brought this process ({@link #ownPending}). */
    private final Map<String, String> newestRead = new HashMap<>();
    /** Per stream, an entry this worker read there, to recognise the stream after a group vanished. */
    private final Map<String, String> lastRead = new HashMap<>();
    private final Consumer<String> me;
    private final ConsumerSweep sweep;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final List<Connection> connections;

    private volatile boolean running = true;
    private volatile boolean healthy;
    /** Whether a whole pass (set-up, own pending, claims, one read) has succeeded since start-up. */
    private boolean passed;
    private volatile String lastError = "starting";
    /** Since when Redis operations fail (0: they do not), and how many attempts failed: for the log. */
    private long failingSince;
    private int failures;

    /**
     * @param readConnection  used only for the blocking XREADGROUP
     * @param writeConnection used for everything else, pipelined
     */
    public StreamWorker(Settings settings, Connection readConnection, Connection writeConnection,
                        Connection controlConnection, WorkerMetrics metrics) {
        this.settings = settings;
        this.reader = readConnection.sync();
        this.readerAsync = readConnection.async();
        this.connections = List.of(readConnection, writeConnection, controlConnection);
        this.control = controlConnection.sync();
        this.metrics = metrics;
        Script commit = Script.resource("commit.lua", ScriptOutputType.MULTI);
        this.pipeline = new Pipeline(writeConnection, Duration.ofMillis(settings.commandTimeoutMs()), List.of(commit),
                settings.streams().positionOpened());
        this.processor = new BatchProcessor(settings, pipeline, metrics, Clock.systemUTC(), commit);
        this.me = Consumer.from(settings.group(), settings.consumer());
        this.sweep = new ConsumerSweep(control, me, SettingsLoader.hostName(), ConsumerSweep::processAlive,
                EMPTY_CONSUMER_IDLE);
        streams.put(InputKind.POSITION_OPENED, settings.streams().positionOpened());
        streams.put(InputKind.TRADE_CLOSED, settings.streams().tradeClosed());
        streams.put(InputKind.FILL, settings.streams().fills());
        this.newEntries = lastConsumed(streams.values());
    }

    public boolean healthy() {
        return healthy && running;
    }

    public String lastError() {
        return lastError;
    }

    /** Asks the loop to stop after the batch in flight (and the one read ahead of it, already this consumer's). */
    public void stop() {
        running = false;
    }

    /** Waits for the loop to finish; false on timeout. */
    public boolean awaitFinished(long millis) throws InterruptedException {
        return finished.await(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
        boolean setUp = false;
        boolean announced = false;
        Backoff backoff = new Backoff(100, connections.get(0).cluster() ? CLUSTER_MAX_BACKOFF_MS : MAX_BACKOFF_MS);
        long nextClaim = 0;
        long nextSweep = 0;
        try {
            while (running) {
                try {
                    if (!setUp) {
                        setUp();
                        if (!announced) {
                            log.info("consuming {}, {} and {} as {} in group {}", settings.streams().positionOpened(),
                                    settings.streams().tradeClosed(), settings.streams().fills(), settings.consumer(),
                                    settings.group());
                            announced = true;
                        }
                        drainOwnPending();
                        if (running) { // read back whole: what was not read back was committed
                            processor.settleUnconfirmed();
                        }
                        setUp = true;
                        nextSweep = 0;
                    }
                    if (System.currentTimeMillis() >= nextSweep || System.currentTimeMillis() >= nextClaim) {
                        // nothing of this consumer's may be pending while it claims: its own
                        // entries read ahead would be claimed back, one delivery counted too many
                        handleReadAhead();
                        settleInFlight();
                    }
                    if (System.currentTimeMillis() >= nextSweep) {
                        sweep.sweep(streams.values(), claimed -> handle(withDeliveries(claimed)));
                        nextSweep = System.currentTimeMillis() + SWEEP_INTERVAL_MS;
                    }
                    if (System.currentTimeMillis() >= nextClaim) {
                        claimIdle();
                        nextClaim = System.currentTimeMillis() + settings.claimIntervalMs();
                    }
                    readNew();
                    passed = true;
                    healthy = true;
                    lastError = null;
                    backoff.reset();
                    if (failingSince != 0) {
                        log.info("Redis operations succeed again after {} failed attempts over {} ms; resumed",
                                failures, System.currentTimeMillis() - failingSince);
                        failingSince = 0;
                        failures = 0;
                    }
                } catch (RuntimeException e) {
                    setUp = false;
                    inFlightLast = null; // the batch in flight, if any, failed with the rest: read again
                    processor.abandonInFlight();
                    dropReadAhead();
                    if (!running) {
                        break;
                    }
                    healthy = false;
                    metrics.redisError();
                    failures++;
                    // on a cluster: where is the partition's slot now? connect to its master ahead of the retry
                    connections.forEach(c -> c.afterFailure(settings.streams().positionOpened()));
                    if (failingSince == 0) {
                        failingSince = System.currentTimeMillis();
                    }
                    if (RedisTopology.readOnly(e)) { // SPEC §10: a replica (an old primary); find the master again
                        log.warn("Redis refused a write as a replica ({}); reconnecting to the primary", e.getMessage());
                        RedisTopology.reconnect(connections.stream().map(Connection::stateful).toList());
                    }
                    RedisRefusal refusal = RedisRefusal.in(e);
                    long delay = backoff.next();
                    if (refusal == null) {
                        lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
                        log.warn("Redis operation failed ({}); retrying in {} ms", lastError, delay);
                    } else if (!passed) { // a command it cannot do without: the ACL needs fixing, not a restart
                        throw new ConfigurationError(refusal.describe(settings.redisUrlMasked()));
                    } else {
                        lastError = "authentication failure: " + refusal.describe(settings.redisUrlMasked());
                        log.error("{}; retrying in {} ms", lastError, delay);
                    }
                    sleepUnlessReconnected(delay);
                }
            }
            // stopped between a batch and the next read: the batch read ahead is this consumer's already
            try {
                handleReadAhead();
                settleInFlight();
            } catch (RuntimeException e) {
                log.warn("the batch read ahead could not be handled before stopping ({}); its entries stay"
                        + " pending for this consumer's next start or a claim", e.toString());
            }
        } finally {
            finished.countDown();
        }
    }

    /**
     * Creates the groups, or recreates one that vanished under the running worker. Recreated after
     * the last id this worker processed only while the stream still holds the entry it read last:
     * then entries up to there were processed, and a group at 0 would publish them all a second
     * time (the scripts' pending check guards only entries still pending, and a new group makes
     * every entry pending again). Once that entry is gone, the stream is not the one the worker
     * read (Redis lost its data or was restored from a snapshot, the stream was deleted and written
     * anew, the producer's clock moved back): its ids may lie below the remembered one, and a group
     * recreated there would skip them without a word. So it is recreated at 0, with a warning
     * naming both ids. Trimming cannot fool this: it removes the oldest entries first, so had it
     * taken the entry read last, every entry left is newer and 0 delivers the same ones.
     */
    private void setUp() {
        String configured = settings.groupStartLatest() ? "$" : "0";
        for (String stream : streams.values()) {
            String remembered = resumeAfter.get(stream);
            boolean sameStream = remembered == null || GroupSetup.stillHolds(control, stream, lastRead.get(stream));
            String start = remembered == null ? configured : sameStream ? remembered : "0";
            if (GroupSetup.ensure(control, stream, settings.group(), start)) {
                if (remembered == null) {
                    log.info("created consumer group {} on {} at {}", settings.group(), stream, start);
                } else if (sameStream) {
                    log.warn("consumer group {} was missing on {}; recreated after {}", settings.group(), stream, start);
                } else {
                    log.warn("consumer group {} was missing on {}, and so is entry {} this worker read last there"
                            + " (Redis lost its data, or the stream was written anew): recreated at 0, not after {},"
                            + " so that no entry is skipped; the stream now starts at {}", settings.group(), stream,
                            lastRead.get(stream), remembered, GroupSetup.firstId(control, stream));
                }
            }
        }
        pipeline.loadScripts();
    }

    /** At start-up and after any failure: this consumer's own pending entries come first. */
    private void drainOwnPending() {
        Map<String, String> cursor = new HashMap<>();
        streams.values().forEach(s -> cursor.put(s, "0-0"));
        while (running && !cursor.isEmpty()) {
            List<StreamOffset<String>> offsets = new ArrayList<>();
            cursor.forEach((s, id) -> offsets.add(StreamOffset.from(s, id)));
            List<StreamMessage<String, String>> messages = reader.xreadgroup(me,
                    XReadArgs.Builder.count(settings.batchSize()), offsets.toArray(StreamOffset[]::new));
            Map<String, List<StreamMessage<String, String>>> byStream = new HashMap<>();
            messages.forEach(m -> byStream.computeIfAbsent(m.getStream(), k -> new ArrayList<>()).add(m));
            cursor.keySet().removeIf(s -> !byStream.containsKey(s));
            byStream.forEach((s, list) -> cursor.put(s, list.get(list.size() - 1).getId()));
            if (!messages.isEmpty()) {
                handle(ownPending(withDeliveries(messages)));
            }
        }
    }

    /** XAUTOCLAIM on each input: entries idle longer than claim-min-idle, whoever held them. */
    private void claimIdle() {
        // a page of each input at a time, handled together: the batch then runs in time order
        // across the inputs, so a claimed fill is not applied before its claimed position
        Map<String, String> cursors = new java.util.LinkedHashMap<>();
        streams.values().forEach(stream -> cursors.put(stream, "0-0"));
        while (running && !cursors.isEmpty()) {
            List<StreamMessage<String, String>> page = new ArrayList<>();
            for (var entry : new ArrayList<>(cursors.entrySet())) {
                String stream = entry.getKey();
                ClaimedMessages<String, String> claimed = control.xautoclaim(stream,
                        XAutoClaimArgs.Builder.xautoclaim(me, Duration.ofMillis(settings.claimMinIdleMs()),
                                entry.getValue()).count(settings.batchSize()));
                if (!claimed.getMessages().isEmpty()) {
                    log.info("claimed {} idle pending entries of {}", claimed.getMessages().size(), stream);
                    page.addAll(claimed.getMessages());
                }
                if ("0-0".equals(claimed.getId())) {
                    cursors.remove(stream);
                } else {
                    cursors.put(stream, claimed.getId());
                }
            }
            if (!page.isEmpty()) {
                handle(withDeliveries(page));
            }
        }
    }

    private void readNew() {
        List<StreamMessage<String, String>> messages = readAhead == null ? List.of() : awaitReadAhead();
        if (messages.isEmpty()) {
            // nothing more to compute: the batch in flight is settled before waiting for new entries
            settleInFlight();
            messages = read(settings.blockMs());
        }
        if (!messages.isEmpty()) {
            // a backlog (a read of many entries): the next batch is read while this one commits; a
            // few entries (a steady flow) are followed by one blocking read, not by two reads
            boolean backlog = messages.size() >= Math.min(READ_AHEAD_FROM, settings.batchSize());
            handlePipelined(firstDeliveries(messages), running && backlog ? this::startReadAhead : null);
        }
    }

    /** The batch read ahead, if any, handled now without reading further ahead. */
    private void handleReadAhead() {
        if (readAhead != null) {
            List<StreamMessage<String, String>> messages = awaitReadAhead();
            if (!messages.isEmpty()) {
                handle(firstDeliveries(messages));
            }
        }
    }

    private List<Inbound> firstDeliveries(List<StreamMessage<String, String>> messages) {
        List<Inbound> batch = new ArrayList<>(messages.size());
        for (StreamMessage<String, String> m : messages) {
            newestRead.put(m.getStream(), m.getId()); // a read of new entries: in id order, newer than the last
            batch.add(new Inbound(InputKind.of(settings.streams(), m.getStream()), m.getStream(), m.getId(),
                    m.getBody(), 1));
        }
        return batch;
    }

    /** A blocking XREADGROUP of new entries on the three inputs; {@code blockMs} 0: no waiting. */
    private List<StreamMessage<String, String>> read(long blockMs) {
        return reader.xreadgroup(me, readArgs(blockMs), newEntries);
    }

    @SuppressWarnings("unchecked")
    private static StreamOffset<String>[] lastConsumed(java.util.Collection<String> inputs) {
        return inputs.stream().map(StreamOffset::lastConsumed).toArray(StreamOffset[]::new);
    }

    private XReadArgs readArgs(long blockMs) {
        XReadArgs args = XReadArgs.Builder.count(settings.batchSize());
        return blockMs > 0 ? args.block(blockMs) : args;
    }

    /**
     * Sends the next batch's XREADGROUP (no blocking) once the last commit call of a batch is sent:
     * Redis answers it right after that call, and Lettuce decodes the reply while the worker waits
     * for the commit's; the read and the commit no longer follow one another. Nothing about the
     * batch read depends on that commit: it is computed after the batch before it is settled.
     */
    private void startReadAhead() {
        readAhead = readerAsync.xreadgroup(me, readArgs(0), newEntries);
    }

    private List<StreamMessage<String, String>> awaitReadAhead() {
        RedisFuture<List<StreamMessage<String, String>>> f = readAhead;
        readAhead = null;
        try {
            return f.get(settings.commandTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisCommandInterruptedException(e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new RedisException(e.getCause());
        } catch (TimeoutException e) {
            throw new RedisCommandTimeoutException("the XREADGROUP read ahead timed out after "
                    + settings.commandTimeoutMs() + " ms");
        }
    }

    /**
     * After a failure: the entries a read ahead got are pending to this consumer and will be read
     * back from its own pending list, which counts a delivery that is not theirs (SPEC §4
     * max-deliveries). Redis answers the read right after the commit that failed, so its reply is
     * awaited a little (at most a second); one that does not come is given up (should Redis have
     * delivered it after all, its entries are read back the same way, one delivery counted too many).
     */
    private void dropReadAhead() {
        RedisFuture<List<StreamMessage<String, String>>> f = readAhead;
        readAhead = null;
        if (f == null) {
            return;
        }
        try {
            f.get(Math.min(settings.commandTimeoutMs(), 1000), TimeUnit.MILLISECONDS)
                    .forEach(m -> processor.deliveredUnhandled(m.getStream(), m.getId()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | CancellationException e) {
            // not answered: nothing known to be delivered by it
        }
    }

    /** A batch handled whole (own pending, claimed, read ahead before claims or a stop), the batch in flight first. */
    private void handle(List<Inbound> batch) {
        settleInFlight();
        Map<String, String> last = started(batch);
        long started = System.nanoTime();
        processor.process(batch, null);
        metrics.batch(System.nanoTime() - started);
        finished(last);
    }

    /**
     * A batch of new entries computed and sent while the batch before runs in Redis
     * ({@link BatchProcessor#pipelined}), then that one settled; this one stays in flight.
     *
     * @param whileCommitting run once the batch's last commit call is sent, before its reply
     */
    private void handlePipelined(List<Inbound> batch, Runnable whileCommitting) {
        Map<String, String> last = started(batch);
        long started = System.nanoTime();
        processor.pipelined(batch, whileCommitting);
        metrics.batch(System.nanoTime() - started);
        if (inFlightLast != null) {
            finished(inFlightLast); // the batch before is settled
            inFlightLast = null;
        }
        if (processor.inFlight()) {
            inFlightLast = last;
        } else {
            finished(last); // settled with the one before
        }
    }

    /** Settles the batch in flight, if any. */
    private void settleInFlight() {
        processor.settle();
        if (inFlightLast != null) {
            finished(inFlightLast);
            inFlightLast = null;
        }
    }

    /** Before a batch: its last entry per stream, and where the group would be recreated meanwhile. */
    private Map<String, String> started(List<Inbound> batch) {
        Map<String, String> first = new HashMap<>();
        Map<String, String> last = new HashMap<>();
        for (Inbound in : batch) {
            first.merge(in.stream(), in.id(), (a, b) -> GroupSetup.compare(a, b) <= 0 ? a : b);
            last.merge(in.stream(), in.id(), (a, b) -> GroupSetup.compare(a, b) >= 0 ? a : b);
        }
        // Should the group vanish mid-batch, it is recreated just before the oldest unfinished entry.
        first.forEach((s, id) -> resumeAfter.merge(s, GroupSetup.predecessor(id),
                (a, b) -> GroupSetup.compare(a, b) <= 0 ? a : b));
        lastRead.putAll(last);
        return last;
    }

    /** After a batch is settled: the group would be recreated after its last entries. */
    private void finished(Map<String, String> last) {
        last.forEach((s, id) -> resumeAfter.put(s, id));
    }

    /** Own-pending and claimed entries: their delivery counts decide max-deliveries. */
    /**
     * This consumer's own pending entries, read back after a failure: one newer than every entry a
     * read of new entries brought this process was delivered by a read whose reply was lost (the
     * connection died with it); that delivery was the worker's own doing and does not count toward
     * max-deliveries (SPEC §4). Streams not read yet in this process (a restart) count every delivery.
     */
    private List<Inbound> ownPending(List<Inbound> batch) {
        List<Inbound> counted = new ArrayList<>(batch.size());
        for (Inbound in : batch) {
            String newest = newestRead.get(in.stream());
            boolean lostRead = newest != null && GroupSetup.compare(in.id(), newest) > 0 && in.deliveries() > 1;
            counted.add(lostRead ? new Inbound(in.kind(), in.stream(), in.id(), in.body(), in.deliveries() - 1) : in);
        }
        return counted;
    }

    private List<Inbound> withDeliveries(List<StreamMessage<String, String>> messages) {
        Map<String, List<StreamMessage<String, String>>> byStream = new HashMap<>();
        messages.forEach(m -> byStream.computeIfAbsent(m.getStream(), k -> new ArrayList<>()).add(m));
        Map<String, Long> counts = new HashMap<>();
        byStream.forEach((stream, list) -> {
            String low = list.get(0).getId();
            String high = list.get(0).getId();
            for (var m : list) {
                low = GroupSetup.compare(m.getId(), low) < 0 ? m.getId() : low;
                high = GroupSetup.compare(m.getId(), high) > 0 ? m.getId() : high;
            }
            List<PendingMessage> pending = control.xpending(stream, me, Range.create(low, high),
                    Limit.from(Math.max(list.size(), settings.batchSize()) * 4L));
            pending.forEach(p -> counts.put(stream + " " + p.getId(), p.getRedeliveryCount()));
        });
        List<Inbound> batch = new ArrayList<>(messages.size());
        for (var m : messages) {
            long deliveries = counts.getOrDefault(m.getStream() + " " + m.getId(), 1L);
            batch.add(new Inbound(InputKind.of(settings.streams(), m.getStream()), m.getStream(), m.getId(),
                    m.getBody(), deliveries));
        }
        return batch;
    }

    private boolean connected() {
        return connections.stream().allMatch(Connection::isOpen);
    }

    /**
     * Backs off, but retries as soon as connections that were down are all back: Redis's return is
     * acted on within about 50 ms, not at the end of a 5 s wait.
     */
    private void sleepUnlessReconnected(long millis) {
        boolean wasConnected = connected();
        long until = System.currentTimeMillis() + millis;
        while (running && System.currentTimeMillis() < until && (wasConnected || !connected())) {
            try {
                Thread.sleep(Math.min(50, millis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
