package com.exitbrain.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Redis floor: the fastest any client could produce the worker's Redis effects here, the way
 * {@code redis-cli --pipe} would. Per batch one {@code XREADGROUP COUNT 500}; per entry only the
 * writes the worker's output consists of, all of the batch's commands written to the socket at once
 * (pipelined), then their replies read; no Lua, no reads, no checks, no parsing of the events, no
 * math, and no client library: RESP encoded by hand from bytes prepared in advance, so that the
 * client's own CPU per event is as small as it gets (a Lettuce client here spent 90-190 us per
 * event in a fresh JVM, more than Redis itself). Whatever a worker adds on top of this (its
 * scripts' checks, its parsing, engine and formatting, its client library) is the cost of its
 * design; worker / floor is the headline of {@code scripts/bench}.
 *
 * <p>Each input kind's effects are one {@link Effects}: another input stream (fills, SPEC §9) is
 * one more small class and one more entry in {@link #effects}.
 */
final class Floor {
    /** XREADGROUP COUNT of the floor, whatever the worker's batch size: larger batches only make it faster. */
    static final int COUNT = 500;

    /** One input entry as XREADGROUP returns it: its id and its field/value pairs, raw bytes. */
    record Entry(byte[] id, List<byte[]> fields) {
        /** The value of {@code field}, or {@code fallback}. */
        byte[] get(byte[] field, byte[] fallback) {
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if (Arrays.equals(fields.get(i), field)) {
                    return fields.get(i + 1);
                }
            }
            return fallback;
        }
    }

    /** The writes one input entry causes, appended to the batch's pipeline; returns how many commands. */
    interface Effects {
        String input();

        int queue(Resp out, Entry entry);
    }

    /**
     * Position opened: XADD of the worker's levels entry (same fields, same bytes), the exit plan the
     * worker creates for a position with side, entry price and quantity (SPEC §9, on by default: HSET
     * of its state and version, EXPIRE), XACK.
     */
    static final class Levels implements Effects {
        private final byte[][] names;
        private final byte[][] values;
        private final int positionId;
        private final int sourceId;

        Levels(Map<String, String> levelsEntry) {
            names = new byte[levelsEntry.size()][];
            values = new byte[levelsEntry.size()][];
            int i = 0;
            int p = -1;
            int s = -1;
            for (Map.Entry<String, String> e : levelsEntry.entrySet()) {
                names[i] = bytes(e.getKey());
                values[i] = bytes(e.getValue());
                p = e.getKey().equals("position_id") ? i : p;
                s = e.getKey().equals("source_id") ? i : s;
                i++;
            }
            positionId = p;
            sourceId = s;
        }

        @Override
        public String input() {
            return Keys.POSITIONS;
        }

        @Override
        public int queue(Resp out, Entry entry) {
            out.array(6 + 2 * names.length).bulk(XADD).bulk(LEVELS).bulk(MAXLEN).bulk(TILDE).bulk(MAX_LEN)
                    .bulk(STAR);
            for (int i = 0; i < names.length; i++) {
                out.bulk(names[i]);
                // the entry's own ids, as the worker echoes them
                out.bulk(i == positionId ? entry.get(POSITION_ID, values[i]) : i == sourceId ? entry.id() : values[i]);
            }
            byte[] plan = bytes(Keys.plan(new String(entry.get(POSITION_ID, values[positionId]), StandardCharsets.UTF_8)));
            out.array(6).bulk(HSET).bulk(plan).bulk(STATE_FIELD).bulk(PLAN_STATE).bulk(V).bulk(entry.id());
            out.array(3).bulk(EXPIRE).bulk(plan).bulk(PLAN_TTL);
            out.array(4).bulk(XACK).bulk(POSITIONS).bulk(GROUP).bulk(entry.id());
            return 4;
        }
    }

    /**
     * Trade closed, global scope: the writes of record_trade.lua (XADD of the stats entry, LPUSH and
     * LTRIM of the window, HSET of the scope hash, SET of the trade-id marker with its TTL, XACK)
     * without its reads (XPENDING, EXISTS, HMGET). total_trades counts up, so the drain's check holds.
     */
    static final class Trades implements Effects {
        private static final byte[][] STATS = Arrays.stream(ScriptMix.statsFields("trade-0000000000", "0-0"))
                .map(Floor::bytes).toArray(byte[][]::new);
        private static final int TRADE_ID = 3;
        private static final int SOURCE_ID = 23;
        private static final byte[] WINDOW_ENTRY = bytes("0.0123|10to30");
        private static final byte[] WINDOW_LAST = bytes(Long.toString(Long.parseLong(Keys.PNL_WINDOW) - 1));
        private long total;

        @Override
        public String input() {
            return Keys.TRADES;
        }

        @Override
        public int queue(Resp out, Entry entry) {
            byte[] tradeId = entry.get(TRADE_ID_FIELD, entry.id());
            total++;
            out.array(6 + STATS.length).bulk(XADD).bulk(STATS_STREAM).bulk(MAXLEN).bulk(TILDE).bulk(MAX_LEN).bulk(STAR);
            for (int i = 0; i < STATS.length; i++) {
                out.bulk(i == TRADE_ID ? tradeId : i == SOURCE_ID ? entry.id() : STATS[i]);
            }
            out.array(3).bulk(LPUSH).bulk(WINDOW).bulk(WINDOW_ENTRY);
            out.array(4).bulk(LTRIM).bulk(WINDOW).bulk(ZERO).bulk(WINDOW_LAST);
            out.array(12).bulk(HSET).bulk(SCOPE).bulk(TOTAL_TRADES).bulk(bytes(Long.toString(total)))
                    .bulk(LAST_ID).bulk(entry.id()).bulk(AVG_PNL).bulk(AVG).bulk(WIN_RATE).bulk(RATE)
                    .bulk(WINDOW_TRADES).bulk(TWENTY);
            out.array(5).bulk(SET).bulk(bytes(Keys.tradeMarker(new String(tradeId, StandardCharsets.UTF_8))))
                    .bulk(entry.id()).bulk(EX).bulk(TTL);
            out.array(4).bulk(XACK).bulk(TRADES).bulk(GROUP).bulk(entry.id());
            return 6;
        }
    }

    /**
     * Fill applied (SPEC §9): XADD of the plan entry (the worker's 24 fields), HSET of the plan's
     * state, version and fill id, EXPIRE of the plan, XACK; without the worker's reads and checks.
     */
    static final class Fills implements Effects {
        private static final String[] PLAN_ENTRY = {"position_id", "plan-0000000000", "symbol", "BTCUSDT",
            "side", "long", "fill_id", "fill-0000000000", "order", "tp1", "fill_quantity", "1", "fill_price", "101.5",
            "fee", "0.01", "open_quantity", "999", "tp1_qty", "299", "tp2_qty", "300", "tp3_qty", "400",
            "tp1_price", "101", "tp2_price", "102", "tp3_price", "103", "sl_price", "99", "sl_qty", "999",
            "stop_reason", "initial", "stop_moved", "false", "realized_pnl", "1.49", "fees", "0.01",
            "status", "open", "source_id", "0-0", "timestamp", "1732430000"};
        private static final byte[][] FIELDS = java.util.Arrays.stream(PLAN_ENTRY).map(Floor::bytes)
                .toArray(byte[][]::new);
        private static final int POSITION = 1;
        private static final int FILL = 7;
        private static final int SOURCE = 45;

        @Override
        public String input() {
            return Keys.FILLS;
        }

        @Override
        public int queue(Resp out, Entry entry) {
            byte[] position = entry.get(POSITION_ID, FIELDS[POSITION]);
            byte[] fill = entry.get(FILL_ID, FIELDS[FILL]);
            out.array(6 + FIELDS.length).bulk(XADD).bulk(PLANS).bulk(MAXLEN).bulk(TILDE).bulk(MAX_LEN).bulk(STAR);
            for (int i = 0; i < FIELDS.length; i++) {
                out.bulk(i == POSITION ? position : i == FILL ? fill : i == SOURCE ? entry.id() : FIELDS[i]);
            }
            byte[] plan = bytes(Keys.plan(new String(position, StandardCharsets.UTF_8)));
            byte[] fillField = bytes("f:" + new String(fill, StandardCharsets.UTF_8));
            out.array(8).bulk(HSET).bulk(plan).bulk(V).bulk(entry.id()).bulk(STATE_FIELD).bulk(PLAN_STATE)
                    .bulk(fillField).bulk(entry.id());
            out.array(3).bulk(EXPIRE).bulk(plan).bulk(PLAN_TTL);
            out.array(4).bulk(XACK).bulk(FILLS_STREAM).bulk(GROUP).bulk(entry.id());
            return 4;
        }
    }

    private static final byte[] EXPIRE = bytes("EXPIRE");
    private static final byte[] PLAN_STATE = bytes(Keys.PLAN_STATE);
    private static final byte[] V = bytes("v");
    private static final byte[] STATE_FIELD = bytes("state");
    private static final byte[] PLAN_TTL = bytes(Keys.PLAN_TTL_SECONDS);
    private static final byte[] PLANS = bytes(Keys.PLANS);
    private static final byte[] FILLS_STREAM = bytes(Keys.FILLS);
    private static final byte[] FILL_ID = bytes("fill_id");
    private static final byte[] XADD = bytes("XADD");
    private static final byte[] XACK = bytes("XACK");
    private static final byte[] LPUSH = bytes("LPUSH");
    private static final byte[] LTRIM = bytes("LTRIM");
    private static final byte[] HSET = bytes("HSET");
    private static final byte[] SET = bytes("SET");
    private static final byte[] EX = bytes("EX");
    private static final byte[] MAXLEN = bytes("MAXLEN");
    private static final byte[] TILDE = bytes("~");
    private static final byte[] STAR = bytes("*");
    private static final byte[] ZERO = bytes("0");
    private static final byte[] MAX_LEN = bytes(Keys.OUTPUT_MAX_LEN);
    private static final byte[] TTL = bytes(Keys.DEDUP_TTL_SECONDS);
    private static final byte[] GROUP = bytes(Keys.GROUP);
    private static final byte[] POSITIONS = bytes(Keys.POSITIONS);
    private static final byte[] TRADES = bytes(Keys.TRADES);
    private static final byte[] LEVELS = bytes(Keys.LEVELS);
    private static final byte[] STATS_STREAM = bytes(Keys.STATS);
    private static final byte[] SCOPE = bytes(Keys.GLOBAL_SCOPE);
    private static final byte[] WINDOW = bytes(Keys.GLOBAL_WINDOW);
    private static final byte[] POSITION_ID = bytes("position_id");
    private static final byte[] TRADE_ID_FIELD = bytes("trade_id");
    private static final byte[] TOTAL_TRADES = bytes("total_trades");
    private static final byte[] LAST_ID = bytes("last_id");
    private static final byte[] AVG_PNL = bytes("avg_pnl");
    private static final byte[] AVG = bytes("0.0123");
    private static final byte[] WIN_RATE = bytes("win_rate");
    private static final byte[] RATE = bytes("0.55");
    private static final byte[] WINDOW_TRADES = bytes("window_trades");
    private static final byte[] TWENTY = bytes("20");

    private Floor() {
    }

    /** The kinds of input the floor serves; one line per kind. */
    private static List<Effects> effects(Map<String, String> levelsEntry) {
        return List.of(new Levels(levelsEntry), new Trades(), new Fills());
    }

    /** {@code floor <redis url> <levels entry JSON file> <count> <consumer>}; runs until killed. */
    static void run(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        Map<String, String> levelsEntry = new ObjectMapper().readValue(Files.readString(Path.of(args[1])),
                new TypeReference<LinkedHashMap<String, String>>() {
                });
        int count = Integer.parseInt(args[2]);
        String consumer = args[3];
        List<Effects> kinds = effects(levelsEntry);
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(url.getHost(), url.getPort()));
            OutputStream os = socket.getOutputStream();
            InputStream is = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            Resp out = new Resp();
            for (Effects e : kinds) {
                out.reset();
                out.command("XGROUP", "CREATE", e.input(), Keys.GROUP, "0", "MKSTREAM");
                out.writeTo(os);
                Object reply = Resp.read(is);
                if (reply instanceof Resp.Error err && !err.message().startsWith("BUSYGROUP")) {
                    throw new IllegalStateException("XGROUP CREATE: " + err.message());
                }
            }
            // XREADGROUP GROUP g c COUNT n BLOCK 1000 STREAMS s1 .. sk > .. >
            List<String> read = new ArrayList<>(List.of("XREADGROUP", "GROUP", Keys.GROUP, consumer, "COUNT",
                    Integer.toString(count), "BLOCK", "1000", "STREAMS"));
            Map<String, Effects> byStream = new LinkedHashMap<>();
            kinds.forEach(k -> byStream.put(k.input(), k));
            read.addAll(byStream.keySet());
            byStream.keySet().forEach(s -> read.add(">"));
            Resp readCommand = new Resp();
            readCommand.command(read.toArray(String[]::new));
            while (true) {
                readCommand.writeTo(os);
                Object reply = Resp.read(is);
                if (!(reply instanceof List<?> streams)) {
                    continue; // null: nothing within the block time
                }
                out.reset();
                int commands = 0;
                for (Object s : streams) {
                    List<?> stream = (List<?>) s;
                    Effects kind = byStream.get(new String((byte[]) stream.get(0), StandardCharsets.UTF_8));
                    for (Object e : (List<?>) stream.get(1)) {
                        List<?> entry = (List<?>) e;
                        @SuppressWarnings("unchecked")
                        List<byte[]> fields = (List<byte[]>) entry.get(1);
                        commands += kind.queue(out, new Entry((byte[]) entry.get(0), fields));
                    }
                }
                out.writeTo(os);
                for (int i = 0; i < commands; i++) {
                    if (Resp.read(is) instanceof Resp.Error err) {
                        throw new IllegalStateException("a floor write failed: " + err.message());
                    }
                }
            }
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** RESP2 by hand: a growable command buffer, and a reply reader (bulk strings as byte[], arrays as lists). */
    static final class Resp {
        record Error(String message) {
        }

        private byte[] buf = new byte[1 << 20];
        private int len;

        void reset() {
            len = 0;
        }

        Resp command(String... args) {
            array(args.length);
            for (String a : args) {
                bulk(bytes(a));
            }
            return this;
        }

        Resp array(int n) {
            put((byte) '*');
            number(n);
            return this;
        }

        Resp bulk(byte[] b) {
            put((byte) '$');
            number(b.length);
            ensure(b.length + 2);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
            buf[len++] = '\r';
            buf[len++] = '\n';
            return this;
        }

        private void number(int n) {
            ensure(14);
            if (n == 0) {
                buf[len++] = '0';
            } else {
                int start = len;
                for (; n > 0; n /= 10) {
                    buf[len++] = (byte) ('0' + n % 10);
                }
                for (int i = start, j = len - 1; i < j; i++, j--) {
                    byte t = buf[i];
                    buf[i] = buf[j];
                    buf[j] = t;
                }
            }
            buf[len++] = '\r';
            buf[len++] = '\n';
        }

        private void put(byte b) {
            ensure(1);
            buf[len++] = b;
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
        }

        void writeTo(OutputStream os) throws IOException {
            os.write(buf, 0, len);
            os.flush();
        }

        static Object read(InputStream in) throws IOException {
            int type = in.read();
            switch (type) {
                case '+':
                    return line(in);
                case '-':
                    return new Error(line(in));
                case ':':
                    return Long.parseLong(line(in));
                case '$': {
                    int n = Integer.parseInt(line(in));
                    if (n < 0) {
                        return null;
                    }
                    byte[] b = in.readNBytes(n);
                    if (b.length != n || in.read() != '\r' || in.read() != '\n') {
                        throw new EOFException("truncated bulk string");
                    }
                    return b;
                }
                case '*': {
                    int n = Integer.parseInt(line(in));
                    if (n < 0) {
                        return null;
                    }
                    List<Object> items = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        items.add(read(in));
                    }
                    return items;
                }
                case -1:
                    throw new EOFException("Redis closed the connection");
                default:
                    throw new IOException("unexpected RESP type byte " + type);
            }
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder(16);
            for (int c = in.read(); c != '\r'; c = in.read()) {
                if (c < 0) {
                    throw new EOFException("Redis closed the connection");
                }
                sb.append((char) c);
            }
            in.read(); // '\n'
            return sb.toString();
        }
    }
}
