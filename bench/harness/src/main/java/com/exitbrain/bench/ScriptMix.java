package com.exitbrain.bench;

import com.exitbrain.redis.Utf8Codec;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.Consumer;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

/**
 * The per-entry script mix: the worker's own design with the work taken out (not a ceiling of what a
 * worker could do here: that is {@link Floor}). It
 * sends the worker's Redis command mix (XREADGROUP COUNT n BLOCK on one connection; per entry one
 * EVALSHA of the worker's former per-entry publish.lua or record_trade.lua (kept in this harness), with the same
 * keys and checks, pipelined on another) with field lists of the same size fixed in advance: no parsing, no math, no allocation
 * beyond the client's own. It uses the worker's string codec (read from its jar), so a faster
 * encoding in the worker speeds this mix up too. Runs as a child JVM with the worker's flags, measured the same way.
 */
final class ScriptMix {
    /** A real levels entry of the worker (BTCUSDT 20x long, with prices and quantities): 36 fields. */
    private static final String[] LEVELS_FIELDS = {
            "symbol", "BTCUSDT", "leverage", "20", "side", "long", "position_id", "pos-0000000001",
            "source_id", "1795504345633-0", "mode", "adaptive", "tp1", "0.013047618881369922",
            "tp2", "0.02038380944068496", "tp3", "0.028671904720342485", "sl", "0.010173980265106547",
            "harvest_scheme", "[0.4,0.4,0.2]", "LSF", "0.24724797930973505", "adjustment", "1",
            "avg_pnl_last_20", "0.0123", "volatility_factor", "1.35", "confidence", "0.72",
            "liquidation_distance", "0.05", "max_safe_sl", "0.04", "sl_capped", "false", "warnings", "[]",
            "tp1_roe", "0.2609523776273984", "tp2_roe", "0.4076761888136992", "tp3_roe", "0.5734380944068497",
            "sl_roe", "0.20347960530213094", "entry_price", "65012.3", "tick_size", "0.1",
            "tp1_price", "65860.5", "tp2_price", "66337.4", "tp3_price", "66876.3", "sl_price", "64350.9",
            "quantity", "0.125", "lot_size", "0.001", "tp1_qty", "0.05", "tp2_qty", "0.05", "tp3_qty", "0.025",
            "timestamp", "1795504349",
    };
    /** A real stats entry of the worker: 13 fields. */
    private static final String[] STATS_FIELDS = {
            "scope", "global", "trade_id", "trade-0000000001", "symbol", "BTCUSDT", "leverage", "20",
            "pnl", "0.0123", "avg_pnl_last_20", "0.0123", "win_rate", "0.55", "window_trades", "20",
            "total_trades", "1", "by_leverage",
            "{\"le10\":{\"count\":6,\"avg_pnl\":0.0041,\"win_rate\":0.5},\"10to30\":{\"count\":8,\"avg_pnl\":0.0123,"
                    + "\"win_rate\":0.625},\"gt30\":{\"count\":6,\"avg_pnl\":-0.0035,\"win_rate\":0.5}}",
            "closed_at", "1732430000000", "source_id", "1795504345669-0", "timestamp", "1795504349",
    };

    private ScriptMix() {
    }

    /** {@link #STATS_FIELDS} for one trade: its id and its input entry's id in place of the sample's. */
    static String[] statsFields(String tradeId, String sourceId) {
        String[] f = STATS_FIELDS.clone();
        f[3] = tradeId;
        f[23] = sourceId;
        return f;
    }

