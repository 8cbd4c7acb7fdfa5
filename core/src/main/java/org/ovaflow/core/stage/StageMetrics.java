package org.ovaflow.core.stage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.store.StoreTraffic;

import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters every stage keeps, on the registry of the process that runs it (the launcher's Prometheus registry):
 * imports by outcome, rejections by failed check, bytes in and out, how long one import takes in the stage,
 * imports in flight, retries and dead letters. Prometheus names are the Micrometer names below with dots as
 * underscores, the base unit and {@code _total} on counters (e.g. {@code ovaflow_imports_total}).
 *
 * <p>One instance per registry, shared by the stages of a process; two pipelines in one JVM (tests) each have
 * their own and count apart.
 *
 * <p>Label values are bounded sets from the code (stage names, states, check ids, reasons), never data of
 * an import or of the configuration.
 */
public final class StageMetrics {

    /** The outcome of a record sent to ova.dlq (its import's status is FAILED). */
    public static final String DEAD_LETTER = "dead-letter";

    private final MeterRegistry registry;
    /** Per stage, the imports being worked on: the gauge reads it, so it must live as long as the registry. */
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    public StageMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Registers at zero every series of {@code stage} known before its first import: in flight, retries, dead
     * letters by reason, imports by each of its {@code outcomes} and by {@code dead-letter}, rejections by each
     * check id of {@code rejectingChecks}. A counter that first appears at 1 has no earlier sample for
     * Prometheus's increase() and rate() to start from, so the first imports would never be counted by the
     * dashboard or the alerts; and a series that exists shows 0 rather than nothing.
     *
     * @param outcomes        the states the stage can end an import in (FAILED is counted as dead-letter)
     * @param rejectingChecks the ids of the checks whose failure makes the stage reject an import
     */
    public void declare(String stage, Collection<StatusEvent.State> outcomes, Collection<String> rejectingChecks) {
        inFlight(stage);
        retries(stage);
        for (String reason : new String[]{"unreadable-event", "input-gone", "failed-after-retries"}) {
            deadLetters(stage, reason);
        }
        for (StatusEvent.State state : outcomes) {
            imports(stage, outcomeOf(state));
        }
        imports(stage, DEAD_LETTER);
        for (String check : rejectingChecks) {
            rejects(stage, check);
        }
    }

    /** One import finished in {@code stage} in {@code state}. */
    public void outcome(String stage, StatusEvent.State state) {
        imports(stage, outcomeOf(state)).increment();
    }

    /** One record of {@code stage} went to ova.dlq: counted as the outcome {@code dead-letter}. */
    public void deadLetterOutcome(String stage) {
        imports(stage, DEAD_LETTER).increment();
    }

    private static String outcomeOf(StatusEvent.State state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    private Counter imports(String stage, String outcome) {
        return Counter.builder("ovaflow.imports").description("Imports a stage finished, by outcome")
                .tag("stage", stage).tag("outcome", outcome)
                .register(registry);
    }

    /** {@code stage} rejected an import because check {@code checkId} (e.g. manifest.digest) failed. */
    public void rejected(String stage, String checkId) {
        rejects(stage, checkId).increment();
    }

    private Counter rejects(String stage, String checkId) {
        return Counter.builder("ovaflow.rejects").description("Failed checks of the imports a stage rejected, by check id")
                .tag("stage", stage).tag("check", checkId)
                .register(registry);
    }

    public void duration(String stage, Duration took) {
        Timer.builder("ovaflow.stage.duration").description("Time a stage spent on one import")
                .tag("stage", stage).publishPercentileHistogram()
                .register(registry).record(took);
    }

    /** Bytes a stage read from ({@code in}) or wrote to ({@code out}) the object store. */
    public void bytes(String stage, String direction, long bytes) {
        Counter.builder("ovaflow.stage.bytes").description("Bytes a stage moved to or from the object store")
                .baseUnit("bytes").tag("stage", stage).tag("direction", direction)
                .register(registry).increment(bytes);
    }

    /**
     * What {@code stage} asks the object store to move, for {@link org.ovaflow.core.store.ObjectStore#counted}:
     * {@code ovaflow_store_bytes_total{stage,op}} (op get, put, copy: bytes read, written, copied on the store's
     * side) and {@code ovaflow_store_requests_total{stage,op}} (get, put, copy, head, list, delete, upload), every
     * series registered at zero now.
     */
    public StoreTraffic storeTraffic(String stage) {
        Map<StoreTraffic.Op, Counter> bytes = new EnumMap<>(StoreTraffic.Op.class);
        for (StoreTraffic.Op op : StoreTraffic.Op.values()) {
            bytes.put(op, Counter.builder("ovaflow.store.bytes")
                    .description("Bytes a stage asked the object store to move: read, written, copied on its side")
                    .baseUnit("bytes").tag("stage", stage).tag("op", op.label()).register(registry));
        }
        Map<StoreTraffic.Request, Counter> requests = new EnumMap<>(StoreTraffic.Request.class);
        for (StoreTraffic.Request request : StoreTraffic.Request.values()) {
            requests.put(request, Counter.builder("ovaflow.store.requests")
                    .description("Requests a stage sent to the object store, by kind")
                    .tag("stage", stage).tag("op", request.label()).register(registry));
        }
        return new StoreTraffic() {
            @Override
            public void bytes(Op op, long n) {
                bytes.get(op).increment(n);
            }

            @Override
            public void request(Request request) {
                requests.get(request).increment();
            }
        };
    }

    /** {@code stage} took up an import; call {@link #finished} when it is done with it, whatever the end. */
    public void started(String stage) {
        inFlight(stage).incrementAndGet();
    }

    public void finished(String stage) {
        inFlight(stage).decrementAndGet();
    }

    private AtomicInteger inFlight(String stage) {
        return inFlight.computeIfAbsent(stage, s -> {
            AtomicInteger count = new AtomicInteger();
            Gauge.builder("ovaflow.imports.in.flight", count, AtomicInteger::get)
                    .description("Imports a stage is working on right now").tag("stage", s)
                    .register(registry);
            return count;
        });
    }

    /** The error handler of {@code stage} tries a failed record once more. */
    public void retried(String stage) {
        retries(stage).increment();
    }

    private Counter retries(String stage) {
        return Counter.builder("ovaflow.retries").description("Redelivery attempts of a stage's error handler")
                .tag("stage", stage)
                .register(registry);
    }

    /**
     * {@code stage} wrote a record to ova.dlq; {@code reason} is {@code unreadable-event}, {@code input-gone}
     * or {@code failed-after-retries}.
     */
    public void deadLettered(String stage, String reason) {
        deadLetters(stage, reason).increment();
    }

    private Counter deadLetters(String stage, String reason) {
        return Counter.builder("ovaflow.dead.letters").description("Records a stage sent to ova.dlq, by reason")
                .tag("stage", stage).tag("reason", reason)
                .register(registry);
    }
}
