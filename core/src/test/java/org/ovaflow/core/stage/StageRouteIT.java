package org.ovaflow.core.stage;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.core.event.DeadLetter;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.testing.TopicReader;
import org.ovaflow.embedded.EmbeddedKafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The stage route of {@link StageRoutes} with {@link StageErrorHandling} and {@link StageKafka}'s component
 * configuration, as the pipeline runs them, on a real broker: what happens to poison, to failing work, to a batch
 * with a bad record, and when the offset is committed (only after the outcome is written: not when the output cannot
 * be written, nor when the stage stops mid-import). Each test has its own stage (consumer group) and input topic;
 * outputs go to topics no test consumes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StageRouteIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private EmbeddedKafka kafka;
    private final List<CamelContext> contexts = new ArrayList<>();

    @BeforeAll
    void startBroker() throws Exception {
        kafka = new EmbeddedKafka(dir.resolve("kafka"), 0);
        kafka.start();
        // one partition each: a test's records are read in the order it wrote them
        try (Admin admin = admin()) {
            admin.createTopics(Arrays.stream(Topics.values())
                    .map(topic -> new NewTopic(topic.topic(), 1, (short) 1)).toList()).all().get();
        }
    }

    @AfterEach
    void stopRoutes() {
        contexts.forEach(CamelContext::stop);
        contexts.clear();
    }

    @AfterAll
    void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aPoisonRecordGoesToTheDlqAtOnceAndTheStageGoesOn() throws Exception {
        AtomicInteger worked = new AtomicInteger();
        ImportEvent good = event("after-poison");
        long poisonOffset = send(Topics.ARRIVED, "poison-key", "not a CloudEvent".getBytes(StandardCharsets.UTF_8));
        long goodOffset = send(Topics.ARRIVED, good);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        start(StageDefinition.of("it-poison", Topics.ARRIVED, Set.of(StatusEvent.State.PUBLISHED), Set.of(),
                event -> {
                    worked.incrementAndGet();
                    return StageOutcome.forward(Topics.PUBLISHED, event, StatusEvent.State.PUBLISHED, "done");
                }), registry, configuration -> { });

        ConsumerRecord<String, byte[]> letter = awaitRecord(Topics.DLQ, "poison-key");
        DeadLetter dead = EventCodec.JSON.readValue(letter.value(), DeadLetter.class);
        assertThat(dead.stage()).isEqualTo("it-poison");
        assertThat(dead.reason()).isEqualTo("unreadable event");
        assertThat(dead.offset()).isEqualTo(poisonOffset);
        assertThat(new String(Base64.getDecoder().decode(dead.valueBase64()), StandardCharsets.UTF_8))
                .isEqualTo("not a CloudEvent");
        awaitRecord(Topics.PUBLISHED, good.importId());
        awaitCommitted("it-poison", Topics.ARRIVED, goodOffset + 1);

        // at once: the work never saw it, nothing was retried
        assertThat(worked).hasValue(1);
        assertThat(registry.get("ovaflow.retries").tag("stage", "it-poison").counter().count()).isZero();
        assertThat(registry.get("ovaflow.dead.letters").tags("stage", "it-poison", "reason", "unreadable-event")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get("ovaflow.imports").tags("stage", "it-poison", "outcome", "published").counter()
                .count()).isEqualTo(1);
    }

    @Test
    void aStoreFailureIsRetriedThenTheRecordGoesToTheDlqAndItsImportFails() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        ImportEvent event = event("store-down");
        long offset = send(Topics.VERIFIED, event);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        start(StageDefinition.of("it-retry", Topics.VERIFIED, Set.of(StatusEvent.State.VALIDATED), Set.of(),
                in -> {
                    attempts.incrementAndGet();
                    throw new IOException("store down");
                }), registry, configuration -> { });

        ConsumerRecord<String, byte[]> letter = awaitRecord(Topics.DLQ, event.importId());
        DeadLetter dead = EventCodec.JSON.readValue(letter.value(), DeadLetter.class);
        assertThat(dead.reason()).isEqualTo("failed after retries");
        assertThat(dead.error()).isEqualTo("IOException: store down");
        assertThat(dead.topic()).isEqualTo(Topics.VERIFIED.topic());
        StatusEvent status = awaitStatus(event.importId(), StatusEvent.State.FAILED);
        assertThat(status.stage()).isEqualTo("it-retry");
        assertThat(status.message()).isEqualTo("failed after retries: IOException: store down");
        awaitCommitted("it-retry", Topics.VERIFIED, offset + 1);

        // the first try and ovaflow.retry.attempts (2 here) more
        assertThat(attempts).hasValue(3);
        assertThat(registry.get("ovaflow.retries").tag("stage", "it-retry").counter().count()).isEqualTo(2);
        assertThat(registry.get("ovaflow.dead.letters").tags("stage", "it-retry", "reason", "failed-after-retries")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get("ovaflow.imports").tags("stage", "it-retry", "outcome", "dead-letter").counter()
                .count()).isEqualTo(1);
    }

    @Test
    void theOffsetIsCommittedOnlyAfterTheOutputIsWritten() throws Exception {
        ImportEvent event = event("unwritable");
        long offset = send(Topics.VALIDATED, event);
        AtomicInteger worked = new AtomicInteger();
        StageDefinition stage = StageDefinition.of("it-commit", Topics.VALIDATED, Set.of(StatusEvent.State.PUBLISHED),
                Set.of(), in -> {
                    worked.incrementAndGet();
                    return StageOutcome.forward(Topics.PUBLISHED, in, StatusEvent.State.PUBLISHED, "done");
                });
        // a producer that refuses every record as too large: neither the outcome nor its dead letter is written
        SimpleMeterRegistry broken = new SimpleMeterRegistry();
        CamelContext unwritable = start(stage, broken, configuration -> configuration.setMaxRequestSize(64));

        // tried, retried, its dead letter refused: the record is read again, again and again, never committed
        await().atMost(WAIT).until(() -> worked.get() > 2 * 3);
        OffsetAndMetadata committed = committed("it-commit", Topics.VALIDATED);
        assertThat(committed == null || committed.offset() <= offset).as("committed %s", committed).isTrue();
        assertThat(TopicReader.readAll(kafka.bootstrapServers(), Topics.PUBLISHED.topic()))
                .noneMatch(record -> event.importId().equals(record.key()));
        // a dead letter is counted once written, and none was
        assertThat(broken.get("ovaflow.dead.letters").tags("stage", "it-commit", "reason", "failed-after-retries")
                .counter().count()).isZero();
        unwritable.stop();
        contexts.remove(unwritable);

        // the writes work again (the broker back, say): the record is read again and goes through
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        start(stage, registry, configuration -> { });
        awaitRecord(Topics.PUBLISHED, event.importId());
        awaitStatus(event.importId(), StatusEvent.State.PUBLISHED);
        awaitCommitted("it-commit", Topics.VALIDATED, offset + 1);
        assertThat(TopicReader.readAll(kafka.bootstrapServers(), Topics.DLQ.topic()))
                .noneMatch(record -> event.importId().equals(record.key()));
    }

    @Test
    void aRecordWhoseOutcomeIsNotWrittenWhenTheStageStopsIsReadAgain() throws Exception {
        ImportEvent event = event("stopped-mid-import");
        long offset = send(Topics.REJECTED, event);
        AtomicInteger worked = new AtomicInteger();
        StageDefinition stage = StageDefinition.of("it-stop", Topics.REJECTED, Set.of(StatusEvent.State.QUARANTINED),
                Set.of(), in -> {
                    worked.incrementAndGet();
                    return StageOutcome.finish(in, StatusEvent.State.QUARANTINED, "kept");
                });
        // after its work, the import is held until the process stops, and ends there: nothing written (a process
        // stopped mid-import)
        CountDownLatch held = new CountDownLatch(1);
        CamelContext stopping = start(stage, new SimpleMeterRegistry(), configuration -> { },
                camel -> holdAfterWork(camel, "it-stop", held));
        assertThat(held.await(60, TimeUnit.SECONDS)).as("the stage took the import up").isTrue();
        stopping.stop();
        contexts.remove(stopping);

        OffsetAndMetadata committed = committed("it-stop", Topics.REJECTED);
        assertThat(committed == null || committed.offset() <= offset).as("committed %s", committed).isTrue();

        start(stage, new SimpleMeterRegistry(), configuration -> { });
        awaitStatus(event.importId(), StatusEvent.State.QUARANTINED);
        awaitCommitted("it-stop", Topics.REJECTED, offset + 1);
        assertThat(worked).hasValue(2);
    }

    @Test
    void aBatchWithOneBadRecordWritesTheGoodOnesAndSendsTheBadOneToTheDlq() throws Exception {
        ImportEvent first = event("batch-first");
        ImportEvent gone = event("batch-gone");
        ImportEvent last = event("batch-last");
        // all there before the stage starts: one poll, one batch
        send(Topics.TRANSCODED, first);
        long junkOffset = send(Topics.TRANSCODED, "batch-junk", "{\"not\":\"an event\"}".getBytes(StandardCharsets.UTF_8));
        send(Topics.TRANSCODED, gone);
        long lastOffset = send(Topics.TRANSCODED, last);
        List<List<String>> batches = new CopyOnWriteArrayList<>();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        start(StageDefinition.batched("it-batch", Topics.TRANSCODED, Set.of(StatusEvent.State.PUBLISHED), Set.of(),
                events -> {
                    batches.add(events.stream().map(ImportEvent::importId).toList());
                    return events.stream().map(event -> event.importId().equals(gone.importId())
                            ? BatchOutcome.failed(new ObjectGoneException("ova-staging/batch-gone: NoSuchKey", null))
                            : BatchOutcome.of(StageOutcome.forward(Topics.PUBLISHED, event,
                                    StatusEvent.State.PUBLISHED, "published"))).toList();
                }), registry, configuration -> { });

        awaitRecord(Topics.PUBLISHED, first.importId());
        awaitRecord(Topics.PUBLISHED, last.importId());
        awaitStatus(first.importId(), StatusEvent.State.PUBLISHED);
        DeadLetter junk = EventCodec.JSON.readValue(awaitRecord(Topics.DLQ, "batch-junk").value(), DeadLetter.class);
        assertThat(junk.reason()).isEqualTo("unreadable event");
        assertThat(junk.offset()).isEqualTo(junkOffset);
        DeadLetter lost = EventCodec.JSON.readValue(awaitRecord(Topics.DLQ, gone.importId()).value(), DeadLetter.class);
        assertThat(lost.reason()).isEqualTo("input gone");
        assertThat(awaitStatus(gone.importId(), StatusEvent.State.FAILED).message()).startsWith("input gone: ");
        awaitCommitted("it-batch", Topics.TRANSCODED, lastOffset + 1);

        // the work saw the readable events only, once, in their order
        assertThat(batches).containsExactly(List.of(first.importId(), gone.importId(), last.importId()));
        assertThat(TopicReader.readAll(kafka.bootstrapServers(), Topics.PUBLISHED.topic()))
                .noneMatch(record -> gone.importId().equals(record.key()));
        assertThat(registry.get("ovaflow.imports").tags("stage", "it-batch", "outcome", "published").counter()
                .count()).isEqualTo(2);
        assertThat(registry.get("ovaflow.imports").tags("stage", "it-batch", "outcome", "dead-letter").counter()
                .count()).isEqualTo(2);
        assertThat(registry.get("ovaflow.retries").tag("stage", "it-batch").counter().count()).isZero();
    }

    private CamelContext start(StageDefinition stage, SimpleMeterRegistry registry,
                               Consumer<KafkaConfiguration> change) throws Exception {
        return start(stage, registry, change, camel -> { });
    }

    /**
     * Starts {@code stage}'s route as the pipeline does, the component's configuration changed by {@code change},
     * the context by {@code beforeStart}.
     */
    private CamelContext start(StageDefinition stage, SimpleMeterRegistry registry, Consumer<KafkaConfiguration> change,
                               Consumer<CamelContext> beforeStart) throws Exception {
        CamelContext camel = new DefaultCamelContext();
        KafkaComponent component = camel.getComponent("kafka", KafkaComponent.class);
        StageKafka.configure(component, kafka.bootstrapServers());
        change.accept(component.getConfiguration());
        Properties properties = new Properties();
        properties.putAll(Map.of(
                "ovaflow.instance", "it",
                "ovaflow.retry.attempts", "2",
                "ovaflow.retry.initial-delay-ms", "50",
                "ovaflow.retry.max-delay-ms", "200"));
        camel.getPropertiesComponent().setInitialProperties(properties);
        camel.getShutdownStrategy().setTimeout(10);
        StageMetrics metrics = new StageMetrics(registry);
        camel.addRoutes(new StageErrorHandling(metrics));
        camel.addRoutes(new StageRoutes(stage, metrics));
        contexts.add(camel);
        beforeStart.accept(camel);
        camel.start();
        return camel;
    }

    /** Holds each exchange of {@code stage} after its work until the context stops, then ends it there. */
    private static void holdAfterWork(CamelContext camel, String stage, CountDownLatch held) {
        try {
            AdviceWith.adviceWith(camel, stage, route -> route.weaveById(stage + "-work").after()
                    .process(exchange -> {
                        held.countDown();
                        await().forever().until(() -> exchange.getContext().isStopping());
                        exchange.setRouteStop(true);
                    }));
        } catch (Exception e) {
            throw new IllegalStateException("cannot advise the route of " + stage, e);
        }
    }

    private static ImportEvent event(String name) {
        return ImportEvent.arrived(new ObjectRef("ova-incoming", "it/" + name + ".ova", "etag-" + System.nanoTime(),
                1234, null), "scan", Instant.now());
    }

    private long send(Topics topic, ImportEvent event) throws Exception {
        ProducerRecord<String, byte[]> record = EventCodec.toRecord(topic, "it", event);
        return send(new ProducerRecord<>(record.topic(), null, record.key(), record.value(), record.headers()));
    }

    private long send(Topics topic, String key, byte[] value) throws Exception {
        return send(new ProducerRecord<>(topic.topic(), key, value));
    }

    private long send(ProducerRecord<String, byte[]> record) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer())) {
            RecordMetadata written = producer.send(record).get();
            return written.offset();
        }
    }

    private ConsumerRecord<String, byte[]> awaitRecord(Topics topic, String key) {
        return await().atMost(WAIT).until(() -> TopicReader.readAll(kafka.bootstrapServers(), topic.topic()).stream()
                .filter(record -> key.equals(record.key())).findFirst().orElse(null), record -> record != null);
    }

    private StatusEvent awaitStatus(String importId, StatusEvent.State state) {
        return await().atMost(WAIT).until(() -> TopicReader.readAll(kafka.bootstrapServers(), Topics.STATUS.topic())
                .stream().filter(record -> importId.equals(record.key()))
                .map(record -> EventCodec.readStatusEvent(record.headers(), record.value()))
                .filter(status -> status.state() == state).findFirst().orElse(null), status -> status != null);
    }

    private void awaitCommitted(String stage, Topics topic, long offset) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(committed(stage, topic))
                .isNotNull().extracting(OffsetAndMetadata::offset).isEqualTo(offset));
    }

    /** The offset the stage's consumer group committed on the topic's one partition; null when none. */
    private OffsetAndMetadata committed(String stage, Topics topic) throws Exception {
        try (Admin admin = admin()) {
            return admin.listConsumerGroupOffsets(StageKafka.groupId(stage)).partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition(topic.topic(), 0));
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }
}