    /** {@code script-mix <redis url> <worker jar> <batch size> <consumer>}; runs until killed. */
    static void run(String[] args) throws Exception {
        String url = args[0];
        Path workerJar = Path.of(args[1]);
        int batchSize = Integer.parseInt(args[2]);
        Consumer<String> me = Consumer.from(Keys.GROUP, args[3]);
        // The worker's client set-up (Daemon): command timeouts on a 10 ms timer, so that completed
        // commands are not kept reachable by their timeout tasks until the next 100 ms tick.
        HashedWheelTimer timer = new HashedWheelTimer(new DefaultThreadFactory("lettuce-timer", true), 10,
                TimeUnit.MILLISECONDS);
        RedisClient client = RedisClient.create(DefaultClientResources.builder().timer(timer).build(), url);
        client.setOptions(ClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(5))).build());
        // The same string codec as the worker being measured, so that this mix moves with it.
        RedisCodec<String, String> codec = hasEntry(workerJar, "com/exitbrain/redis/Utf8Codec.class")
                ? Utf8Codec.INSTANCE : StringCodec.UTF8;
        System.err.println("script-mix: codec " + codec.getClass().getSimpleName());
        StatefulRedisConnection<String, String> read = client.connect(codec);
        StatefulRedisConnection<String, String> write = client.connect(codec);
        write.setAutoFlushCommands(false);
        RedisCommands<String, String> reader = read.sync();
        RedisAsyncCommands<String, String> async = write.async();
        String publishSource = script("publish.lua");
        String publish = reader.scriptLoad(publishSource);
        // Since the levels' average PnL is checked by the script (ARGV[4], KEYS[3]), the fields start at ARGV[5].
        boolean checksAverage = publishSource.contains("unpack(ARGV, 5)");
        String[] levelsKeys = checksAverage ? new String[]{Keys.POSITIONS, Keys.LEVELS, Keys.GLOBAL_SCOPE}
                : new String[]{Keys.POSITIONS, Keys.LEVELS};
        int fieldsAt = checksAverage ? 4 : 3;
        String record = reader.scriptLoad(script("record_trade.lua"));
        for (String stream : List.of(Keys.POSITIONS, Keys.TRADES)) {
            try {
                reader.xgroupCreate(StreamOffset.from(stream, "0"), Keys.GROUP, XGroupCreateArgs.Builder.mkstream(true));
            } catch (RedisBusyException exists) {
                // already there
            }
        }
        // The recording script checks the scope's version; one client in a fresh Redis knows it.
        long total = 0;
        String lastId = "";
        long conflicts = 0;
        @SuppressWarnings("unchecked")
        StreamOffset<String>[] offsets = new StreamOffset[]{
                StreamOffset.lastConsumed(Keys.POSITIONS), StreamOffset.lastConsumed(Keys.TRADES)};
        XReadArgs readArgs = XReadArgs.Builder.count(batchSize).block(1000);
        while (true) {
            List<StreamMessage<String, String>> messages = reader.xreadgroup(me, readArgs, offsets);
            if (messages.isEmpty()) {
                continue;
            }
            List<RedisFuture<Object>> replies = new ArrayList<>(messages.size());
            for (StreamMessage<String, String> m : messages) {
                if (m.getStream().equals(Keys.POSITIONS)) {
                    String[] argv = new String[fieldsAt + LEVELS_FIELDS.length];
                    argv[0] = Keys.GROUP;
                    argv[1] = m.getId();
                    argv[2] = Keys.OUTPUT_MAX_LEN;
                    if (checksAverage) {
                        argv[3] = ""; // no trades in a positions drain: the global scope has no average
                    }
                    System.arraycopy(LEVELS_FIELDS, 0, argv, fieldsAt, LEVELS_FIELDS.length);
                    replies.add(async.evalsha(publish, ScriptOutputType.INTEGER, levelsKeys, argv));
                } else {
                    String[] argv = new String[11 + STATS_FIELDS.length];
                    argv[0] = Keys.GROUP;
                    argv[1] = m.getId();
                    argv[2] = Keys.OUTPUT_MAX_LEN;
                    argv[3] = Long.toString(total);
                    argv[4] = lastId;
                    argv[5] = "0.0123|10to30";
                    argv[6] = Keys.PNL_WINDOW;
                    argv[7] = Keys.DEDUP_TTL_SECONDS;
                    argv[8] = "0.0123";
                    argv[9] = "0.55";
                    argv[10] = "20";
                    System.arraycopy(STATS_FIELDS, 0, argv, 11, STATS_FIELDS.length);
                    replies.add(async.evalsha(record, ScriptOutputType.STATUS, new String[]{Keys.TRADES, Keys.STATS,
                            Keys.GLOBAL_SCOPE, Keys.GLOBAL_WINDOW, Keys.tradeMarker(m.getBody().get("trade_id")),
                            Keys.GLOBAL_SCOPE, Keys.GLOBAL_WINDOW}, argv));
                    total++;
                    lastId = m.getId();
                }
            }
            write.flushCommands();
            if (!LettuceFutures.awaitAll(Duration.ofSeconds(10), replies.toArray(RedisFuture[]::new))) {
                throw new IllegalStateException("no reply within 10 s");
            }
            for (RedisFuture<Object> reply : replies) {
                if ("conflict".equals(reply.get()) || Long.valueOf(-1).equals(reply.get())) {
                    conflicts++;
                    System.err.println("script-mix: unexpected version conflict or stale average (" + conflicts + ")");
                }
            }
        }
    }

    private static boolean hasEntry(Path workerJar, String name) throws IOException {
        try (ZipFile jar = new ZipFile(workerJar.toFile())) {
            return jar.getEntry(name) != null;
        }
    }

    /**
     * The worker's per-entry scripts before commit.lua replaced them (one EVALSHA per entry), kept in
     * this harness as the old design's reference: the second line of the report.
     */
    private static String script(String name) throws IOException {
        try (InputStream in = ScriptMix.class.getResourceAsStream("/old-design/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the harness has no /old-design/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
