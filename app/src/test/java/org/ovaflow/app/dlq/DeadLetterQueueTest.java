package org.ovaflow.app.dlq;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.ovaflow.core.event.DeadLetter;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterQueueTest {

    @Test
    void aReplayWritesTheRecordAsItWasReadWithTheBindingsContentTypeAndWhereItComesFrom() {
        Map<String, String> saved = new LinkedHashMap<>();
        saved.put("ce_id", "abc/org.ovaflow.verified");
        saved.put("Content-Type", "application/json"); // as dead letters kept before the fix saved it
        saved.put(DeadLetterQueue.REPLAY_OF_HEADER, "0-1"); // an earlier replay's mark is not carried on
        DeadLetter letter = new DeadLetter(1, "schema", "failed after retries", "store down", "ova.verified", 2, 7L,
                "abc", saved, Base64.getEncoder().encodeToString("{}".getBytes(StandardCharsets.UTF_8)),
                Instant.EPOCH);

        ProducerRecord<String, byte[]> record = DeadLetterQueue.original(new DeadLetterEntry("0-9", null, letter, null));

        assertThat(record.topic()).isEqualTo("ova.verified");
        assertThat(record.key()).isEqualTo("abc");
        assertThat(record.partition()).isNull();
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("{}");
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        assertThat(headers).containsExactly(Map.entry("ce_id", "abc/org.ovaflow.verified"),
                Map.entry("content-type", "application/json"), Map.entry(DeadLetterQueue.REPLAY_OF_HEADER, "0-9"));
    }
}
