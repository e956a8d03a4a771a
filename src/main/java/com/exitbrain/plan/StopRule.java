package com.exitbrain.plan;

/** Where the stop goes once a target is reached (SPEC §9, {@code plan.after-tp1/after-tp2}). */
public enum StopRule {
    KEEP,
    BREAKEVEN,
    TP1
}
