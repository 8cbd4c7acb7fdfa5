package org.ovaflow.core.event;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.cloudevents.rw.CloudEventRWException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Turns events into Kafka records and back: CloudEvents 1.0 in binary mode (ce_* headers, JSON body) through
 * the CloudEvents SDK's Kafka binding, record key = importId.
 *
 * <p>Event ids are derived from importId and type, so a stage that runs twice on one input writes an event
 * with the same id: consumers can tell a redelivery from a new import.
 */
public final class EventCodec {

    /** The CloudEvents extension attribute that carries the body's schema version (ce_schemaversion). */
    public static final String SCHEMA_VERSION_EXTENSION = "schemaversion";

    public static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            // later minor versions may add fields; a reader of the same major version ignores them
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private EventCodec() {
    }

    /** The record for {@code event} on {@code topic}, written by {@code stage}. */
    public static ProducerRecord<String, byte[]> toRecord(Topics topic, String stage, ImportEvent event) {
        return toRecord(topic, stage, event.importId(), event.importId(), event);
    }

    public static ProducerRecord<String, byte[]> toRecord(Topics topic, String stage, StatusEvent status) {
        // each state of an import is an event of its own
        return toRecord(topic, stage, status.importId() + "/" + status.state(), status.importId(), status);
    }

    /** A dead letter, keyed by the importId of the record it holds when known. */
    public static ProducerRecord<String, byte[]> toRecord(Topics topic, String stage, String key, DeadLetter letter) {
        return toRecord(topic, stage, key + "/" + letter.topic() + "/" + letter.offset(), key, letter);
    }

    private static ProducerRecord<String, byte[]> toRecord(Topics topic, String stage, String idSeed, String key,
                                                           Object body) {
        CloudEvent event = CloudEventBuilder.v1()
                .withId(idSeed + "/" + topic.eventType())
                .withSource(URI.create("/ovaflow/" + stage))
                .withType(topic.eventType())
                .withSubject(key)
                .withTime(Instant.now().atOffset(ZoneOffset.UTC))
                .withDataContentType("application/json")
                .withExtension(SCHEMA_VERSION_EXTENSION, ImportEvent.SCHEMA_VERSION)
                .withData(toJson(body))
                .build();
        return KafkaMessageFactory.<String>createWriter(topic.topic(), key).writeBinary(event);
    }

    /** Reads an import event; anything that is not one this code understands is a {@link PoisonEventException}. */
    public static ImportEvent readImportEvent(Headers headers, byte[] value) {
        return read(headers, value, ImportEvent.class, ImportEvent.SCHEMA_VERSION);
    }

    public static StatusEvent readStatusEvent(Headers headers, byte[] value) {
        return read(headers, value, StatusEvent.class, ImportEvent.SCHEMA_VERSION);
    }

    private static <T> T read(Headers headers, byte[] value, Class<T> type, int supportedVersion) {
        CloudEvent event;
        try {
            event = KafkaMessageFactory.createReader(headers, value).toEvent();
        } catch (CloudEventRWException | IllegalStateException e) {
            throw new PoisonEventException("not a CloudEvent in binary mode: " + e.getMessage(), e);
        }
        Object version = event.getExtension(SCHEMA_VERSION_EXTENSION);
        if (version == null) {
            throw new PoisonEventException("event " + event.getId() + " has no " + SCHEMA_VERSION_EXTENSION);
        }
        if (!String.valueOf(supportedVersion).equals(String.valueOf(version))) {
            throw new PoisonEventException("event " + event.getId() + " has schema version " + version
                    + ", this stage reads version " + supportedVersion);
        }
        if (event.getData() == null) {
            throw new PoisonEventException("event " + event.getId() + " has no data");
        }
        try {
            return JSON.readValue(event.getData().toBytes(), type);
        } catch (IOException | IllegalArgumentException e) {
            throw new PoisonEventException("event " + event.getId() + " has a body that is not a "
                    + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    public static byte[] toJson(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static byte[] toPrettyJson(Object value) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
