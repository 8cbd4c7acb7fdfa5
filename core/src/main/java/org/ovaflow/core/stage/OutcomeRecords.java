package org.ovaflow.core.stage;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.PoisonEventException;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns what one stage made of its input into the Kafka records to write: for each outcome the next event (if
 * any) and the import's new status; in a batch, also the dead letters of the records that failed alone. Counts
 * each outcome, rejection and duration in the stage's metrics as it goes; dead letters are counted by the route
 * once written ({@link DeadLetters#count}).
 */
public final class OutcomeRecords {

    private final String stage;
    private final StageMetrics metrics;

    public OutcomeRecords(String stage, StageMetrics metrics) {
        this.stage = Objects.requireNonNull(stage, "stage");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** The next event (none when the import ends here) and the status of {@code outcome}. */
    public List<ProducerRecord<String, byte[]>> of(StageOutcome outcome) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        if (outcome.next() != null) {
            records.add(EventCodec.toRecord(outcome.next(), stage, outcome.event()));
        }
        records.add(EventCodec.toRecord(Topics.STATUS, stage,
                status(stage, outcome.event(), outcome.state(), outcome.message())));
        metrics.outcome(stage, outcome.state());
        if (outcome.state() == StatusEvent.State.REJECTED) {
            outcome.event().failedChecks().forEach(check -> metrics.rejected(stage, check.id()));
        }
        return records;
    }

    /**
     * One record of a batch as read: its event, or why it cannot be worked on (it alone goes to ova.dlq).
     *
     * @param event   null when unreadable
     * @param failure null when readable
     */
    public record BatchEntry(ConsumedRecord record, ImportEvent event, RuntimeException failure) {

        /** Reads the record's event; any failure to read it makes it unreadable, not the batch. */
        public static BatchEntry read(ConsumedRecord record) {
            try {
                return new BatchEntry(record, record.readEvent(), null);
            } catch (PoisonEventException e) {
                return new BatchEntry(record, null, e);
            } catch (RuntimeException e) {
                return new BatchEntry(record, null,
                        new PoisonEventException("unreadable record: " + e, e));
            }
        }
    }

    /** The records a batch caused, and the reasons of those among them that go to ova.dlq (in their order). */
    public record BatchRecords(List<ProducerRecord<String, byte[]>> records, List<String> deadLetterReasons) {
    }

    /**
     * The records of a batch, in its order: each readable entry's outcome (from {@code outcomes}, one per readable
     * entry in order), or its dead letter when its outcome is a failure or it is unreadable.
     *
     * @param took how long the batch took, counted as the duration of each import it finished
     * @throws IllegalStateException when the work made more or fewer outcomes than the batch had events
     */
    public BatchRecords ofBatch(List<BatchEntry> batch, List<BatchOutcome> outcomes, Duration took) {
        long events = batch.stream().filter(entry -> entry.failure() == null).count();
        if (outcomes.size() != events) {
            throw new IllegalStateException(stage + " made " + outcomes.size() + " outcomes of " + events + " events");
        }
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        List<String> deadLetters = new ArrayList<>();
        int next = 0;
        for (BatchEntry entry : batch) {
            RuntimeException failure = entry.failure();
            if (failure == null) {
                BatchOutcome outcome = outcomes.get(next++);
                failure = outcome.failure();
                if (failure == null) {
                    records.addAll(of(outcome.outcome()));
                    metrics.duration(stage, took);
                    continue;
                }
            }
            records.addAll(DeadLetters.records(stage, entry.record(), entry.event(), failure));
            deadLetters.add(DeadLetters.reason(failure));
        }
        return new BatchRecords(records, deadLetters);
    }

    /** The status event of {@code event}, now in {@code state} in {@code stage}. */
    public static StatusEvent status(String stage, ImportEvent event, StatusEvent.State state, String message) {
        return new StatusEvent(ImportEvent.SCHEMA_VERSION, event.importId(), stage, state,
                event.source() == null ? null : event.source().toString(), message, event.catalogPath(),
                Instant.now());
    }
}
