package org.ovaflow.core.stage;

import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.ovaflow.core.config.SharedSettings;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.PoisonEventException;
import org.ovaflow.core.store.ObjectGoneException;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What every stage route does with a record it cannot handle, declared once as the route configuration
 * {@value #ID} that {@link StageRoutes} (and ingest's notifications route) name. Add it to the Camel context once,
 * before its routes start.
 *
 * <p>Infrastructure failures are retried with exponential backoff and jitter ({@code ovaflow.retry.*}), then the
 * record goes to ova.dlq with the reason and the import's status becomes FAILED; a record that is not an event this
 * code can read, or whose object was deleted or replaced before its turn, goes to ova.dlq at once. The offset is
 * committed once the dead letter is written; if even the DLQ cannot be written, it stays uncommitted and the record
 * is read again.
 */
public final class StageErrorHandling extends RouteConfigurationBuilder {

    /** The id stage routes name in {@code routeConfigurationId}. */
    public static final String ID = "ovaflow-stage-errors";

    /** The meters of the process that runs the stages: the same as its {@link StageRoutes}'. */
    private final StageMetrics metrics;

    public StageErrorHandling(StageMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void configuration() {
        RouteConfigurationDefinition stages = routeConfiguration(ID);
        // neither an unreadable record nor an input deleted or replaced meanwhile gets better by retrying
        stages.onException(PoisonEventException.class, ObjectGoneException.class)
                .handled(true)
                .useOriginalMessage()
                .process(StageErrorHandling::deadLetter)
                .to(StageKafka.PRODUCER)
                .process(exchange -> StageRoutes.countDeadLetters(exchange, metrics))
                .process(StageRoutes::commitOffset);

        stages.onException(Exception.class)
                .handled(true)
                .useOriginalMessage()
                // the defaults wait out about a minute (0.5, 1, 2, 4, 8, then 15 s apart, jittered): a broker or
                // store restarting loses no import; a longer outage sends them to ova.dlq, to replay
                .maximumRedeliveries(SharedSettings.RETRY_ATTEMPTS.placeholder())
                .redeliveryDelay(SharedSettings.RETRY_INITIAL_DELAY_MS.placeholder())
                .useExponentialBackOff()
                .backOffMultiplier(2)
                .useCollisionAvoidance()
                .maximumRedeliveryDelay(SharedSettings.RETRY_MAX_DELAY_MS.placeholder())
                .retryAttemptedLogLevel(LoggingLevel.WARN)
                .onRedelivery(exchange -> metrics.retried(StageRoutes.stageOf(exchange)))
                .process(StageErrorHandling::deadLetter)
                .to(StageKafka.PRODUCER)
                .process(exchange -> StageRoutes.countDeadLetters(exchange, metrics))
                .process(StageRoutes::commitOffset);
    }

    /** The records that send what the exchange holds to ova.dlq: its record, or every record of its batch. */
    @SuppressWarnings("unchecked")
    private static void deadLetter(Exchange exchange) {
        String stage = StageRoutes.stageOf(exchange);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        List<OutcomeRecords.BatchEntry> batch = exchange.getProperty(StageRoutes.BATCH, List.class);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        if (batch == null) {
            records.addAll(DeadLetters.records(stage, ConsumedRecord.of(exchange.getIn()),
                    exchange.getProperty(StageRoutes.INPUT_EVENT, ImportEvent.class), failure));
            reasons.add(DeadLetters.reason(failure));
        } else {
            for (OutcomeRecords.BatchEntry entry : batch) {
                // an unreadable record stays one, whatever failed the batch
                Throwable cause = entry.failure() != null ? entry.failure() : failure;
                records.addAll(DeadLetters.records(stage, entry.record(), entry.event(), cause));
                reasons.add(DeadLetters.reason(cause));
            }
        }
        exchange.getIn().setBody(StageKafka.messages(exchange, records));
        exchange.setProperty(StageRoutes.DEAD_LETTER_REASONS, reasons);
    }
}
