package org.ovaflow.ingest.route;

import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.ovaflow.core.thread.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The ids ingest has let through, kept in a compacted topic (ova.ingest.seen) so that every ingest process, and the
 * next start of one, knows them; each process holds the latest {@code maxCacheSize} in memory. Its records are those
 * Camel's KafkaIdempotentRepository writes (key = the id, value {@code add}, {@code remove} or {@code clear}), so a
 * topic that class wrote is read as before.
 *
 * <p>Unlike that class, it touches its consumer from one thread at a time: the starting thread while it loads the
 * topic, then the thread that follows the topic, which also closes it. Camel's closed its consumer from the stopping
 * thread while its poller still polled, and every stop of ingest logged a ConcurrentModificationException.
 */
public final class SeenTopic extends ServiceSupport implements IdempotentRepository {

    private static final Logger LOG = LoggerFactory.getLogger(SeenTopic.class);
    /** How long the follower waits for new records before it looks whether it is to stop (a wakeup ends it sooner). */
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    private static final String ADD = "add";
    private static final String REMOVE = "remove";
    private static final String CLEAR = "clear";

    private final String topic;
    private final String bootstrapServers;
    private final int maxCacheSize;
    private Map<String, Boolean> cache;
    private KafkaConsumer<String, String> consumer;
    private KafkaProducer<String, String> producer;
    private Thread follower;
    private volatile boolean following;

    public SeenTopic(String topic, String bootstrapServers, int maxCacheSize) {
        if (maxCacheSize < 1) {
            throw new IllegalArgumentException("the cache of " + topic + " must hold at least one id, not "
                    + maxCacheSize);
        }
        this.topic = topic;
        this.bootstrapServers = bootstrapServers;
        this.maxCacheSize = maxCacheSize;
    }

    /** Loads the topic from its beginning, then follows it on a thread of its own. */
    @Override
    protected void doStart() {
        cache = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > maxCacheSize;
            }
        });
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "ovaflow-ingest-seen",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // a missing topic is an error, not one to make with the broker's defaults (not compacted)
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer());
        try {
            load();
            producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ProducerConfig.CLIENT_ID_CONFIG, "ovaflow-ingest-seen",
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new StringSerializer());
        } catch (RuntimeException e) {
            consumer.close();
            consumer = null;
            throw e;
        }
        following = true;
        // from here on only the follower touches the consumer (Thread.start hands it over)
        follower = DaemonThreads.named("ovaflow-ingest-seen").newThread(this::follow);
        follower.start();
    }

    /** Reads every partition of the topic up to where it ends now. */
    private void load() {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic);
        if (partitions == null || partitions.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist: ingest keeps the ids it has seen there");
        }
        List<TopicPartition> assigned = partitions.stream()
                .map(partition -> new TopicPartition(topic, partition.partition())).toList();
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
        Map<TopicPartition, Long> ends = consumer.endOffsets(assigned);
        long started = System.nanoTime();
        while (assigned.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
            consumer.poll(POLL).forEach(this::apply);
        }
        LOG.info("{}: {} ids loaded in {} ms", topic, cache.size(), (System.nanoTime() - started) / 1_000_000);
    }

    /** Takes in what other processes (and this one) write, until {@link #doStop}; then closes the consumer. */
    private void follow() {
        try {
            while (following) {
                try {
                    consumer.poll(POLL).forEach(this::apply);
                } catch (WakeupException e) {
                    // doStop: following is false now
                } catch (RuntimeException e) {
                    LOG.warn("{}: cannot read the ids other processes have seen, trying again: {}", topic, e.toString());
                }
            }
        } finally {
            consumer.close();
        }
    }

    private void apply(ConsumerRecord<String, String> record) {
        String action = record.value();
        if (ADD.equals(action)) {
            cache.put(record.key(), Boolean.TRUE);
        } else if (REMOVE.equals(action)) {
            cache.remove(record.key());
        } else if (CLEAR.equals(action)) {
            cache.clear();
        } else {
            LOG.warn("{}: record at partition {} offset {} is no add, remove or clear but {}: ignored", topic,
                    record.partition(), record.offset(), action == null ? "null" : "'" + action + "'");
        }
    }

    @Override
    protected void doStop() throws InterruptedException {
        following = false;
        if (follower != null) {
            consumer.wakeup();
            follower.join(TimeUnit.SECONDS.toMillis(30));
            if (follower.isAlive()) {
                LOG.warn("{}: the thread that follows it did not stop within 30 s", topic);
            }
            follower = null;
        }
        consumer = null;
        if (producer != null) {
            producer.close();
            producer = null;
        }
    }

    /** Marks {@code id} seen, written to the topic before it returns; false when it was seen already. */
    @Override
    public boolean add(String id) {
        if (cache.putIfAbsent(id, Boolean.TRUE) != null) {
            return false;
        }
        try {
            write(id, ADD);
        } catch (RuntimeException e) {
            // not written: not seen, so that the next try lets it through again
            cache.remove(id);
            throw e;
        }
        return true;
    }

    @Override
    public boolean contains(String id) {
        return cache.containsKey(id);
    }

    @Override
    public boolean remove(String id) {
        cache.remove(id);
        write(id, REMOVE);
        return true;
    }

    @Override
    public boolean confirm(String id) {
        return true;
    }

    /** Forgets every id, in every process. The record's key is no id (ids are hex): a compacted topic needs one. */
    @Override
    public void clear() {
        cache.clear();
        write(CLEAR, CLEAR);
    }

    private void write(String key, String action) {
        try {
            producer.send(new ProducerRecord<>(topic, key, action)).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write " + action + " " + key + " to " + topic + ": " + e.getCause(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot write " + action + " " + key + " to " + topic + ": no answer in "
                    + SEND_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted writing " + action + " " + key + " to " + topic, e);
        }
    }
}
