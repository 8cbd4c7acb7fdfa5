package org.ovaflow.core.stage;

import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.common.header.Headers;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.PoisonEventException;

/**
 * A record as a stage read it from Kafka: where it came from, its key, headers and value. What dead letters are
 * made of, taken out of the Camel message so that {@link DeadLetters} and {@link OutcomeRecords} need no Kafka.
 *
 * @param headers null when the record had none (not one of our events)
 * @param value   null for a tombstone
 */
public record ConsumedRecord(String topic, Integer partition, Long offset, String key, Headers headers,
                             byte[] value) {

    /** The record the Kafka consumer put into {@code message}. */
    public static ConsumedRecord of(Message message) {
        return new ConsumedRecord(message.getHeader(KafkaConstants.TOPIC, String.class),
                message.getHeader(KafkaConstants.PARTITION, Integer.class),
                message.getHeader(KafkaConstants.OFFSET, Long.class),
                message.getHeader(KafkaConstants.KEY, String.class),
                message.getHeader(KafkaConstants.HEADERS, Headers.class),
                message.getBody(byte[].class));
    }

    /** Its CloudEvent as an {@link ImportEvent}; a record that is not one is a {@link PoisonEventException}. */
    public ImportEvent readEvent() {
        if (headers == null || value == null) {
            throw new PoisonEventException("record without headers or value");
        }
        return EventCodec.readImportEvent(headers, value);
    }
}
