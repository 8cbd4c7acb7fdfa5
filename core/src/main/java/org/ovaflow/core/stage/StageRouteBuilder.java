package org.ovaflow.core.stage;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.DefaultMessage;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The base of every stage's routes: how a stage reads its topic, writes its outcome and commits, and what
 * happens when it cannot — declared once here so that each stage's RouteBuilder reads like the flow.
 *
 * <p>Delivery: each stage is its own consumer group; the offset of a record is committed only after the
 * events it caused are acknowledged by all in-sync replicas (at least once). Infrastructure failures are
 * retried with exponential backoff and jitter, then the record goes to ova.dlq with the reason and the
 * import's status becomes FAILED; a record that is not an event this code can read, or whose object was
 * deleted or replaced before its turn, goes to ova.dlq at once.
 * If even the DLQ cannot be written, the offset stays uncommitted and the record is read again.
 */
public abstract class StageRouteBuilder extends RouteBuilder {

    /** Exchange property carrying the decoded input event, for the error handler's status line. */
    private static final String INPUT_EVENT = "ovaflowInputEvent";
    private static final String STARTED = "ovaflowStarted";
    /** Exchange property carrying why each record goes to ova.dlq, counted once they are written there. */
    private static final String DEAD_LETTER_REASONS = "ovaflowDeadLetterReasons";
    /** Exchange property of a batch's exchange: its {@link BatchRecord}s, in the order of the batch. */
    private static final String BATCH = "ovaflowBatch";
    private static final Logger LOG = LoggerFactory.getLogger(StageRouteBuilder.class);

    /** The meters of the process that runs the stage: given by whoever builds the pipeline, never global. */
    private final StageMetrics metrics;

