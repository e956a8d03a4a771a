package com.exitbrain.stream;

import com.exitbrain.app.Daemon;

import static com.exitbrain.testing.Streams.DLQ;
import static com.exitbrain.testing.Streams.LEVELS;
import static com.exitbrain.testing.Streams.POSITIONS;
import static com.exitbrain.testing.Streams.STATS;
import static com.exitbrain.testing.Streams.TRADES;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exitbrain.testing.RedisProcess;
import com.exitbrain.testing.Streams;
import com.exitbrain.testing.WorkerHarness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A batch whose entries cannot all be written: the others still land, the one that cannot stays
 * pending with nothing written for it, and it is committed exactly once when it can be.
 */
class CommitFailureTest {

    @Test
    void anEntryWhoseOutputCannotBeWrittenStaysPendingWhileTheOthersLand() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            // the dead-letter stream's key holds a string: a dead letter cannot be written there
            streams.redis.set(DLQ, "not a stream");
            streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "10");
            String bad = streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "500");
            streams.add(POSITIONS, "symbol", "ETHUSDT", "leverage", "20");
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_CLAIM_MIN_IDLE_MS", "200")) {
                await().atMost(Duration.ofSeconds(10)).until(() -> streams.length(LEVELS) == 2);
                await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                        .until(() -> streams.pending(POSITIONS) == 1);
                assertEquals(bad, streams.redis.xpending(POSITIONS, "exitbrain").getMessageIds().getLower()
                        .getValue());
                // the operator removes the key: the dead letter is written once
                streams.redis.del(DLQ);
                await().atMost(Duration.ofSeconds(15)).until(() -> streams.pending(POSITIONS) == 0);
                List<Map<String, String>> letters = streams.entries(DLQ);
                assertEquals(1, letters.size(), letters.toString());
                assertEquals("out_of_range", letters.get(0).get("error"));
                assertEquals(2, streams.length(LEVELS));
            }
        }
    }

    @Test
    void aTradeWhoseScopeKeyHasTheWrongTypeWritesNothingAndIsRecordedOnceLater() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            streams.redis.set("exitbrain:pnl:global:window", "damaged");
            streams.add(TRADES, "trade_id", "t1", "symbol", "BTCUSDT", "leverage", "10", "pnl", "0.02");
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_CLAIM_MIN_IDLE_MS", "200")) {
                await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5))
                        .until(() -> streams.pending(TRADES) == 1 && streams.length(STATS) == 0
                                && streams.redis.exists("exitbrain:trade:t1") == 0);
                streams.redis.del("exitbrain:pnl:global:window");
                await().atMost(Duration.ofSeconds(15)).until(() -> streams.pending(TRADES) == 0);
                assertEquals(1, streams.length(STATS));
                assertEquals("t1", streams.entries(STATS).get(0).get("trade_id"));
                assertTrue(streams.redis.exists("exitbrain:trade:t1") == 1);
            }
        }
    }

    @Test
    void aPositionWhosePlanKeyHasTheWrongTypeStaysPendingWhileOthersGetTheirPlans() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            streams.redis.set("exitbrain:plan:bad", "not a hash");
            for (String id : List.of("ok1", "bad", "ok2")) {
                streams.add(POSITIONS, "position_id", id, "symbol", "BTCUSDT", "leverage", "10", "side", "long",
                        "entry_price", "100", "quantity", "1");
            }
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_CLAIM_MIN_IDLE_MS", "200")) {
                await().atMost(Duration.ofSeconds(10)).until(() -> streams.length(LEVELS) == 2);
                await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                        .until(() -> streams.pending(POSITIONS) == 1 && streams.length(LEVELS) == 2);
                assertEquals(List.of("ok1", "ok2"), streams.entries(LEVELS).stream().map(e -> e.get("position_id")).toList());
                assertEquals(1, streams.redis.exists("exitbrain:plan:ok1", "exitbrain:plan:ok2") / 2);
                streams.redis.del("exitbrain:plan:bad");
                await().atMost(Duration.ofSeconds(15)).until(() -> streams.pending(POSITIONS) == 0);
                assertEquals(3, streams.length(LEVELS));
                assertEquals("created", streams.entries(LEVELS).get(2).get("plan"));
            }
        }
    }

    @Test
    void aFillForADamagedPlanFailsAloneAndEndsAsADeadLetterWhileOtherFillsApply() {
        try (RedisProcess server = RedisProcess.start(); Streams streams = new Streams(server)) {
            try (Daemon first = WorkerHarness.start(server)) {
                for (String id : List.of("good", "broken")) {
                    streams.add(POSITIONS, "position_id", id, "symbol", "BTCUSDT", "leverage", "10", "side", "long",
                            "entry_price", "100", "quantity", "1");
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> streams.length(LEVELS) == 2);
            }
            // damaged while no worker had it in memory: the next one must read it
            streams.redis.hset("exitbrain:plan:broken", "state", "garbage");
            String bad = streams.add(Streams.FILLS, "position_id", "broken", "order", "sl", "quantity", "1",
                    "price", "99");
            streams.add(Streams.FILLS, "position_id", "good", "order", "sl", "quantity", "1", "price", "99");
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_CLAIM_MIN_IDLE_MS", "100",
                    "EXITBRAIN_MAX_DELIVERIES", "2")) {
                Map<String, String> letter = streams.awaitEntry(DLQ, "source_id", bad);
                assertEquals("max_deliveries", letter.get("error"));
                await().atMost(Duration.ofSeconds(10)).until(() -> streams.pending(Streams.FILLS) == 0);
                assertEquals(List.of("good"), streams.entries(Streams.PLANS).stream().map(e -> e.get("position_id")).toList());
            }
        }
    }

    @Test
    void redisOutOfMemoryForLongerThanMaxDeliveriesRetriesDeadLettersNothing() {
        outOfMemoryDeadLettersNothing("2");
    }

    /**
     * One delivery allowed: an entry read ahead of a batch whose commit Redis refused is read back
     * from the worker's own pending list, a second delivery that is the worker's, not the entry's.
     */
    @Test
    void entriesReadAheadOfARefusedCommitAreNotDeadLetteredWithOneDeliveryAllowed() {
        outOfMemoryDeadLettersNothing("1");
    }

    private static void outOfMemoryDeadLettersNothing(String maxDeliveries) {
        try (RedisProcess server = RedisProcess.start(false, "--maxmemory-policy", "noeviction");
             Streams streams = new Streams(server)) {
            // the groups exist (a worker ran before), then a backlog arrives
            try (Daemon first = WorkerHarness.start(server)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> streams.redis.exists(Streams.FILLS) == 1);
            }
            for (int i = 0; i < 1000; i++) {
                streams.add(POSITIONS, "symbol", "BTCUSDT", "leverage", "10", "position_id", "p" + i);
            }
            // every write from now on is refused: the used memory is the limit
            String used = streams.redis.info("memory").lines().filter(l -> l.startsWith("used_memory:"))
                    .findFirst().orElseThrow().substring("used_memory:".length()).trim();
            streams.redis.configSet("maxmemory", used);
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_MAX_DELIVERIES", maxDeliveries,
                    "EXITBRAIN_CLAIM_MIN_IDLE_MS", "100")) {
                // far more retries than max-deliveries allows
                await().atMost(Duration.ofSeconds(20)).until(() -> worker.metrics().scrape()
                        .lines().anyMatch(l -> l.startsWith("exitbrain_redis_errors_total") && !l.endsWith(" 0.0")
                                && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) >= 6));
                assertEquals(0, streams.length(LEVELS));
                streams.redis.configSet("maxmemory", "0");
                await().atMost(Duration.ofSeconds(20)).until(() -> streams.pending(POSITIONS) == 0
                        && streams.length(LEVELS) == 1000);
                assertEquals(0, streams.length(DLQ), () -> streams.entries(DLQ).subList(0, 1).toString());
            }
        }
    }

    @Test
    void commitsWhoseReplyWasLostInAStallAreCountedOnce() {
        try (RedisProcess server = RedisProcess.start(false, "--enable-debug-command", "yes");
             Streams streams = new Streams(server)) {
            int total = 20_000;
            for (int i = 0; i < total; i += 500) {
                for (int j = i; j < i + 500; j++) {
                    streams.redis.xadd(POSITIONS, Map.of("symbol", "BTCUSDT", "leverage", "10"));
                }
            }
            try (Daemon worker = WorkerHarness.start(server, "EXITBRAIN_REDIS_TIMEOUT_MS", "400",
                    "EXITBRAIN_CLAIM_MIN_IDLE_MS", "60000")) {
                await().atMost(Duration.ofSeconds(20)).until(() -> streams.length(LEVELS) > 2000);
                // Redis stalls past the command timeout while batches are in flight: their replies are lost
                streams.redis.dispatch(io.lettuce.core.protocol.CommandType.DEBUG,
                        new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                        new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8).add("SLEEP").add(1));
                await().atMost(Duration.ofSeconds(60)).until(() -> streams.pending(POSITIONS) == 0
                        && streams.length(LEVELS) == total);
                String metrics = worker.metrics().scrape();
                assertTrue(counter(metrics, "exitbrain_redis_errors_total") >= 1, "the stall must have hit a command");
                assertEquals(total, counter(metrics, "exitbrain_events_total{outcome=\"published\",type=\"position\"}"),
                        metrics);
            }
        }
    }

    private static double counter(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
