package org.ovaflow.app.pipeline;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.PoisonEventException;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The latest status of every import, read from the compacted ova.status topic from its beginning: what
 * /api/imports, the status page and {@code import --wait} show. It reads without a consumer group (it
 * assigns itself every partition), so any number of readers see everything and commit nothing.
 */
public final class ImportStatuses implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ImportStatuses.class);
    /** The most imports kept in memory; the oldest are forgotten first (the topic still has them). */
    private static final int MAX_KEPT = 10_000;

    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread reader;
    private final Map<String, StatusEvent> latest = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, StatusEvent> eldest) {
            return size() > MAX_KEPT;
        }
    };
    private volatile boolean running = true;

    public ImportStatuses(String bootstrapServers) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "ovaflow-status-reader"),
                new StringDeserializer(), new ByteArrayDeserializer());
        reader = new Thread(this::readForever, "ovaflow-status-reader");
        reader.setDaemon(true);
    }

    public ImportStatuses start() {
        reader.start();
        return this;
    }

    private void readForever() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.STATUS.topic()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    accept(record);
                }
            }
        } catch (WakeupException e) {
            // close() woke us up
        } catch (RuntimeException e) {
            LOG.error("reading {} stopped: {}", Topics.STATUS.topic(), e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void accept(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return; // a tombstone: compaction may remove it, nothing to show
        }
        try {
            StatusEvent status = EventCodec.readStatusEvent(record.headers(), record.value());
            synchronized (latest) {
                StatusEvent previous = latest.get(status.importId());
                // a redelivered earlier stage must not hide a final state
                if (previous == null || !previous.state().isFinal() || status.state().isFinal()) {
                    latest.remove(status.importId());
                    latest.put(status.importId(), status);
                }
                latest.notifyAll();
            }
        } catch (PoisonEventException e) {
            LOG.warn("skipping unreadable record {} of {}: {}", record.offset(), record.topic(), e.getMessage());
        }
    }

    public Optional<StatusEvent> get(String importId) {
        synchronized (latest) {
            return Optional.ofNullable(latest.get(importId));
        }
    }

    /** The imports seen, newest first, at most {@code limit}. */
    public List<StatusEvent> recent(int limit) {
        synchronized (latest) {
            List<StatusEvent> all = new ArrayList<>(latest.values());
            java.util.Collections.reverse(all);
            return all.subList(0, Math.min(limit, all.size()));
        }
    }

    /**
     * Waits until each of {@code importIds} is in a final state (published, quarantined, failed) or the
     * timeout passes; returns the latest state of each, final or not.
     */
    public Map<String, StatusEvent> awaitFinal(Collection<String> importIds, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (latest) {
            while (true) {
                boolean allFinal = importIds.stream().allMatch(id -> latest.containsKey(id)
                        && latest.get(id).state().isFinal());
                long left = deadline - System.nanoTime();
                if (allFinal || left <= 0) {
                    Map<String, StatusEvent> result = new LinkedHashMap<>();
                    importIds.forEach(id -> result.put(id, latest.get(id)));
                    return result;
                }
                latest.wait(Math.max(1, Math.min(left / 1_000_000, 1000)));
            }
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
