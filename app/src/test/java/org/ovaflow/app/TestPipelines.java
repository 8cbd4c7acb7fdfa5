package org.ovaflow.app;

import org.ovaflow.core.testing.TopicReader;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.app.pipeline.PipelineSettings;
import org.ovaflow.app.pipeline.Stage;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.store.ObjectStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Settings and small Kafka helpers shared by the pipeline tests. */
final class TestPipelines {

    private TestPipelines() {
    }

    /** A whole pipeline on embedded servers under {@code dataDir}, scanning often, stopping fast. */
    static PipelineSettings embedded(Path dataDir, String stages, Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "ovaflow.ingest.scan-interval-ms", "300",
                "ovaflow.ingest.scan-delay-ms", "100",
                "ovaflow.shutdown-timeout-s", "10",
                "ovaflow.retry.attempts", "2",
                "ovaflow.retry.initial-delay-ms", "100"));
        properties.putAll(extra);
        return new PipelineSettings(dataDir, null, null, null, null, Stage.parse(stages), "127.0.0.1", 0, properties);
    }

    /** Every record of {@code topic} from its beginning, read without a consumer group. */
    static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic) {
        return TopicReader.readAll(bootstrap, topic);
    }

    static void send(String bootstrap, String topic, String key, byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    /**
     * After the transcode stage's work, holds each exchange {@code hold} picks until the process stops, then ends
     * it there: its disk staged, its next event not written, its offset not committed, as if the process had died.
     */
    static void holdAfterTranscodeWork(CamelContext camel, BooleanSupplier hold, CountDownLatch held) {
        try {
            AdviceWith.adviceWith(camel, "transcode", route -> route.weaveById("transcode-work").after()
                    .process(exchange -> {
                        if (hold.getAsBoolean()) {
                            held.countDown();
                            while (!exchange.getContext().isStopping()) {
                                Thread.sleep(20);
                            }
                            exchange.setRouteStop(true);
                        }
                    }));
        } catch (Exception e) {
            throw new IllegalStateException("cannot advise the transcode route", e);
        }
    }

    /** Writes {@code content} as {@code name} under {@code dir} and drops it into the incoming bucket, as a user would. */
    static Drop drop(Pipeline pipeline, Path dir, String name, byte[] content) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, content);
        return Drop.of(pipeline.store(), "ova-incoming", file);
    }

    /** The import's final status (published, quarantined or failed), waiting at most {@code wait} for it. */
    static StatusEvent awaitFinal(Pipeline pipeline, Drop drop, Duration wait) throws InterruptedException {
        StatusEvent status = pipeline.statuses().awaitFinal(List.of(drop.importId()), wait).get(drop.importId());
        assertThat(status).as("final status of " + drop.file().getFileName()).isNotNull();
        assertThat(status.state().isFinal()).as(status.toString()).isTrue();
        return status;
    }

    static String read(ObjectStore store, String bucket, String key) throws Exception {
        try (var in = store.read(bucket, key)) {
            return new String(in.readAllBytes());
        }
    }
}
