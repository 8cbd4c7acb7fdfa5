package org.ovaflow.core.stage;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.ovaflow.core.event.DeadLetter;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.PoisonEventException;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.store.ObjectGoneException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The ova.dlq records a stage writes when it gives a record up, made without Kafka or Camel. */
class DeadLettersTest {

    private final ImportEvent arrived = ImportEvent.arrived(
            new ObjectRef("ova-incoming", "acme/app.ova", "abc", 1234, null), "scan", Instant.parse("2026-11-27T10:00:00Z"));

    @Test
    void anUnreadableRecordGoesToTheDlqAsItWasReadWithoutAStatus() throws IOException {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_type", "something.else".getBytes(StandardCharsets.UTF_8));
        byte[] value = {0, 1, 2, (byte) 0xff};
        ConsumedRecord in = new ConsumedRecord("ova.arrived", 2, 41L, null, headers, value);

        List<ProducerRecord<String, byte[]>> records = DeadLetters.records("checksum", in, null,
                new PoisonEventException("not a CloudEvent in binary mode"));

        assertThat(records).hasSize(1);
        ProducerRecord<String, byte[]> record = records.get(0);
        assertThat(record.topic()).isEqualTo(Topics.DLQ.topic());
        // no key of its own: named by where it was read
        assertThat(record.key()).isEqualTo("ova.arrived-2-41");
        DeadLetter letter = EventCodec.JSON.readValue(record.value(), DeadLetter.class);
        assertThat(letter.stage()).isEqualTo("checksum");
        assertThat(letter.reason()).isEqualTo("unreadable event");
        assertThat(letter.error()).isEqualTo("PoisonEventException: not a CloudEvent in binary mode");
        assertThat(letter.topic()).isEqualTo("ova.arrived");
        assertThat(letter.partition()).isEqualTo(2);
        assertThat(letter.offset()).isEqualTo(41L);
        assertThat(letter.headers()).containsEntry("ce_type", "something.else");
        assertThat(Base64.getDecoder().decode(letter.valueBase64())).isEqualTo(value);
        assertThat(letter.schemaVersion()).isEqualTo(ImportEvent.SCHEMA_VERSION);
    }

    @Test
    void anEventThatFailedAfterRetriesGoesToTheDlqAndItsImportIsFailed() throws IOException {
        ProducerRecord<String, byte[]> original = EventCodec.toRecord(Topics.ARRIVED, "ingest", arrived);
        ConsumedRecord in = new ConsumedRecord("ova.arrived", 0, 7L, arrived.importId(), original.headers(),
                original.value());

        List<ProducerRecord<String, byte[]>> records = DeadLetters.records("checksum", in, arrived,
                new IOException("store down"));

        assertThat(records).extracting(ProducerRecord::topic).containsExactly("ova.dlq", "ova.status");
        assertThat(records).extracting(ProducerRecord::key).containsOnly(arrived.importId());
        DeadLetter letter = EventCodec.JSON.readValue(records.get(0).value(), DeadLetter.class);
        assertThat(letter.reason()).isEqualTo("failed after retries");
        assertThat(letter.error()).isEqualTo("IOException: store down");
        assertThat(letter.key()).isEqualTo(arrived.importId());
        // the original, replayable as it was: its CloudEvent headers and body
        assertThat(letter.headers()).containsEntry("ce_type", "org.ovaflow.arrived");
        assertThat(EventCodec.readImportEvent(original.headers(),
                Base64.getDecoder().decode(letter.valueBase64()))).isEqualTo(arrived);

        StatusEvent status = EventCodec.readStatusEvent(records.get(1).headers(), records.get(1).value());
        assertThat(status.importId()).isEqualTo(arrived.importId());
        assertThat(status.stage()).isEqualTo("checksum");
        assertThat(status.state()).isEqualTo(StatusEvent.State.FAILED);
        assertThat(status.message()).isEqualTo("failed after retries: IOException: store down");
        assertThat(status.source()).isEqualTo(arrived.source().toString());
    }

    @Test
    void aFailureUnknownIsSaidSo() throws IOException {
        ConsumedRecord in = new ConsumedRecord("ova.arrived", 0, 1L, "k", null, null);

        List<ProducerRecord<String, byte[]>> records = DeadLetters.records("schema", in, null, null);

        DeadLetter letter = EventCodec.JSON.readValue(records.get(0).value(), DeadLetter.class);
        assertThat(letter.error()).isEqualTo("unknown");
        assertThat(letter.reason()).isEqualTo("failed after retries");
        assertThat(letter.valueBase64()).isNull();
        assertThat(letter.headers()).isEmpty();
    }

    @Test
    void unreadableAndGoneAreNotRetriedAnythingElseIs() {
        assertThat(DeadLetters.reason(new PoisonEventException("x"))).isEqualTo("unreadable event");
        assertThat(DeadLetters.reason(new ObjectGoneException("ova-incoming/a.ova: NoSuchKey", null)))
                .isEqualTo("input gone");
        assertThat(DeadLetters.reason(new IllegalStateException("x"))).isEqualTo("failed after retries");
    }

    @Test
    void deadLettersAreCountedByStageAndReason() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        DeadLetters.count(new StageMetrics(registry), "publish",
                List.of(DeadLetters.UNREADABLE, DeadLetters.INPUT_GONE, DeadLetters.INPUT_GONE));

        assertThat(registry.get("ovaflow.dead.letters").tags("stage", "publish", "reason", "input-gone").counter()
                .count()).isEqualTo(2);
        assertThat(registry.get("ovaflow.dead.letters").tags("stage", "publish", "reason", "unreadable-event")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get("ovaflow.imports").tags("stage", "publish", "outcome", "dead-letter").counter()
                .count()).isEqualTo(3);
    }
}
