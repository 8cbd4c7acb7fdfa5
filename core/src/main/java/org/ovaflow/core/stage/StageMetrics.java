package org.ovaflow.core.stage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/**
 * The meters every stage keeps, on Micrometer's global registry (the launcher adds its Prometheus registry
 * there): imports by outcome, bytes in and out, and how long one import takes in the stage.
 */
public final class StageMetrics {

    private StageMetrics() {
    }

    public static void outcome(String stage, String outcome) {
        Counter.builder("ovaflow.imports").description("Imports a stage finished, by outcome")
                .tag("stage", stage).tag("outcome", outcome)
                .register(Metrics.globalRegistry).increment();
    }

    public static void duration(String stage, Duration took) {
        Timer.builder("ovaflow.stage.duration").description("Time a stage spent on one import")
                .tag("stage", stage).publishPercentileHistogram()
                .register(Metrics.globalRegistry).record(took);
    }

    /** Bytes a stage read from ({@code in}) or wrote to ({@code out}) the object store. */
    public static void bytes(String stage, String direction, long bytes) {
        Counter.builder("ovaflow.stage.bytes").description("Bytes a stage moved to or from the object store")
                .baseUnit("bytes").tag("stage", stage).tag("direction", direction)
                .register(Metrics.globalRegistry).increment(bytes);
    }
}
