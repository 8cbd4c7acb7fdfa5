package org.ovaflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.SpecVersion;
import io.cloudevents.kafka.KafkaMessageFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportId;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.testing.ExternalTool;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The records of every CloudEvents topic as a consumer outside ovaflow reads them from the broker: with the CloudEvents
 * SDK's Kafka binding ({@code KafkaMessageFactory.createReader}) and with kcat. One import published, one quarantined
 * and one whose object was gone (a dead letter): every CloudEvents topic gets records.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CloudEventsConsumerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<Topics> CLOUD_EVENT_TOPICS = List.of(Topics.ARRIVED, Topics.VERIFIED, Topics.VALIDATED,
            Topics.TRANSCODED, Topics.PUBLISHED, Topics.REJECTED, Topics.STATUS, Topics.DLQ);

    @TempDir
    static Path dir;

    private Pipeline pipeline;
    private String goneImport;

    @BeforeAll
    void runImports() throws Exception {
        pipeline = Pipeline.start(TestPipelines.embedded(dir.resolve("data"), "all", Map.of()));
        Drop good = TestPipelines.drop(pipeline, dir, "good.ova",
                SampleAppliance.ova("Acme Corp", "Consumer View", "1.0", 20_000, 41).toBytes());
        Drop bad = TestPipelines.drop(pipeline, dir, "bad.ova",
                SampleAppliance.ova("Acme Corp", "Consumer Broken", "1.0", 20_000, 42).spoilDigestOf("disk1.img")
                        .toBytes());
        // the notification of an object deleted before its turn: the checksum stage dead-letters its arrival
        TestPipelines.send(pipeline.kafka(), Topics.NOTIFICATIONS.topic(), "ova-incoming/gone.ova", """
                {"Records":[{"eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"ova-incoming"},
                "object":{"key":"gone.ova","size":1024,"eTag":"00112233445566778899aabbccddeeff"}}}]}"""
                .getBytes(StandardCharsets.UTF_8));
        goneImport = ImportId.of(new ObjectRef("ova-incoming", "gone.ova", "00112233445566778899aabbccddeeff", 1024,
                null));

        assertThat(TestPipelines.awaitFinal(pipeline, good, WAIT).state()).isEqualTo(StatusEvent.State.PUBLISHED);
        assertThat(TestPipelines.awaitFinal(pipeline, bad, WAIT).state()).isEqualTo(StatusEvent.State.QUARANTINED);
        assertThat(pipeline.statuses().awaitFinal(List.of(goneImport), WAIT).get(goneImport).state())
                .isEqualTo(StatusEvent.State.FAILED);
        await().atMost(WAIT).until(() -> TestPipelines.readAll(pipeline.kafka(), Topics.DLQ.topic()).stream()
                .anyMatch(r -> goneImport.equals(r.key())));
    }

    @AfterAll
    void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void theSdksReaderGetsEveryAttributeDocsEventsMdPromises() throws Exception {
        for (Topics topic : CLOUD_EVENT_TOPICS) {
            List<ConsumerRecord<String, byte[]>> records = TestPipelines.readAll(pipeline.kafka(), topic.topic());
            assertThat(records).as(topic.topic()).isNotEmpty();
            for (ConsumerRecord<String, byte[]> record : records) {
                String where = topic.topic() + " record " + record.key() + " at offset " + record.offset();
                // exactly the binding's header name: Kafka's header names are case-sensitive
                assertThat(StreamSupport.stream(record.headers().spliterator(), false).map(Header::key)
                        .filter("content-type"::equalsIgnoreCase)).as(where).containsExactly("content-type");

                CloudEvent event = KafkaMessageFactory.createReader(record).toEvent();

                assertThat(event.getSpecVersion()).as(where).isEqualTo(SpecVersion.V1);
                assertThat(event.getDataContentType()).as(where).isEqualTo("application/json");
                assertThat(event.getType()).as(where).isEqualTo(topic.eventType());
                assertThat(event.getSource().toString()).as(where).matches("/ovaflow/[a-z]+");
                assertThat(event.getSubject()).as(where).isEqualTo(record.key());
                assertThat(event.getId()).as(where).startsWith(record.key() + "/").endsWith("/" + topic.eventType());
                assertThat(event.getTime()).as(where).isNotNull();
                assertThat(event.getExtension(EventCodec.SCHEMA_VERSION_EXTENSION)).as(where).hasToString("1");
                JsonNode data = EventCodec.JSON.readTree(event.getData().toBytes());
                assertThat(data.path("schemaVersion").asInt()).as(where).isEqualTo(1);
            }
        }
        // a dead letter keeps the headers of the record as the stage read it: the binding's, spelt as written
        JsonNode letter = EventCodec.JSON.readTree(TestPipelines.readAll(pipeline.kafka(), Topics.DLQ.topic()).stream()
                .filter(r -> goneImport.equals(r.key())).findFirst().orElseThrow().value());
        assertThat(letter.path("headers").path("content-type").asText()).isEqualTo("application/json");
        assertThat(letter.path("headers").has("Content-Type")).isFalse();
        assertThat(letter.path("topic").asText()).isEqualTo(Topics.ARRIVED.topic());
    }

    @Test
    void kcatPrintsTheContentTypeHeaderOfEveryRecordInTheBindingsSpelling() {
        String kcat = ExternalTool.require("kcat", "kcat", "the kcat tests of the records' headers");
        for (Topics topic : CLOUD_EVENT_TOPICS) {
            int records = TestPipelines.readAll(pipeline.kafka(), topic.topic()).size();
            // -f '%h\n': each record's headers, name=value separated by commas; -e: exit at the end of the topic
            String output = ExternalTool.run(null, List.of(kcat, "-C", "-q", "-b", pipeline.kafka(), "-t", topic.topic(),
                    "-o", "beginning", "-e", "-f", "%h\\n"), Duration.ofSeconds(60)).assertSuccess().output();

            List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
            assertThat(lines).as(topic.topic() + ", kcat printed:\n" + output).hasSize(records);
            for (String line : lines) {
                List<String> headers = Arrays.asList(line.split(","));
                assertThat(headers).as(topic.topic() + ": " + line).contains("content-type=application/json")
                        .noneMatch(header -> header.startsWith("Content-Type="))
                        .contains("ce_type=" + topic.eventType(), "ce_specversion=1.0", "ce_schemaversion=1");
            }
        }
    }
}
