package org.ovaflow.core.stage;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.DeadLetter;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.store.ObjectGoneException;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The records a stage's outcomes turn into, one at a time and in batches, made without Kafka or Camel. */
class OutcomeRecordsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final OutcomeRecords outcomes = new OutcomeRecords("schema", new StageMetrics(registry));

    @Test
    void aForwardedImportIsItsNextEventAndItsStatus() {
        ImportEvent event = event("a");

        List<ProducerRecord<String, byte[]>> records = outcomes.of(
                StageOutcome.forward(Topics.VALIDATED, event, StatusEvent.State.VALIDATED, "valid"));

        assertThat(records).extracting(ProducerRecord::topic).containsExactly("ova.validated", "ova.status");
        assertThat(records).extracting(ProducerRecord::key).containsOnly(event.importId());
        assertThat(EventCodec.readImportEvent(records.get(0).headers(), records.get(0).value())).isEqualTo(event);
        assertThat(header(records.get(0), "ce_source")).isEqualTo("/ovaflow/schema");
        StatusEvent status = status(records.get(1));
        assertThat(status.state()).isEqualTo(StatusEvent.State.VALIDATED);
        assertThat(status.stage()).isEqualTo("schema");
        assertThat(status.message()).isEqualTo("valid");
        assertThat(imports("validated")).isEqualTo(1);
    }

    @Test
    void aRejectedImportGoesToOvaRejectedAndCountsItsFailedChecks() {
        ImportEvent event = event("a").withChecks(List.of(
                CheckResult.fail("ovf.schema", "app.ovf", "not an Envelope"),
                CheckResult.pass("ovf.parse", "app.ovf", "parsed")));

        List<ProducerRecord<String, byte[]>> records = outcomes.of(StageOutcome.reject(event));

        assertThat(records).extracting(ProducerRecord::topic).containsExactly("ova.rejected", "ova.status");
        StatusEvent status = status(records.get(1));
        assertThat(status.state()).isEqualTo(StatusEvent.State.REJECTED);
        assertThat(status.message()).isEqualTo("ovf.schema [app.ovf]: not an Envelope");
        assertThat(imports("rejected")).isEqualTo(1);
        assertThat(registry.get("ovaflow.rejects").tags("stage", "schema", "check", "ovf.schema").counter().count())
                .isEqualTo(1);
        assertThat(registry.find("ovaflow.rejects").tags("check", "ovf.parse").counter()).isNull();
    }

    @Test
    void anImportThatEndsHereIsOnlyItsStatus() {
        List<ProducerRecord<String, byte[]>> records = outcomes.of(
                StageOutcome.finish(event("a"), StatusEvent.State.QUARANTINED, "in quarantine"));

        assertThat(records).extracting(ProducerRecord::topic).containsExactly("ova.status");
    }

    @Test
    void aBatchKeepsItsOrderAndSendsOnlyItsBadRecordsToTheDlq() throws IOException {
        ImportEvent first = event("first");
        ImportEvent gone = event("gone");
        ImportEvent last = event("last");
        List<OutcomeRecords.BatchEntry> batch = List.of(
                entry(first, 0),
                OutcomeRecords.BatchEntry.read(new ConsumedRecord("ova.transcoded", 0, 1L, "junk", new RecordHeaders(),
                        "not an event".getBytes())),
                entry(gone, 2),
                entry(last, 3));

        OutcomeRecords.BatchRecords written = outcomes.ofBatch(batch, List.of(
                BatchOutcome.of(StageOutcome.forward(Topics.PUBLISHED, first, StatusEvent.State.PUBLISHED, "p")),
                BatchOutcome.failed(new ObjectGoneException("ova-staging/gone: NoSuchKey", null)),
                BatchOutcome.of(StageOutcome.forward(Topics.PUBLISHED, last, StatusEvent.State.PUBLISHED, "p"))),
                Duration.ofMillis(30));

        assertThat(written.records()).extracting(ProducerRecord::topic).containsExactly(
                "ova.published", "ova.status",
                "ova.dlq",
                "ova.dlq", "ova.status",
                "ova.published", "ova.status");
        assertThat(written.records()).extracting(ProducerRecord::key).containsExactly(
                first.importId(), first.importId(), "junk", gone.importId(), gone.importId(), last.importId(),
                last.importId());
        assertThat(written.deadLetterReasons()).containsExactly("unreadable event", "input gone");
        assertThat(EventCodec.JSON.readValue(written.records().get(2).value(), DeadLetter.class).offset())
                .isEqualTo(1L);
        assertThat(status(written.records().get(4)).state()).isEqualTo(StatusEvent.State.FAILED);
        assertThat(imports("published")).isEqualTo(2);
        // counted once written, by the route
        assertThat(registry.find("ovaflow.imports").tags("outcome", "dead-letter").counter()).isNull();
        assertThat(registry.get("ovaflow.stage.duration").timer().count()).isEqualTo(2);
    }

    @Test
    void aRecordThatIsNotAnEventIsUnreadableWhateverFailsInReadingIt() {
        OutcomeRecords.BatchEntry headless = OutcomeRecords.BatchEntry.read(
                new ConsumedRecord("ova.transcoded", 0, 1L, "k", null, new byte[1]));

        assertThat(headless.event()).isNull();
        assertThat(DeadLetters.reason(headless.failure())).isEqualTo("unreadable event");
    }

    @Test
    void aWorkThatMadeTheWrongNumberOfOutcomesFailsTheBatch() {
        List<OutcomeRecords.BatchEntry> batch = List.of(entry(event("a"), 0), entry(event("b"), 1));

        assertThatThrownBy(() -> outcomes.ofBatch(batch, List.of(BatchOutcome.of(
                StageOutcome.finish(event("a"), StatusEvent.State.PUBLISHED, "p"))), Duration.ZERO))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("schema made 1 outcomes of 2 events");
    }

    private static ImportEvent event(String name) {
        return ImportEvent.arrived(new ObjectRef("ova-incoming", "acme/" + name + ".ova", "etag-" + name, 1234, null),
                "scan", Instant.parse("2026-11-27T10:00:00Z"));
    }

    private static OutcomeRecords.BatchEntry entry(ImportEvent event, long offset) {
        ProducerRecord<String, byte[]> record = EventCodec.toRecord(Topics.TRANSCODED, "transcode", event);
        return OutcomeRecords.BatchEntry.read(new ConsumedRecord("ova.transcoded", 0, offset, event.importId(),
                record.headers(), record.value()));
    }

    private double imports(String outcome) {
        return registry.get("ovaflow.imports").tags("stage", "schema", "outcome", outcome).counter().count();
    }

    private static StatusEvent status(ProducerRecord<String, byte[]> record) {
        return EventCodec.readStatusEvent(record.headers(), record.value());
    }

    private static String header(ProducerRecord<String, byte[]> record, String key) {
        return new String(record.headers().lastHeader(key).value());
    }
}
