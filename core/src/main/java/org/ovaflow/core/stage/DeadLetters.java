package org.ovaflow.core.stage;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.ovaflow.core.event.DeadLetter;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.PoisonEventException;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.store.ObjectGoneException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a stage writes when it gives a record up: the ova.dlq event holding the record as it was read (headers,
 * value in base64, topic, partition, offset) with the reason and the error, and, when the record was an import
 * event, the import's FAILED status. docs/events.md describes both.
 */
public final class DeadLetters {

    /** The reasons, as ova.dlq events and {@code ovaflow_dead_letters_total{reason}} (spaces as dashes) name them. */
    public static final String UNREADABLE = "unreadable event";
    public static final String INPUT_GONE = "input gone";
    public static final String FAILED_AFTER_RETRIES = "failed after retries";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private DeadLetters() {
    }

    /** Why {@code failure} sends a record to ova.dlq: unreadable and gone at once, anything else after retries. */
    public static String reason(Throwable failure) {
        return failure instanceof PoisonEventException ? UNREADABLE
                : failure instanceof ObjectGoneException ? INPUT_GONE : FAILED_AFTER_RETRIES;
    }

    /**
     * The dead letter of {@code in} and, when its event {@code input} is known, the import's FAILED status.
     *
     * @param failure null when unknown (the error then reads "unknown")
     */
    public static List<ProducerRecord<String, byte[]>> records(String stage, ConsumedRecord in, ImportEvent input,
                                                               Throwable failure) {
        String reason = reason(failure);
        String error = failure == null ? "unknown" : failure.getClass().getSimpleName() + ": " + failure.getMessage();
        LOG.error("{}: record {} of {} goes to {}: {}", stage, in.key(), in.topic(), Topics.DLQ.topic(), error,
                failure);

        Map<String, String> headers = new LinkedHashMap<>();
        if (in.headers() != null) {
            for (Header header : in.headers()) {
                headers.put(header.key(), header.value() == null ? null
                        : new String(header.value(), StandardCharsets.UTF_8));
            }
        }
        DeadLetter letter = new DeadLetter(ImportEvent.SCHEMA_VERSION, stage, reason, error, in.topic(),
                in.partition(), in.offset(), in.key(), headers,
                in.value() == null ? null : Base64.getEncoder().encodeToString(in.value()), Instant.now());

        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        String key = in.key() != null ? in.key() : in.topic() + "-" + in.partition() + "-" + in.offset();
        records.add(EventCodec.toRecord(Topics.DLQ, stage, key, letter));
        if (input != null) {
            records.add(EventCodec.toRecord(Topics.STATUS, stage,
                    OutcomeRecords.status(stage, input, StatusEvent.State.FAILED, reason + ": " + error)));
        }
        return records;
    }

    /**
     * Counts records written to ova.dlq by their {@code reasons}: only once written, so that a failed DLQ write,
     * read again, is counted once.
     */
    public static void count(StageMetrics metrics, String stage, Collection<String> reasons) {
        for (String reason : reasons) {
            metrics.deadLetterOutcome(stage);
            metrics.deadLettered(stage, reason.replace(' ', '-'));
        }
    }
}
