package org.ovaflow.core.event;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventCodecTest {

    private final ImportEvent arrived = ImportEvent.arrived(
            new ObjectRef("ova-incoming", "acme/app.ova", "abc", 1234, null), "scan", Instant.parse("2026-11-27T10:00:00Z"))
            .withTarIndex(new TarIndex(List.of(new TarEntry("app.ovf", 512, 100, "00"))));

    @Test
    void anEventIsABinaryModeCloudEventKeyedByImportId() {
        ProducerRecord<String, byte[]> record = EventCodec.toRecord(Topics.ARRIVED, "ingest", arrived);

        assertThat(record.topic()).isEqualTo("ova.arrived");
        assertThat(record.key()).isEqualTo(arrived.importId());
        assertThat(header(record, "ce_specversion")).isEqualTo("1.0");
        assertThat(header(record, "ce_type")).isEqualTo("org.ovaflow.arrived");
        assertThat(header(record, "ce_subject")).isEqualTo(arrived.importId());
        assertThat(header(record, "ce_source")).isEqualTo("/ovaflow/ingest");
        assertThat(header(record, "ce_schemaversion")).isEqualTo("1");
        assertThat(header(record, "content-type")).isEqualTo("application/json");
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).startsWith("{\"schemaVersion\":1");

        assertThat(EventCodec.readImportEvent(record.headers(), record.value())).isEqualTo(arrived);
    }

    @Test
    void aDescriptorCarriedInTheTarIndexTravelsWithTheEventAndOnlyUpToTheCarriedMaximum() throws Exception {
        byte[] descriptor = "<Envelope/>".getBytes(StandardCharsets.UTF_8);
        String digest = java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(descriptor));
        TarIndex index = new TarIndex(List.of(new TarEntry("app.ovf", 512, descriptor.length, digest)), "ff")
                .withDescriptor(descriptor);
        ImportEvent verified = arrived.withTarIndex(index);

        ProducerRecord<String, byte[]> record = EventCodec.toRecord(Topics.VERIFIED, "checksum", verified);
        ImportEvent read = EventCodec.readImportEvent(record.headers(), record.value());

        assertThat(read).isEqualTo(verified);
        assertThat(read.tarIndex().carriedDescriptor()).hasValueSatisfying(b -> assertThat(b).isEqualTo(descriptor));
        assertThat(read.tarIndex().withoutDescriptor().carriedDescriptor()).isEmpty();
        assertThat(new TarIndex(List.of()).withDescriptor(new byte[StagedArtifact.CARRIED_MAX + 1]).descriptorContent())
                .isNull();
    }

    @Test
    void theSameEventWrittenTwiceHasTheSameId() {
        assertThat(header(EventCodec.toRecord(Topics.ARRIVED, "ingest", arrived), "ce_id"))
                .isEqualTo(header(EventCodec.toRecord(Topics.ARRIVED, "ingest", arrived), "ce_id"));
    }

    @Test
    void recordsThatAreNotOurEventsArePoison() {
        assertThatThrownBy(() -> EventCodec.readImportEvent(new RecordHeaders(), "not json".getBytes()))
                .isInstanceOf(PoisonEventException.class);

        ProducerRecord<String, byte[]> record = EventCodec.toRecord(Topics.ARRIVED, "ingest", arrived);
        record.headers().remove("ce_schemaversion");
        record.headers().add("ce_schemaversion", "99".getBytes());
        assertThatThrownBy(() -> EventCodec.readImportEvent(record.headers(), record.value()))
                .isInstanceOf(PoisonEventException.class).hasMessageContaining("schema version 99");

        ProducerRecord<String, byte[]> garbled = EventCodec.toRecord(Topics.ARRIVED, "ingest", arrived);
        assertThatThrownBy(() -> EventCodec.readImportEvent(garbled.headers(), "[1,2".getBytes()))
                .isInstanceOf(PoisonEventException.class);
    }

    private static String header(ProducerRecord<String, byte[]> record, String key) {
        return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
