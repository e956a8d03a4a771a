package com.exitbrain.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every input the engine refuses (SPEC §3, §8), with its error code and a reason naming the field. */
class RejectedInputTest {
    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;

    private final LevelEngine engine = new LevelEngine(Tuning.defaults());

    /** A valid request changed in one place. */
    private record Input(double leverage, double volatility, double confidence, double averagePnl, String entry,
                         String quantity, String tick, String lot, double mmr) {
        static Input valid() {
            return new Input(10, 1, 0.5, 0, "100", "1", "0.1", "0.01", 0);
        }

        PositionRequest request() {
            return new PositionRequest(leverage, volatility, confidence, averagePnl, Optional.of(Side.LONG),
                    decimal(entry), decimal(quantity), decimal(tick), decimal(lot), mmr);
        }

        private static BigDecimal decimal(String text) {
            return text == null ? null : new BigDecimal(text);
        }

        Input leverage(double v) {
            return new Input(v, volatility, confidence, averagePnl, entry, quantity, tick, lot, mmr);
        }

        Input volatility(double v) {
            return new Input(leverage, v, confidence, averagePnl, entry, quantity, tick, lot, mmr);
        }

        Input confidence(double v) {
            return new Input(leverage, volatility, v, averagePnl, entry, quantity, tick, lot, mmr);
        }

        Input averagePnl(double v) {
            return new Input(leverage, volatility, confidence, v, entry, quantity, tick, lot, mmr);
        }

        Input entry(String v) {
            return new Input(leverage, volatility, confidence, averagePnl, v, quantity, tick, lot, mmr);
        }

        Input quantity(String v) {
            return new Input(leverage, volatility, confidence, averagePnl, entry, v, tick, lot, mmr);
        }

        Input tick(String v) {
            return new Input(leverage, volatility, confidence, averagePnl, entry, quantity, v, lot, mmr);
        }

        Input lot(String v) {
            return new Input(leverage, volatility, confidence, averagePnl, entry, quantity, tick, v, mmr);
        }

        Input mmr(double v) {
            return new Input(leverage, volatility, confidence, averagePnl, entry, quantity, tick, lot, v);
        }
    }

    static Stream<Arguments> refused() {
        Input ok = Input.valid();
        return Stream.of(
                Arguments.of("leverage 0.5", ok.leverage(0.5), ErrorCode.OUT_OF_RANGE, "leverage"),
                Arguments.of("leverage 0", ok.leverage(0), ErrorCode.OUT_OF_RANGE, "leverage"),
                Arguments.of("leverage 126", ok.leverage(126), ErrorCode.OUT_OF_RANGE, "leverage"),
                Arguments.of("leverage NaN", ok.leverage(NAN), ErrorCode.INVALID_NUMBER, "leverage"),
                Arguments.of("leverage Infinity", ok.leverage(INF), ErrorCode.INVALID_NUMBER, "leverage"),
                Arguments.of("leverage -Infinity", ok.leverage(-INF), ErrorCode.INVALID_NUMBER, "leverage"),
                Arguments.of("volatility -0.1", ok.volatility(-0.1), ErrorCode.OUT_OF_RANGE, "volatility_factor"),
                Arguments.of("volatility 10.1", ok.volatility(10.1), ErrorCode.OUT_OF_RANGE, "volatility_factor"),
                Arguments.of("volatility NaN", ok.volatility(NAN), ErrorCode.INVALID_NUMBER, "volatility_factor"),
                Arguments.of("confidence 1.1", ok.confidence(1.1), ErrorCode.OUT_OF_RANGE, "confidence"),
                Arguments.of("confidence -0.01", ok.confidence(-0.01), ErrorCode.OUT_OF_RANGE, "confidence"),
                Arguments.of("confidence NaN", ok.confidence(NAN), ErrorCode.INVALID_NUMBER, "confidence"),
                Arguments.of("avg PnL NaN", ok.averagePnl(NAN), ErrorCode.INVALID_NUMBER, "avg_pnl_last_20"),
                Arguments.of("avg PnL Infinity", ok.averagePnl(INF), ErrorCode.INVALID_NUMBER, "avg_pnl_last_20"),
                Arguments.of("mmr 0.6", ok.mmr(0.6), ErrorCode.OUT_OF_RANGE, "maintenance_margin_rate"),
                Arguments.of("mmr -0.001", ok.mmr(-0.001), ErrorCode.OUT_OF_RANGE, "maintenance_margin_rate"),
                Arguments.of("mmr NaN", ok.mmr(NAN), ErrorCode.INVALID_NUMBER, "maintenance_margin_rate"),
                Arguments.of("entry 0", ok.entry("0"), ErrorCode.OUT_OF_RANGE, "entry_price"),
                Arguments.of("entry -100", ok.entry("-100"), ErrorCode.OUT_OF_RANGE, "entry_price"),
                Arguments.of("quantity 0", ok.quantity("0.000"), ErrorCode.OUT_OF_RANGE, "quantity"),
                Arguments.of("quantity -1", ok.quantity("-1"), ErrorCode.OUT_OF_RANGE, "quantity"),
                Arguments.of("tick 0", ok.tick("0"), ErrorCode.OUT_OF_RANGE, "tick_size"),
                Arguments.of("tick -0.1", ok.tick("-0.1"), ErrorCode.OUT_OF_RANGE, "tick_size"),
                Arguments.of("tick equal to entry", ok.tick("100"), ErrorCode.OUT_OF_RANGE, "tick_size"),
                Arguments.of("lot 0", ok.lot("0"), ErrorCode.OUT_OF_RANGE, "lot_size"),
                Arguments.of("lot -0.01", ok.lot("-0.01"), ErrorCode.OUT_OF_RANGE, "lot_size"),
                Arguments.of("mmr leaving no distance", ok.mmr(0.1), ErrorCode.LIQUIDATION, "maintenance_margin_rate"));
    }

