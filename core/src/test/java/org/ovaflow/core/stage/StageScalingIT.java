package org.ovaflow.core.stage;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RoundRobinPartitioner;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.testing.TopicReader;
import org.ovaflow.embedded.EmbeddedKafka;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scaling a stage redoes no work: 20 long imports (a slow stage, 3 s each) go through a consumer group whose members
 * join and leave every few seconds while they are in flight, as KEDA scales a Deployment. With the KIP-848 group
 * protocol ({@link StageKafka.GroupProtocol#CONSUMER}) every import's work runs exactly once: a member that stays
 * keeps its partitions and its commits, a member that leaves (a graceful stop, as a scale-down's SIGTERM) finishes
 * its import and commits it first.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class StageScalingIT {

    private static final Logger LOG = LoggerFactory.getLogger(StageScalingIT.class);
    private static final int IMPORTS = 20;
    private static final int PARTITIONS = 6;
    private static final Duration WORK = Duration.ofSeconds(3);
    /** Longer than the embedded broker's {@code group.consumer.session.timeout.ms} (6 s). */
    private static final Duration LONGER_THAN_A_SESSION = Duration.ofSeconds(14);

    @TempDir
    static Path dir;

    private EmbeddedKafka kafka;

    @BeforeAll
    void startBroker() throws Exception {
        kafka = new EmbeddedKafka(dir.resolve("kafka"), 0);
        kafka.start();
    }

    @AfterAll
    void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /**
     * The default protocol (KIP-848). The classic protocol's cooperative assignor, run through the same test
     * (parametrize it with {@code CLASSIC}), worked 2 of the 20 imports twice and stalled for minutes: a member's
     * commit fails while the group rebalances (RebalanceInProgressException), and the member, retrying it, does not
     * poll, which the rebalance waits for.
     */
    @ParameterizedTest
    @EnumSource(value = StageKafka.GroupProtocol.class, names = "CONSUMER")
    void membersJoiningAndLeavingWhileImportsAreInFlightRedoNoWork(StageKafka.GroupProtocol protocol)
            throws Exception {
        String stage = "it-scaling-" + protocol.name().toLowerCase();
        Map<String, AtomicInteger> worked = new ConcurrentHashMap<>();
        AtomicInteger published = new AtomicInteger();
        Topics input = Topics.VALIDATED;
        String inputTopic = input.topic();
        createTopics(inputTopic);
        // the input topic holds the records of earlier runs (other protocols): only this run's are counted
        List<String> ids = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (int i = 0; i < IMPORTS; i++) {
                ImportEvent event = ImportEvent.arrived(new ObjectRef("ova-incoming", stage + "/" + i + ".ova",
                        "etag-" + i + "-" + System.nanoTime(), 1234, null), "scan", Instant.now());
                ids.add(event.importId());
                ProducerRecord<String, byte[]> record = EventCodec.toRecord(input, stage, event);
                producer.send(new ProducerRecord<>(inputTopic, null, record.key(), record.value(), record.headers()))
                        .get();
            }
        }
        Set<String> mine = Set.copyOf(ids);
        StageDefinition slow = StageDefinition.of(stage, input, Set.of(StatusEvent.State.TRANSCODED), Set.of(),
                event -> {
                    if (mine.contains(event.importId())) {
                        worked.computeIfAbsent(event.importId(), id -> new AtomicInteger()).incrementAndGet();
                        Thread.sleep(WORK.toMillis());
                        published.incrementAndGet();
                    }
                    return StageOutcome.forward(Topics.TRANSCODED, event, StatusEvent.State.TRANSCODED, "done");
                });

        // a member joins every 2 s up to four, then one leaves every 3 s while two stay to the end
        List<CamelContext> members = new ArrayList<>();
        try {
            for (int joined = 0; joined < 4; joined++) {
                members.add(member(slow, protocol, "m" + joined));
                Thread.sleep(2000);
            }
            for (int leaving = 0; leaving < 2; leaving++) {
                CamelContext leaver = members.remove(members.size() - 1);
                leaver.stop();
                Thread.sleep(3000);
            }
            members.add(member(slow, protocol, "late"));
            await().atMost(Duration.ofMinutes(3)).until(() -> mine.stream()
                    .allMatch(id -> worked.containsKey(id)) && published.get() >= IMPORTS);
            // and nothing comes back once the group has settled
            Thread.sleep(5000);
        } finally {
            members.forEach(CamelContext::stop);
        }

        Map<String, Integer> repeated = new TreeMap<>();
        worked.forEach((id, times) -> {
            if (times.get() > 1) {
                repeated.put(id, times.get());
            }
        });
        LOG.info("{}: {} imports, worked again: {}", protocol, worked.size(), repeated);
        assertThat(worked.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(repeated).as("imports whose work ran more than once (" + protocol + ")").isEmpty();
        long outcomes = TopicReader.readAll(kafka.bootstrapServers(), Topics.TRANSCODED.topic()).stream()
                .filter(record -> mine.contains(record.key())).count();
        assertThat(outcomes).as("one outcome an import").isEqualTo(IMPORTS);
    }

    /**
     * A run with no faults costs no rebalance, even when each import takes longer than the broker's session timeout
     * (10 s on the embedded broker, which a member killed outright is given before others take its partitions):
     * the consumer protocol's heartbeats come from the client's own thread, so a long conversion cannot starve
     * them. The group's epoch, which every change of membership or assignment moves, stays where the members'
     * joining left it.
     */
    @Test
    void importsLongerThanTheSessionTimeoutCauseNoRebalance() throws Exception {
        String stage = "it-no-rebalance";
        String inputTopic = Topics.VALIDATED.topic();
        createTopics(inputTopic);
        Map<String, AtomicInteger> worked = new ConcurrentHashMap<>();
        Set<String> mine = ConcurrentHashMap.newKeySet();
        StageDefinition slow = StageDefinition.of(stage, Topics.VALIDATED, Set.of(StatusEvent.State.TRANSCODED),
                Set.of(), event -> {
                    if (mine.contains(event.importId())) {
                        worked.computeIfAbsent(event.importId(), id -> new AtomicInteger()).incrementAndGet();
                        Thread.sleep(LONGER_THAN_A_SESSION.toMillis());
                    }
                    return StageOutcome.forward(Topics.TRANSCODED, event, StatusEvent.State.TRANSCODED, "done");
                });
        List<CamelContext> members = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            members.add(member(slow, StageKafka.GroupProtocol.CONSUMER, "a"));
            members.add(member(slow, StageKafka.GroupProtocol.CONSUMER, "b"));
            // settled: both members in the group, every partition assigned
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                ConsumerGroupDescription group = group(admin, stage);
                return group.members().size() == 2 && group.members().stream()
                        .mapToInt(m -> m.assignment().topicPartitions().size()).sum() == PARTITIONS;
            });
            int settled = group(admin, stage).groupEpoch().orElseThrow();
            try (KafkaProducer<String, byte[]> producer = producer()) {
                for (int i = 0; i < 4; i++) {
                    ImportEvent event = ImportEvent.arrived(new ObjectRef("ova-incoming", stage + "/" + i + ".ova",
                            "etag-" + i + "-" + System.nanoTime(), 1234, null), "scan", Instant.now());
                    mine.add(event.importId());
                    ProducerRecord<String, byte[]> record = EventCodec.toRecord(Topics.VALIDATED, stage, event);
                    producer.send(new ProducerRecord<>(inputTopic, null, record.key(), record.value(),
                            record.headers())).get();
                }
            }
            await().atMost(Duration.ofMinutes(2)).until(() -> worked.size() == 4 && TopicReader.readAll(
                    kafka.bootstrapServers(), Topics.TRANSCODED.topic()).stream()
                    .filter(record -> mine.contains(record.key())).count() == 4);

            ConsumerGroupDescription after = group(admin, stage);
            assertThat(after.members()).hasSize(2);
            assertThat(after.groupEpoch()).as("the group's epoch: no member left, none was fenced")
                    .contains(settled);
            assertThat(worked.values()).allSatisfy(times -> assertThat(times.get()).isEqualTo(1));
        } finally {
            members.forEach(CamelContext::stop);
        }
    }

    private static ConsumerGroupDescription group(Admin admin, String stage) throws Exception {
        String group = StageKafka.groupId(stage);
        return admin.describeConsumerGroups(List.of(group)).all().get().get(group);
    }

    /** One process of the stage: its route as the pipeline runs it, stopped gracefully (SIGTERM) by the test. */
    private CamelContext member(StageDefinition stage, StageKafka.GroupProtocol protocol, String instance)
            throws Exception {
        CamelContext camel = new DefaultCamelContext();
        KafkaComponent component = camel.getComponent("kafka", KafkaComponent.class);
        StageKafka.configure(component, kafka.bootstrapServers(), protocol);
        Properties properties = new Properties();
        properties.put("ovaflow.instance", instance);
        camel.getPropertiesComponent().setInitialProperties(properties);
        // a scale-down waits for the import in flight (Kubernetes' grace period is longer)
        camel.getShutdownStrategy().setTimeout(30);
        StageMetrics metrics = new StageMetrics(new SimpleMeterRegistry());
        camel.addRoutes(new StageErrorHandling(metrics));
        camel.addRoutes(new StageRoutes(stage, metrics));
        camel.start();
        return camel;
    }

    private void createTopics(String input) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> topics = new ArrayList<>();
            for (Topics topic : Topics.values()) {
                if (!existing.contains(topic.topic())) {
                    topics.add(new NewTopic(topic.topic(), topic.topic().equals(input) ? PARTITIONS : 1, (short) 1));
                }
            }
            if (!topics.isEmpty()) {
                admin.createTopics(topics).all().get();
            }
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                // spread over every partition, whatever the keys hash to
                ProducerConfig.PARTITIONER_CLASS_CONFIG, RoundRobinPartitioner.class.getName()),
                new StringSerializer(), new ByteArraySerializer());
    }
}
