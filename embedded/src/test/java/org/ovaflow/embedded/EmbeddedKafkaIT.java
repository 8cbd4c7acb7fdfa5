package org.ovaflow.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaIT {

    private static final String TOPIC = "ova.imports";
    private static final String GROUP = "ova-importer";

    @TempDir
    Path dataDir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void recordsAndTopicsSurviveARestartOnTheSameDataDir() throws Exception {
        int port;
        String clusterId;
        RecordMetadata written;
        try (EmbeddedKafka kafka = new EmbeddedKafka(dataDir, 0)) {
            kafka.start();
            port = kafka.port();
            clusterId = kafka.clusterId();
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
            assertThat(clusterId).isNotBlank();

            try (Admin admin = admin(kafka)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, String> producer = producer(kafka)) {
                written = producer.send(new ProducerRecord<>(TOPIC, "ova-1", "imported")).get(30, TimeUnit.SECONDS);
            }
            assertThat(consumeWithGroup(kafka)).extracting(ConsumerRecord::value).containsExactly("imported");
        }
        assertThat(dataDir.resolve("ports.properties")).exists();
        assertThat(Files.exists(dataDir.resolve("kafka-logs").resolve("meta.properties"))).isTrue();

        try (EmbeddedKafka kafka = new EmbeddedKafka(dataDir, 0)) {
            kafka.start();
            assertThat(kafka.port()).as("remembered port").isEqualTo(port);
            assertThat(kafka.clusterId()).as("storage not reformatted").isEqualTo(clusterId);
            try (Admin admin = admin(kafka)) {
                assertThat(admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS).get(new TopicPartition(TOPIC, written.partition())).offset())
                        .as("committed group offset").isEqualTo(written.offset() + 1);
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(TOPIC);
                assertThat(admin.describeTopics(Set.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(TOPIC).partitions()).hasSize(2);
            }
            List<ConsumerRecord<String, String>> records = readAll(kafka, written.partition());
            assertThat(records).hasSize(1);
            assertThat(records.get(0).key()).isEqualTo("ova-1");
            assertThat(records.get(0).value()).isEqualTo("imported");
            assertThat(records.get(0).offset()).isEqualTo(written.offset());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void listensOnLoopbackOnly() throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka(dataDir, 0)) {
            kafka.start();
            try (Admin admin = admin(kafka)) {
                Collection<Node> nodes = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
                assertThat(nodes).singleElement().satisfies(node -> {
                    assertThat(node.host()).isEqualTo("127.0.0.1");
                    assertThat(node.port()).isEqualTo(kafka.port());
                });
            }
            LoopbackAssertions.assertListensOnLoopbackOnly(kafka.port());
            int controllerPort = Integer.parseInt(LoopbackPorts.load(dataDir.resolve("ports.properties"))
                    .getProperty("controller.port"));
            LoopbackAssertions.assertListensOnLoopbackOnly(controllerPort);
        }
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer());
    }

    /** Subscribes with a consumer group (exercising the group coordinator), reads one record and commits. */
    private static List<ConsumerRecord<String, String>> consumeWithGroup(EmbeddedKafka kafka) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, GROUP,
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (records.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            consumer.commitSync(Duration.ofSeconds(30));
        }
        return records;
    }

    /** Reads one partition from the beginning to its current end, without a consumer group. */
    private static List<ConsumerRecord<String, String>> readAll(EmbeddedKafka kafka, int partition) {
        TopicPartition tp = new TopicPartition(TOPIC, partition);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumer.position(tp, Duration.ofSeconds(30)) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).records(tp).forEach(records::add);
            }
        }
        return records;
    }
}
