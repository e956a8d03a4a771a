package com.exitbrain.engine;

/** Three take-profit distances and a stop distance, as fractions of price (0.01 = 1%). */
public record Levels(double tp1, double tp2, double tp3, double sl) {

    public Levels scale(double tpFactor, double slFactor) {
        return new Levels(tp1 * tpFactor, tp2 * tpFactor, tp3 * tpFactor, sl * slFactor);
    }

    public Levels withSl(double newSl) {
        return new Levels(tp1, tp2, tp3, newSl);
    }

    /** SPEC §1 step 5, progression: every level finite and positive, and tp1 < tp2 < tp3. */
    public boolean progresses() {
        return positiveFinite(tp1) && positiveFinite(tp2) && positiveFinite(tp3) && positiveFinite(sl)
                && tp1 < tp2 && tp2 < tp3;
    }

    /** The margin view: each level times the leverage, the share of margin won or lost there. */
    public Levels timesLeverage(double leverage) {
        return scale(leverage, leverage);
    }

    private static boolean positiveFinite(double x) {
        return Double.isFinite(x) && x > 0;
    }
}
