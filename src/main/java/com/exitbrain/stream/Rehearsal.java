package com.exitbrain.stream;

import com.exitbrain.config.Settings;
import com.exitbrain.health.WorkerMetrics;
import com.exitbrain.pnl.PnlKeys;
import com.exitbrain.pnl.ScopeState;
import io.lettuce.core.StreamMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The worker's own batch code run on synthetic entries, for the warm-up: parsing, the engine, the
 * plan rules, formatting and the commit calls' encoding are the methods the JIT must have compiled
 * before the first real batch. A {@link BatchProcessor} of its own (own caches, own metrics, no
 * Redis): the state is what its caches say, starting from empty scopes; its commit calls are
 * written into a throwaway buffer, and every entry is taken as committed, except dead letters,
 * taken as handled before ("gone"), so that no warm-up entry is ever logged as a dead letter.
 */
public final class Rehearsal implements BatchProcessor.Committer, AutoCloseable {
    private final Settings settings;
    private final BatchProcessor processor;
    private final ByteBuf scratch = ByteBufAllocator.DEFAULT.heapBuffer(256 * 1024);
    private int positions;
    private int trades;
    private int fills;
    private int deadLetters;
    private long bytes;

    /** What went through: entries by op, and the bytes of their commit calls. */
    public record Tally(int positions, int trades, int fills, int deadLetters, long bytes) {
    }

    /** @param symbols the symbols of the synthetic entries: their scopes start empty */
    public Rehearsal(Settings settings, Collection<String> symbols) {
        this.settings = settings;
        this.processor = new BatchProcessor(settings, null, new WorkerMetrics(), Clock.systemUTC(), this);
        processor.assumeScope(PnlKeys.GLOBAL, ScopeState.empty(), "");
        symbols.forEach(s -> processor.assumeScope(settings.pnlScopeOf(s), ScopeState.empty(), ""));
    }

    /** One batch, as read from the input streams (first deliveries). */
    public void process(List<StreamMessage<String, String>> messages) {
        List<Inbound> batch = new ArrayList<>(messages.size());
        for (StreamMessage<String, String> m : messages) {
            batch.add(new Inbound(InputKind.of(settings.streams(), m.getStream()), m.getStream(), m.getId(), m.getBody(), 1));
        }
        processor.process(batch);
    }

    public Tally tally() {
        return new Tally(positions, trades, fills, deadLetters, bytes);
    }

    @Override
    public void send(CommitCall call) {
        scratch.clear();
        bytes += call.writeTo(scratch);
    }

    @Override
    public List<List<Object>> replies(List<CommitCall> calls) {
        List<List<Object>> replies = new ArrayList<>(calls.size());
        for (CommitCall call : calls) {
            CharSequence ops = call.ops();
            List<Object> codes = new ArrayList<>(ops.length());
            for (int i = 0; i < ops.length(); i++) {
                char op = ops.charAt(i);
                switch (op) {
                    case 'L' -> positions++;
                    case 'T' -> trades++;
                    case 'F' -> fills++;
                    default -> deadLetters++;
                }
                codes.add(op == 'D' || op == 'R' ? "gone" : "ok");
            }
            replies.add(codes);
        }
        return replies;
    }

    @Override
    public void discard() {
        // nothing kept between calls
    }

    @Override
    public void close() {
        scratch.release();
    }
}