    protected StageRouteBuilder(StageMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** The meters this stage counts on, for a subclass's own routes. */
    protected StageMetrics metrics() {
        return metrics;
    }

    @Override
    public final void configure() throws Exception {
        metrics.declare(stage(), outcomes(), rejectingChecks());
        // neither an unreadable record nor an input deleted or replaced meanwhile gets better by retrying
        onException(PoisonEventException.class, ObjectGoneException.class)
                .handled(true)
                .useOriginalMessage()
                .process(this::deadLetter)
                .to(producer())
                .process(this::countDeadLetters)
                .process(StageRouteBuilder::commitOffset);

        onException(Exception.class)
                .handled(true)
                .useOriginalMessage()
                // the defaults wait out about a minute (0.5, 1, 2, 4, 8, then 15 s apart, jittered): a broker or
                // store restarting loses no import; a longer outage sends them to ova.dlq, to replay
                .maximumRedeliveries("{{ovaflow.retry.attempts:8}}")
                .redeliveryDelay("{{ovaflow.retry.initial-delay-ms:500}}")
                .useExponentialBackOff()
                .backOffMultiplier(2)
                .useCollisionAvoidance()
                .maximumRedeliveryDelay("{{ovaflow.retry.max-delay-ms:15000}}")
                .retryAttemptedLogLevel(org.apache.camel.LoggingLevel.WARN)
                .onRedelivery(exchange -> metrics.retried(stage()))
                .process(this::deadLetter)
                .to(producer())
                .process(this::countDeadLetters)
                .process(StageRouteBuilder::commitOffset);

        configureStage();
    }

    /** The stage's routes, written with {@link #fromTopic}, {@link #readEvent}, {@link #writeOutcome} etc. */
    protected abstract void configureStage() throws Exception;

    /** The name of the stage: its consumer group is {@code ovaflow-<stage>}. */
    protected abstract String stage();

    /**
     * The states this stage ends imports in (a record sent to ova.dlq aside): their counters start at 0, so that
     * Prometheus counts the first import too.
     */
    protected abstract Set<StatusEvent.State> outcomes();

    /**
     * The ids of the checks whose failure makes this stage reject an import (none by default): their counters
     * start at 0. The stage's module keeps the list beside the checks, tested against them.
     */
    protected Set<String> rejectingChecks() {
        return Set.of();
    }

    /**
     * Consumes {@code topic} as this stage's consumer group, one record at a time, committing by hand. Each of
     * the process's consumers of the stage ({@code ovaflow.stage.<stage>.consumers}, default 1) is a member of
     * the group with partitions of its own, handled one record after the other. Default 1: Kafka's assignors
     * hand partitions to members in the order of their ids, so one process with several consumers would take
     * every partition from the processes started after it (ScaleOutIT).
     */
    protected RouteDefinition fromTopic(Topics topic) {
        return from(consumer(topic) + "&maxPollRecords=1")
                .routeId(stage())
                .process(this::takeUp).id(stage() + "-take-up");
    }

    /**
     * Consumes {@code topic} like {@link #fromTopic} but hands the route a batch at a time: the records a poll
     * returned, up to {@code ovaflow.stage.<stage>.batch-size} (default 200), a partial batch once its first
     * record waited {@code ovaflow.stage.<stage>.batch-wait-ms} (default 200) or no more came. For a stage whose
     * work has a cost per batch that does not depend on its size (the publish stage's catalog index). 200, not
     * 50: 1,000 imports through bench/onboard.sh went at 4.7 a second against 3.8 with batches of 50; a batch of
     * 200 entries takes seconds of work, far from Kafka's 5 minutes between polls.
     */
    protected RouteDefinition fromTopicInBatches(Topics topic) {
        return from(consumer(topic) + "&batching=true"
                + "&maxPollRecords={{ovaflow.stage." + stage() + ".batch-size:200}}"
                + "&batchingIntervalMs={{ovaflow.stage." + stage() + ".batch-wait-ms:200}}")
                .routeId(stage())
                .process(this::takeUpBatch).id(stage() + "-take-up");
    }

    private String consumer(Topics topic) {
        return "kafka:" + topic.topic()
                + "?brokers={{ovaflow.kafka.brokers}}"
                + "&groupId=ovaflow-" + stage()
                + "&clientId=ovaflow-" + stage() + "-{{ovaflow.instance:1}}"
                // a consumer waits on the store and the broker most of the time: more of them let a lone
                // process of a stage work on one import per partition at once
                + "&consumersCount={{ovaflow.stage." + stage() + ".consumers:1}}"
                + "&autoOffsetReset=earliest"
                + "&allowManualCommit=true&autoCommitEnable=false"
                + "&breakOnFirstError=true"
                // the consumer notices a stop between polls: short polls make shutdown quick
                + "&pollTimeoutMs=500"
                // a stage may work on one import for a long time (a large disk): keep the partition meanwhile
                + "&maxPollIntervalMs={{ovaflow.stage." + stage() + ".max-poll-interval-ms:3600000}}"
                + "&valueDeserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer";
    }

    /** Counts the record as in flight until its exchange is done, however it ends. */
    private void takeUp(Exchange exchange) {
        metrics.started(stage());
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                metrics.finished(stage());
            }
        });
    }

    /** Reads each record of the batch and counts them as in flight until the batch's exchange is done. */
    private void takeUpBatch(Exchange exchange) {
        List<BatchRecord> batch = new ArrayList<>();
        for (Object record : exchange.getIn().getBody(List.class)) {
            Message message = ((Exchange) record).getIn();
            try {
                batch.add(new BatchRecord(message, decode(message), null));
            } catch (PoisonEventException e) {
                batch.add(new BatchRecord(message, null, e));
            } catch (RuntimeException e) {
                // whatever else a record's decoding throws, the record is unreadable: it alone goes to ova.dlq
                batch.add(new BatchRecord(message, null, new PoisonEventException("unreadable record: " + e, e)));
            }
        }
        exchange.setProperty(BATCH, batch);
        exchange.setProperty(STARTED, System.nanoTime());
        batch.forEach(record -> metrics.started(stage()));
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                batch.forEach(record -> metrics.finished(stage()));
            }
        });
    }

    /**
     * One record of a batch: its message, its event (null when unreadable) and, once known, why it goes to ova.dlq
     * on its own (null: it has an outcome).
     */
    private record BatchRecord(Message message, ImportEvent event, RuntimeException failure) {
    }

    /** The producer every stage writes through: acks from all in-sync replicas, idempotent, topic per record. */
    protected String producer() {
        return "kafka:" + Topics.DLQ.topic()
                + "?brokers={{ovaflow.kafka.brokers}}"
                + "&requestRequiredAcks=all&enableIdempotence=true"
                // the route waits for each send's acknowledgement before it commits: lingering only delays it
                + "&lingerMs=0"
                // each record of a batch carries its own CloudEvents headers, not those of the exchange
                + "&batchWithIndividualHeaders=true"
                + "&valueSerializer=org.apache.kafka.common.serialization.ByteArraySerializer";
    }

    /** Decodes the CloudEvent of the current record into an {@link ImportEvent} body. */
    protected Processor readEvent() {
        return exchange -> {
            ImportEvent event = decode(exchange.getIn());
            exchange.setProperty(INPUT_EVENT, event);
            exchange.setProperty(STARTED, System.nanoTime());
            exchange.getIn().setBody(event);
        };
    }

    private static ImportEvent decode(Message record) {
        Headers headers = record.getHeader(KafkaConstants.HEADERS, Headers.class);
        byte[] value = record.getBody(byte[].class);
        if (headers == null || value == null) {
            throw new PoisonEventException("record without headers or value");
        }
        return EventCodec.readImportEvent(headers, value);
    }

    /** The work of one stage: from the import event to its outcome. */
    @FunctionalInterface
    protected interface StageWork {
        StageOutcome process(ImportEvent event) throws Exception;
    }

    /** Runs the stage's work on the body and leaves the {@link StageOutcome} as the body. */
    protected Processor run(StageWork work) {
        return exchange -> exchange.getIn().setBody(work.process(exchange.getIn().getBody(ImportEvent.class)));
    }

    /**
     * The route of a stage that turns each event of {@code input} into its outcome: read the event, do the
     * work, write the next event and the import's status, then commit. Steps have ids {@code <stage>-read},
     * {@code -work}, {@code -outcome}, {@code -write}, {@code -commit}.
     */
    protected RouteDefinition stageRoute(Topics input, StageWork work) {
        return fromTopic(input)
                .process(readEvent()).id(stage() + "-read")
                .process(run(work)).id(stage() + "-work")
                .process(writeOutcome()).id(stage() + "-outcome")
                .to(producer()).id(stage() + "-write")
                .process(StageRouteBuilder::commitOffset).id(stage() + "-commit");
    }

    /** The work of a stage that works in batches: an outcome for each event, in their order. */
    @FunctionalInterface
    protected interface BatchWork {
        List<BatchOutcome> process(List<ImportEvent> events) throws Exception;
    }

    /**
     * {@link #stageRoute} a batch at a time ({@link #fromTopicInBatches}): the work gets every readable event of
     * the batch at once; the records they caused (next events, statuses, and the dead letters of unreadable
     * records and of events that failed alone) are written together, then each partition's offset is committed.
     * A failure of the whole batch is retried as a record's is, and sends every record of it to ova.dlq in the end.
     */
    protected RouteDefinition batchStageRoute(Topics input, BatchWork work) {
        return fromTopicInBatches(input)
                .process(exchange -> runBatch(exchange, work)).id(stage() + "-work")
                .to(producer()).id(stage() + "-write")
                .process(this::countDeadLetters).id(stage() + "-count")
                .process(StageRouteBuilder::commitOffset).id(stage() + "-commit");
    }

    @SuppressWarnings("unchecked")
    private void runBatch(Exchange exchange, BatchWork work) throws Exception {
        List<BatchRecord> batch = exchange.getProperty(BATCH, List.class);
        List<ImportEvent> events = batch.stream().filter(r -> r.failure() == null).map(BatchRecord::event).toList();
        List<BatchOutcome> outcomes = events.isEmpty() ? List.of() : work.process(events);
        if (outcomes.size() != events.size()) {
            throw new IllegalStateException(stage() + " made " + outcomes.size() + " outcomes of " + events.size()
                    + " events");
        }
        Duration took = Duration.ofNanos(System.nanoTime() - exchange.getProperty(STARTED, Long.class));
        List<Message> records = new ArrayList<>();
        List<String> deadLetters = new ArrayList<>();
        int next = 0;
        for (BatchRecord record : batch) {
            RuntimeException failure = record.failure();
            if (failure == null) {
                BatchOutcome outcome = outcomes.get(next++);
                failure = outcome.failure();
                if (failure == null) {
                    records.addAll(outcomeRecords(exchange, outcome.outcome()));
                    metrics.duration(stage(), took);
                    continue;
                }
            }
            records.addAll(deadLetterRecords(exchange, record.message(), record.event(), failure));
            deadLetters.add(deadLetterReason(failure));
        }
        exchange.getIn().setBody(records);
        exchange.setProperty(DEAD_LETTER_REASONS, deadLetters);
    }

    /** Turns the outcome into the records to write: the next event (if any) and the import's new status. */
    protected Processor writeOutcome() {
        return exchange -> {
            StageOutcome outcome = exchange.getIn().getBody(StageOutcome.class);
            exchange.getIn().setBody(outcomeRecords(exchange, outcome));
            Long started = exchange.getProperty(STARTED, Long.class);
            if (started != null) {
                metrics.duration(stage(), Duration.ofNanos(System.nanoTime() - started));
            }
        };
    }

    /** The records of an outcome, counted in the stage's metrics. */
    private List<Message> outcomeRecords(Exchange exchange, StageOutcome outcome) {
        List<Message> records = new ArrayList<>();
        if (outcome.next() != null) {
            records.add(message(exchange, EventCodec.toRecord(outcome.next(), stage(), outcome.event())));
        }
        records.add(message(exchange, EventCodec.toRecord(Topics.STATUS, stage(),
                status(outcome.event(), outcome.state(), outcome.message()))));
        metrics.outcome(stage(), outcome.state());
        if (outcome.state() == StatusEvent.State.REJECTED) {
            outcome.event().failedChecks().forEach(check -> metrics.rejected(stage(), check.id()));
        }
        return records;
    }

    /**
     * Commits the offset of the record just handled, or of a batch's last record in each of its partitions:
     * everything they caused is written.
     */
    @SuppressWarnings("unchecked")
    protected static void commitOffset(Exchange exchange) {
        List<BatchRecord> batch = exchange.getProperty(BATCH, List.class);
        if (batch == null) {
            commit(exchange.getIn());
            return;
        }
        Map<Integer, Message> lastOfPartition = new LinkedHashMap<>();
        for (BatchRecord record : batch) {
            lastOfPartition.merge(record.message().getHeader(KafkaConstants.PARTITION, Integer.class),
                    record.message(), (a, b) -> offset(a) >= offset(b) ? a : b);
        }
        lastOfPartition.values().forEach(StageRouteBuilder::commit);
    }

    private static long offset(Message record) {
        Long offset = record.getHeader(KafkaConstants.OFFSET, Long.class);
        return offset == null ? -1 : offset;
    }

    private static void commit(Message record) {
        KafkaManualCommit commit = record.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (commit != null) {
            commit.commit();
        }
    }

    protected StatusEvent status(ImportEvent event, StatusEvent.State state, String message) {
        return new StatusEvent(ImportEvent.SCHEMA_VERSION, event.importId(), stage(), state,
                event.source() == null ? null : event.source().toString(), message, event.catalogPath(),
                Instant.now());
    }

    /** A Camel message that the Kafka producer turns back into exactly {@code record}, header names included. */
    protected static Message message(Exchange exchange, ProducerRecord<String, byte[]> record) {
        Message message = new RecordMessage(exchange);
        message.setHeader(KafkaConstants.OVERRIDE_TOPIC, record.topic());
        message.setHeader(KafkaConstants.KEY, record.key());
        for (Header header : record.headers()) {
            message.setHeader(header.key(), header.value());
        }
        message.setBody(record.value());
        return message;
    }

    /**
     * A message whose header names stay as they were set. Kafka's header names are case-sensitive; Camel's usual
     * header map is not, and writes a name it knows in its own spelling: the CloudEvents Kafka binding's
     * {@code content-type} reached the broker as {@code Content-Type}, which the SDK's reader does not see (an event
     * without datacontenttype).
     */
    private static final class RecordMessage extends DefaultMessage {

        RecordMessage(Exchange exchange) {
            super(exchange);
        }

        @Override
        protected Map<String, Object> createHeaders() {
            return new LinkedHashMap<>();
        }
    }

    /** The records that send what the exchange holds to ova.dlq: its record, or every record of its batch. */
    @SuppressWarnings("unchecked")
    private void deadLetter(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        List<BatchRecord> batch = exchange.getProperty(BATCH, List.class);
        List<Message> records = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        if (batch == null) {
            records.addAll(deadLetterRecords(exchange, exchange.getIn(),
                    exchange.getProperty(INPUT_EVENT, ImportEvent.class), failure));
            reasons.add(deadLetterReason(failure));
        } else {
            for (BatchRecord record : batch) {
                // an unreadable record stays one, whatever failed the batch
                Throwable cause = record.failure() != null ? record.failure() : failure;
                records.addAll(deadLetterRecords(exchange, record.message(), record.event(), cause));
                reasons.add(deadLetterReason(cause));
            }
        }
        exchange.getIn().setBody(records);
        exchange.setProperty(DEAD_LETTER_REASONS, reasons);
    }

    private static String deadLetterReason(Throwable failure) {
        return failure instanceof PoisonEventException ? "unreadable event"
                : failure instanceof ObjectGoneException ? "input gone" : "failed after retries";
    }

    /** The dead letter of {@code in} (a record as read) and, when its event is known, the import's FAILED status. */
    private List<Message> deadLetterRecords(Exchange exchange, Message in, ImportEvent input, Throwable failure) {
        String reason = deadLetterReason(failure);
        String error = failure == null ? "unknown" : failure.getClass().getSimpleName() + ": " + failure.getMessage();
        String key = in.getHeader(KafkaConstants.KEY, String.class);
        String topic = in.getHeader(KafkaConstants.TOPIC, String.class);
        LOG.error("{}: record {} of {} goes to {}: {}", stage(), key, topic, Topics.DLQ.topic(), error, failure);

        Map<String, String> headers = new LinkedHashMap<>();
        Headers original = in.getHeader(KafkaConstants.HEADERS, Headers.class);
        if (original != null) {
            for (Header header : original) {
                headers.put(header.key(), header.value() == null ? null
                        : new String(header.value(), StandardCharsets.UTF_8));
            }
        }
        byte[] value = in.getBody(byte[].class);
        DeadLetter letter = new DeadLetter(ImportEvent.SCHEMA_VERSION, stage(), reason, error, topic,
                in.getHeader(KafkaConstants.PARTITION, Integer.class), in.getHeader(KafkaConstants.OFFSET, Long.class),
                key, headers, value == null ? null : Base64.getEncoder().encodeToString(value), Instant.now());

        List<Message> records = new ArrayList<>();
        String deadLetterKey = key != null ? key : topic + "-" + letter.partition() + "-" + letter.offset();
        records.add(message(exchange, EventCodec.toRecord(Topics.DLQ, stage(), deadLetterKey, letter)));
        if (input != null) {
            records.add(message(exchange, EventCodec.toRecord(Topics.STATUS, stage(),
                    status(input, StatusEvent.State.FAILED, reason + ": " + error))));
        }
        return records;
    }

    /** Counts the records written to ova.dlq: only now, so that a failed DLQ write read again is counted once. */
    @SuppressWarnings("unchecked")
    private void countDeadLetters(Exchange exchange) {
        List<String> reasons = exchange.getProperty(DEAD_LETTER_REASONS, List.class);
        if (reasons != null) {
            for (String reason : reasons) {
                metrics.deadLetterOutcome(stage());
                metrics.deadLettered(stage(), reason.replace(' ', '-'));
            }
        }
    }
}