    @ParameterizedTest(name = "{0} is refused as {2}")
    @MethodSource("refused")
    void invalidInputIsRefusedWithItsCodeAndField(String name, Input input, ErrorCode code, String field) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> engine.compute(input.request()));

        assertEquals(code, e.code(), e.reason());
        assertTrue(e.reason().startsWith(field + " "), "the reason names " + field + ": " + e.reason());
        assertTrue(e.reason().endsWith("."), "a sentence: " + e.reason());
    }

    @Test
    void theValidBaselineIsAccepted() {
        // guards the table above: each row fails for its one changed value, not for the baseline
        LevelSet set = engine.compute(Input.valid().request());
        assertTrue(set.prices().isPresent() && set.quantities().isPresent());
    }

    @Test
    void rangeMessagesGiveTheValueAndTheRange() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> engine.compute(Input.valid().leverage(126).request()));
        assertEquals("leverage is 126, outside 1..125.", e.reason());
        assertEquals("out_of_range", e.code().wire());
    }

    @Test
    void maximumLeverageComesFromTheTuning() {
        Tuning fifty = new Tuning(0.01, 0.005, new Levels(0.010, 0.015, 0.020, 0.005), 50, true, true);
        LevelEngine capped = new LevelEngine(fifty);

        capped.compute(PositionRequest.of(50, 1, 0.5, 0));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> capped.compute(PositionRequest.of(50.5, 1, 0.5, 0)));
        assertEquals(ErrorCode.OUT_OF_RANGE, e.code());
        assertTrue(e.reason().contains("1..50"), e.reason());
    }

    @Test
    void sideMustBeOneOfTheFourWords() {
        assertEquals(Side.LONG, Side.parse("BUY"));
        assertEquals(Side.LONG, Side.parse(" long "));
        assertEquals(Side.SHORT, Side.parse("Sell"));
        assertEquals(Side.SHORT, Side.parse("short"));
        assertEquals(Optional.empty(), Side.parseOptional(""));
        assertEquals(Optional.empty(), Side.parseOptional(null));

        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Side.parse("up"));
        assertEquals(ErrorCode.INVALID_VALUE, e.code());
        assertTrue(e.reason().startsWith("side "), e.reason());
    }
}
