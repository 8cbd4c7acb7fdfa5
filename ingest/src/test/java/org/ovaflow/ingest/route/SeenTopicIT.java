package org.ovaflow.ingest.route;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.embedded.EmbeddedKafka;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** Ingest's record of the ids it let through, on a real broker, started and stopped as the pipeline does. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SeenTopicIT {

    @TempDir
    static Path dir;

    private EmbeddedKafka kafka;

    @BeforeAll
    void startBroker() {
        kafka = new EmbeddedKafka(dir.resolve("kafka"), 0);
        kafka.start();
    }

    @AfterAll
    void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void anIdOneProcessAddsIsSeenByAnotherAndAfterARestart() throws Exception {
        String topic = topic("seen-shared");
        // what Camel's KafkaIdempotentRepository wrote before: read as it was
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "000000000000000000000001", "add")).get();
            producer.send(new ProducerRecord<>(topic, "000000000000000000000002", "add")).get();
            producer.send(new ProducerRecord<>(topic, "000000000000000000000002", "remove")).get();
        }
        CamelContext first = started(topic);
        CamelContext second = started(topic);
        try {
            SeenTopic one = first.hasService(SeenTopic.class);
            SeenTopic other = second.hasService(SeenTopic.class);
            assertThat(one.contains("000000000000000000000001")).isTrue();
            assertThat(one.contains("000000000000000000000002")).isFalse();

            assertThat(one.add("0123456789abcdef01234567")).isTrue();
            assertThat(one.add("0123456789abcdef01234567")).as("seen now").isFalse();
            await().atMost(Duration.ofSeconds(30)).until(() -> other.contains("0123456789abcdef01234567"));
        } finally {
            first.close();
            second.close();
        }
        CamelContext restarted = started(topic);
        try {
            assertThat(restarted.hasService(SeenTopic.class).contains("0123456789abcdef01234567")).isTrue();
        } finally {
            restarted.close();
        }
    }

    @Test
    void stoppingWhileItFollowsTheTopicLogsNoWarningAndNoStackTrace() throws Exception {
        String topic = topic("seen-stop");
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        try {
            // several stops: Camel's repository closed its consumer while its poller polled, most stops logged it
            for (int i = 0; i < 3; i++) {
                CamelContext camel = started(topic);
                SeenTopic seen = camel.hasService(SeenTopic.class);
                seen.add("stop-" + i);
                camel.close();
                assertThat(seen.isStopped()).isTrue();
            }
        } finally {
            root.detachAppender(logged);
        }
        assertThat(logged.list).filteredOn(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
                .as("warnings and errors logged while starting and stopping")
                .extracting(event -> event.getFormattedMessage() + (event.getThrowableProxy() == null ? ""
                        : " " + event.getThrowableProxy().getClassName() + ": " + event.getThrowableProxy().getMessage()))
                .isEmpty();
    }

    @Test
    void aTopicThatDoesNotExistIsAClearErrorAtStart() throws Exception {
        SeenTopic seen = new SeenTopic("no-such-seen-topic", kafka.bootstrapServers(), 10);
        CamelContext camel = new DefaultCamelContext();
        try {
            assertThat(catchThrowable(() -> {
                camel.addService(seen, true, true);
                camel.start();
            })).hasMessageContaining("topic no-such-seen-topic does not exist");
        } finally {
            camel.close();
        }
    }

    /** A Camel context that starts and stops the repository as ingest's routes make theirs do. */
    private CamelContext started(String topic) throws Exception {
        CamelContext camel = new DefaultCamelContext();
        camel.addService(new SeenTopic(topic, kafka.bootstrapServers(), 1000), true, true);
        camel.start();
        return camel;
    }

    private String topic(String name) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, 2, (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        return name;
    }
}
