package org.ovaflow.core.stage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters every stage keeps, on Micrometer's global registry (the launcher adds its Prometheus registry
 * there): imports by outcome, rejections by failed check, bytes in and out, how long one import takes in the
 * stage, imports in flight, retries and dead letters. Prometheus names are the Micrometer names below with
 * dots as underscores, the base unit and {@code _total} on counters (e.g. {@code ovaflow_imports_total}).
 *
 * <p>Label values are bounded sets from the code (stage names, states, check ids, reasons), never data of
 * an import or of the configuration.
 */
public final class StageMetrics {

    /** Per stage, the imports being worked on: the gauge reads it, so it must live as long as the process. */
    private static final Map<String, AtomicInteger> IN_FLIGHT = new ConcurrentHashMap<>();

    private StageMetrics() {
    }

    /**
     * Registers at zero the meters of {@code stage} that may stay untouched for long (in flight, retries, dead
     * letters), so that a dashboard shows 0 and an alert's rate() has a series, rather than nothing.
     */
    public static void declare(String stage) {
        inFlight(stage);
        retries(stage);
        for (String reason : new String[]{"unreadable-event", "input-gone", "failed-after-retries"}) {
            deadLetters(stage, reason);
        }
    }

    /** One import finished in {@code stage} with {@code outcome}: a lower-case state, or {@code dead-letter}. */
    public static void outcome(String stage, String outcome) {
        Counter.builder("ovaflow.imports").description("Imports a stage finished, by outcome")
                .tag("stage", stage).tag("outcome", outcome)
                .register(Metrics.globalRegistry).increment();
    }

    /** {@code stage} rejected an import because check {@code checkId} (e.g. manifest.digest) failed. */
    public static void rejected(String stage, String checkId) {
        Counter.builder("ovaflow.rejects").description("Failed checks of the imports a stage rejected, by check id")
                .tag("stage", stage).tag("check", checkId)
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

    /** {@code stage} took up an import; call {@link #finished} when it is done with it, whatever the end. */
    public static void started(String stage) {
        inFlight(stage).incrementAndGet();
    }

    public static void finished(String stage) {
        inFlight(stage).decrementAndGet();
    }

    private static AtomicInteger inFlight(String stage) {
        return IN_FLIGHT.computeIfAbsent(stage, s -> {
            AtomicInteger count = new AtomicInteger();
            Gauge.builder("ovaflow.imports.in.flight", count, AtomicInteger::get)
                    .description("Imports a stage is working on right now").tag("stage", s)
                    .register(Metrics.globalRegistry);
            return count;
        });
    }

    /** The error handler of {@code stage} tries a failed record once more. */
    public static void retried(String stage) {
        retries(stage).increment();
    }

    private static Counter retries(String stage) {
        return Counter.builder("ovaflow.retries").description("Redelivery attempts of a stage's error handler")
                .tag("stage", stage)
                .register(Metrics.globalRegistry);
    }

    /**
     * {@code stage} wrote a record to ova.dlq; {@code reason} is {@code unreadable-event}, {@code input-gone}
     * or {@code failed-after-retries}.
     */
    public static void deadLettered(String stage, String reason) {
        deadLetters(stage, reason).increment();
    }

    private static Counter deadLetters(String stage, String reason) {
        return Counter.builder("ovaflow.dead.letters").description("Records a stage sent to ova.dlq, by reason")
                .tag("stage", stage).tag("reason", reason)
                .register(Metrics.globalRegistry);
    }
}
