package com.exitbrain.bench;

import com.exitbrain.engine.LevelEngine;
import com.exitbrain.engine.LevelSet;
import com.exitbrain.engine.PositionRequest;
import com.exitbrain.engine.Side;
import com.exitbrain.engine.Tuning;
import com.exitbrain.output.LevelsRecord;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Level sets per second and bytes allocated per call (with {@code -prof gc}) for one position:
 * source example 2 (50x), as a bare level computation, with a side, entry, quantity, tick and lot
 * (the BigDecimal path of SPEC §1 steps 8 and 9), and formatted as a levels stream entry.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class LevelEngineBenchmark {
    // Non-final state fields: JMH reads them on each call, so the JIT cannot fold the inputs away.
    private LevelEngine engine;
    private PositionRequest levelsOnly;
    private PositionRequest sized;
    private LevelSet sizedSet;
    private LevelsRecord.Context context;

    @Setup
    public void setUp() {
        engine = new LevelEngine(Tuning.defaults());
        levelsOnly = PositionRequest.of(50, 1.5, 0.65, -0.05);
        BigDecimal entry = new BigDecimal("65000.5");
        BigDecimal quantity = new BigDecimal("0.537");
        BigDecimal tick = new BigDecimal("0.1");
        BigDecimal lot = new BigDecimal("0.001");
        sized = new PositionRequest(50, 1.5, 0.65, -0.05, Optional.of(Side.LONG), entry, quantity, tick, lot, 0.004);
        sizedSet = engine.compute(sized);
        context = new LevelsRecord.Context("BTCUSDT", "pos-1", "1700000000000-0", Side.LONG, entry, quantity, tick,
                lot, 0.004);
    }

    /** SPEC §1 steps 1 to 7 only: no side, no prices, no quantities. */
    @Benchmark
    public LevelSet levelsOnly() {
        return engine.compute(levelsOnly);
    }

    /** The whole computation with exact-decimal prices on the tick and stage quantities on the lot. */
    @Benchmark
    public LevelSet levelsWithPricesAndQuantities() {
        return engine.compute(sized);
    }

    /** The levels stream entry of SPEC §3 for an already computed set: plain-decimal strings. */
    @Benchmark
    public Map<String, String> levelsRecordFields() {
        return LevelsRecord.fields(sizedSet, context, 1_700_000_000L);
    }
}
