package org.ovaflow.core.stage;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.support.SynchronizationAdapter;
import org.ovaflow.core.event.ImportEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The route of any stage, built from its {@link StageDefinition}: read the record, do the work, write the next
 * event and the import's status, then commit. Its id is the stage's name; its steps have ids
 * {@code <stage>-take-up}, {@code -read}, {@code -work}, {@code -outcome}, {@code -write}, {@code -commit} (in
 * batches: {@code -take-up}, {@code -work}, {@code -write}, {@code -count}, {@code -commit}).
 *
 * <p>What happens when a record cannot be handled is declared once for every stage route in
 * {@link StageErrorHandling}, which the Camel context must hold (the route names it by {@link StageErrorHandling#ID});
 * the Kafka component is configured once by {@link StageKafka#configure}.
 */
public final class StageRoutes extends RouteBuilder {

    /** Exchange property: the name of the stage whose route the exchange is in, for the error handling. */
    static final String STAGE = "ovaflowStage";
    /** Exchange property carrying the decoded input event, for the error handler's status line. */
    static final String INPUT_EVENT = "ovaflowInputEvent";
    private static final String STARTED = "ovaflowStarted";
    /** Exchange property carrying why each record goes to ova.dlq, counted once they are written there. */
    static final String DEAD_LETTER_REASONS = "ovaflowDeadLetterReasons";
    /** Exchange property of a batch's exchange: its {@link OutcomeRecords.BatchEntry}s, in the order of the batch. */
    static final String BATCH = "ovaflowBatch";
    /** Exchange property of a batch's exchange: the Camel messages of its records, in the same order, to commit. */
    private static final String BATCH_MESSAGES = "ovaflowBatchMessages";

    private final StageDefinition stage;
    /** The meters of the process that runs the stage: given by whoever builds the pipeline, never global. */
    private final StageMetrics metrics;
    private final OutcomeRecords outcomes;

    public StageRoutes(StageDefinition stage, StageMetrics metrics) {
        this.stage = Objects.requireNonNull(stage, "stage");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.outcomes = new OutcomeRecords(stage.name(), metrics);
    }

    @Override
    public void configure() {
        String name = stage.name();
        metrics.declare(name, stage.outcomes(), stage.rejectingChecks());
        if (stage.batched()) {
            // the work gets every readable event of the batch at once; the records they caused (next events,
            // statuses, and the dead letters of unreadable records and of events that failed alone) are written
            // together, then each partition's offset is committed. A failure of the whole batch is retried as a
            // record's is, and sends every record of it to ova.dlq in the end.
            from(StageKafka.batchConsumer(name, stage.input()))
                    .routeId(name)
                    .routeConfigurationId(StageErrorHandling.ID)
                    .process(this::takeUpBatch).id(name + "-take-up")
                    .process(this::runBatch).id(name + "-work")
                    .to(StageKafka.PRODUCER).id(name + "-write")
                    .process(exchange -> countDeadLetters(exchange, metrics)).id(name + "-count")
                    .process(StageRoutes::commitOffset).id(name + "-commit");
        } else {
            from(StageKafka.consumer(name, stage.input()))
                    .routeId(name)
                    .routeConfigurationId(StageErrorHandling.ID)
                    .process(takeUp(name, metrics)).id(name + "-take-up")
                    .process(StageRoutes::readEvent).id(name + "-read")
                    .process(exchange -> exchange.getIn().setBody(
                            stage.work().process(exchange.getIn().getBody(ImportEvent.class)))).id(name + "-work")
                    .process(this::writeOutcome).id(name + "-outcome")
                    .to(StageKafka.PRODUCER).id(name + "-write")
                    .process(StageRoutes::commitOffset).id(name + "-commit");
        }
    }

    @Override
    public String toString() {
        return "StageRoutes[" + stage.name() + "]";
    }

    /**
     * The first step of a route that reads one record at a time as {@code stage}: counts the record as in flight
     * until its exchange is done, however it ends, and names the stage for {@link StageErrorHandling}.
     */
    public static Processor takeUp(String stage, StageMetrics metrics) {
        return exchange -> {
            exchange.setProperty(STAGE, stage);
            metrics.started(stage);
            exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onDone(Exchange done) {
                    metrics.finished(stage);
                }
            });
        };
    }

    /** Reads each record of the batch and counts them as in flight until the batch's exchange is done. */
    private void takeUpBatch(Exchange exchange) {
        List<OutcomeRecords.BatchEntry> batch = new ArrayList<>();
        List<Message> messages = new ArrayList<>();
        for (Object record : exchange.getIn().getBody(List.class)) {
            Message message = ((Exchange) record).getIn();
            messages.add(message);
            batch.add(OutcomeRecords.BatchEntry.read(ConsumedRecord.of(message)));
        }
        exchange.setProperty(STAGE, stage.name());
        exchange.setProperty(BATCH, batch);
        exchange.setProperty(BATCH_MESSAGES, messages);
        exchange.setProperty(STARTED, System.nanoTime());
        batch.forEach(record -> metrics.started(stage.name()));
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                batch.forEach(record -> metrics.finished(stage.name()));
            }
        });
    }

    /** Decodes the CloudEvent of the current record into an {@link ImportEvent} body. */
    private static void readEvent(Exchange exchange) {
        ImportEvent event = ConsumedRecord.of(exchange.getIn()).readEvent();
        exchange.setProperty(INPUT_EVENT, event);
        exchange.setProperty(STARTED, System.nanoTime());
        exchange.getIn().setBody(event);
    }

    /** Turns the {@link StageOutcome} body into the records to write: the next event (if any) and the status. */
    private void writeOutcome(Exchange exchange) {
        StageOutcome outcome = exchange.getIn().getBody(StageOutcome.class);
        exchange.getIn().setBody(StageKafka.messages(exchange, outcomes.of(outcome)));
        Long started = exchange.getProperty(STARTED, Long.class);
        if (started != null) {
            metrics.duration(stage.name(), Duration.ofNanos(System.nanoTime() - started));
        }
    }

    @SuppressWarnings("unchecked")
    private void runBatch(Exchange exchange) throws Exception {
        List<OutcomeRecords.BatchEntry> batch = exchange.getProperty(BATCH, List.class);
        List<ImportEvent> events = batch.stream().filter(entry -> entry.failure() == null)
                .map(OutcomeRecords.BatchEntry::event).toList();
        List<BatchOutcome> made = events.isEmpty() ? List.of() : stage.batchWork().process(events);
        Duration took = Duration.ofNanos(System.nanoTime() - exchange.getProperty(STARTED, Long.class));
        OutcomeRecords.BatchRecords records = outcomes.ofBatch(batch, made, took);
        exchange.getIn().setBody(StageKafka.messages(exchange, records.records()));
        exchange.setProperty(DEAD_LETTER_REASONS, records.deadLetterReasons());
    }

    /** Counts the records of the exchange written to ova.dlq ({@link DeadLetters#count}). */
    @SuppressWarnings("unchecked")
    static void countDeadLetters(Exchange exchange, StageMetrics metrics) {
        List<String> reasons = exchange.getProperty(DEAD_LETTER_REASONS, List.class);
        if (reasons != null) {
            DeadLetters.count(metrics, stageOf(exchange), reasons);
        }
    }

    /** The stage whose route {@code exchange} is in: named at take-up; else its route's id, which is the stage's. */
    static String stageOf(Exchange exchange) {
        String stage = exchange.getProperty(STAGE, String.class);
        return stage != null ? stage : exchange.getFromRouteId();
    }

    /**
     * Commits the offset of the record just handled, or of a batch's last record in each of its partitions:
     * everything they caused is written.
     */
    @SuppressWarnings("unchecked")
    public static void commitOffset(Exchange exchange) {
        List<Message> batch = exchange.getProperty(BATCH_MESSAGES, List.class);
        if (batch == null) {
            commit(exchange.getIn());
            return;
        }
        Map<Integer, Message> lastOfPartition = new LinkedHashMap<>();
        for (Message record : batch) {
            lastOfPartition.merge(record.getHeader(KafkaConstants.PARTITION, Integer.class), record,
                    (a, b) -> offset(a) >= offset(b) ? a : b);
        }
        lastOfPartition.values().forEach(StageRoutes::commit);
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
}
