package org.ovaflow.app.dlq;

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
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.ovaflow.core.event.DeadLetter;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.Topics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * ova.dlq for operators: lists the dead letters and replays chosen ones, each written back to the topic it
 * was read from with its key, its headers (the CloudEvents binary-mode {@code ce_*} attributes) and its value,
 * so the stage that failed reads it again as if for the first time.
 *
 * <p>What was replayed is kept in {@value #REPLAYED_TOPIC}, compacted, keyed by the dead letter's id: one mark
 * per dead letter, kept forever, seen by every operator on any machine. Not a consumer group's committed offset:
 * an offset marks everything before it as done, and operators replay single dead letters out of order (the one
 * whose cause they fixed), which a prefix cannot express. A record is written back first and marked second, so a
 * crash in between may replay it once more on the next run; every stage is idempotent, so that is harmless,
 * whereas marking first could lose a replay.
 */
public final class DeadLetterQueue {

    public static final String REPLAYED_TOPIC = "ova.dlq.replayed";
    /** Added to a replayed record: when it fails again, its new dead letter names the one it replays. */
    /** The CloudEvents Kafka binding's name of the content type header (Kafka header names are case-sensitive). */
    static final String CONTENT_TYPE_HEADER = "content-type";
    public static final String REPLAY_OF_HEADER = "ovaflow_replay_of";

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final String bootstrapServers;
    private final Clock clock;

    public DeadLetterQueue(String bootstrapServers, Clock clock) {
        this.bootstrapServers = bootstrapServers;
        this.clock = clock;
    }

    /** Every dead letter of ova.dlq, oldest first, each with its replay mark when it was replayed. */
    public List<DeadLetterEntry> list() {
        Map<String, ReplayMark> marks = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : readAll(replayedTopic())) {
            if (record.value() == null) {
                marks.remove(record.key()); // a tombstone: the mark was withdrawn
            } else {
                marks.put(record.key(), read(record.value(), ReplayMark.class));
            }
        }
        List<DeadLetterEntry> entries = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : readAll(Topics.DLQ.topic())) {
            String id = DeadLetterEntry.id(record.partition(), record.offset());
            DeadLetter letter = readDeadLetter(record);
            String replayOf = letter.headers() == null ? null : letter.headers().get(REPLAY_OF_HEADER);
            entries.add(new DeadLetterEntry(id, replayOf, letter, marks.get(id)));
        }
        // a stable sort: letters of the same instant stay in partition and offset order
        entries.sort(Comparator.comparing((DeadLetterEntry e) -> e.deadLetter().at(),
                Comparator.nullsFirst(Comparator.naturalOrder())));
        return entries;
    }

    /** Replays every dead letter not replayed before. */
    public List<ReplayOutcome> replayAll() {
        return replay(list().stream().filter(DeadLetterEntry::pending).toList(), List.of());
    }

    /**
     * Replays the dead letters named by {@code ids}: a dead letter's id, or an importId for every dead letter of
     * that import not replayed before. One outcome per dead letter, and one per id that names none.
     */
    public List<ReplayOutcome> replay(Collection<String> ids) {
        List<DeadLetterEntry> all = list();
        List<DeadLetterEntry> chosen = new ArrayList<>();
        List<ReplayOutcome> refused = new ArrayList<>();
        for (String id : ids) {
            Optional<DeadLetterEntry> byId = all.stream().filter(e -> e.id().equals(id)).findFirst();
            if (byId.isPresent()) {
                if (byId.get().pending()) {
                    chosen.add(byId.get());
                } else {
                    refused.add(alreadyReplayed(byId.get()));
                }
                continue;
            }
            List<DeadLetterEntry> ofImport = all.stream().filter(e -> id.equals(e.deadLetter().key())).toList();
            if (ofImport.isEmpty()) {
                refused.add(new ReplayOutcome(id, ReplayOutcome.Result.UNKNOWN, null, null,
                        "no dead letter and no import with this id in " + Topics.DLQ.topic()));
            }
            ofImport.stream().filter(DeadLetterEntry::pending).forEach(chosen::add);
            ofImport.stream().filter(e -> !e.pending()).map(DeadLetterQueue::alreadyReplayed).forEach(refused::add);
        }
        return replay(chosen.stream().distinct().toList(), refused);
    }

    private List<ReplayOutcome> replay(List<DeadLetterEntry> chosen, List<ReplayOutcome> refused) {
        List<ReplayOutcome> outcomes = new ArrayList<>(refused);
        if (chosen.isEmpty()) {
            return outcomes;
        }
        String marks = replayedTopic();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "ovaflow-dlq-replay"), new StringSerializer(), new ByteArraySerializer())) {
            for (DeadLetterEntry entry : chosen) {
                DeadLetter letter = entry.deadLetter();
                if (letter.topic() == null || letter.topic().isBlank()) {
                    outcomes.add(new ReplayOutcome(entry.id(), ReplayOutcome.Result.NOT_REPLAYABLE, entry, null,
                            "the dead letter does not name the topic its record came from"));
                    continue;
                }
                RecordMetadata written = send(producer, original(entry));
                ReplayMark mark = new ReplayMark(entry.id(), clock.instant(), written.topic(), written.partition(),
                        written.offset());
                send(producer, new ProducerRecord<>(marks, entry.id(), EventCodec.toJson(mark)));
                outcomes.add(new ReplayOutcome(entry.id(), ReplayOutcome.Result.REPLAYED, entry, mark,
                        "unreadable event".equals(letter.reason())
                                ? "it was unreadable (" + letter.error() + "): expect it back in " + Topics.DLQ.topic()
                                : null));
            }
        }
        return outcomes;
    }

    /**
     * The record as the stage first read it: topic, key, headers, value; plus where it comes from. A dead letter
     * kept from before ovaflow wrote the CloudEvents binding's {@code content-type} saved it as {@code Content-Type}:
     * it goes back under the binding's name, which a consumer's CloudEvents SDK reads.
     */
    static ProducerRecord<String, byte[]> original(DeadLetterEntry entry) {
        DeadLetter letter = entry.deadLetter();
        RecordHeaders headers = new RecordHeaders();
        if (letter.headers() != null) {
            letter.headers().forEach((name, value) -> {
                if (!REPLAY_OF_HEADER.equals(name)) {
                    String key = name.equalsIgnoreCase(CONTENT_TYPE_HEADER) ? CONTENT_TYPE_HEADER : name;
                    headers.add(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
                }
            });
        }
        headers.add(REPLAY_OF_HEADER, entry.id().getBytes(StandardCharsets.UTF_8));
        byte[] value = letter.valueBase64() == null ? null : Base64.getDecoder().decode(letter.valueBase64());
        // no partition: the key picks the same partition as the original's, so an import stays in order
        return new ProducerRecord<>(letter.topic(), null, letter.key(), value, headers);
    }

    private static ReplayOutcome alreadyReplayed(DeadLetterEntry entry) {
        ReplayMark mark = entry.replayed();
        return new ReplayOutcome(entry.id(), ReplayOutcome.Result.ALREADY_REPLAYED, entry, mark,
                "replayed already at " + mark.at() + " to " + mark.topic() + " (partition " + mark.partition()
                        + ", offset " + mark.offset() + ")");
    }

    private static RecordMetadata send(KafkaProducer<String, byte[]> producer, ProducerRecord<String, byte[]> record) {
        try {
            return producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write to " + record.topic() + ": " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted writing to " + record.topic(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot write to " + record.topic() + ": no answer in 30 s", e);
        }
    }

    /** The marks' topic, created (compacted, one partition) the first time it is needed. */
    private String replayedTopic() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(REPLAYED_TOPIC)) {
                admin.createTopics(List.of(new NewTopic(REPLAYED_TOPIC, Optional.of(1), Optional.empty())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                        .all().get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create " + REPLAYED_TOPIC + ": " + e.getCause(), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating " + REPLAYED_TOPIC, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot create " + REPLAYED_TOPIC + ": the broker did not answer in 30 s", e);
        }
        return REPLAYED_TOPIC;
    }

    /** Every record of {@code topic} up to its current end, read without a consumer group (nothing committed). */
    private List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "ovaflow-dlq-reader"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new LinkedHashMap<>(consumer.endOffsets(partitions));
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot read " + topic + " to its end in " + READ_TIMEOUT);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                        records.add(record);
                    }
                }
            }
            return records;
        }
    }

    /** A record of ova.dlq that is not a dead letter (written by hand, a newer schema) is listed as such. */
    private static DeadLetter readDeadLetter(ConsumerRecord<String, byte[]> record) {
        try {
            return EventCodec.JSON.readValue(record.value(), DeadLetter.class);
        } catch (IOException | IllegalArgumentException e) {
            return new DeadLetter(0, null, "not a dead letter", e.getMessage(), null, null, null, record.key(),
                    null, null, null);
        }
    }

    private static <T> T read(byte[] json, Class<T> type) {
        try {
            return EventCodec.JSON.readValue(json, type);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read a " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
