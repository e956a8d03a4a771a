package com.exitbrain.health;

/** A rendered health answer: 200 when healthy, 503 when not. */
public record HealthReport(boolean healthy, String json) {
}
