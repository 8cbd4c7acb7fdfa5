package org.ovaflow.app.pipeline;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.Topics;
import org.ovaflow.ingest.notification.S3EventNotification;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tells ingest of each drop at once: an S3 event notification of the dropped object on {@code ova.notifications},
 * in the shape MinIO publishes, so that a store that notifies nobody (the embedded one, a bucket without
 * notifications) does not leave the import waiting for ingest's next scan of the bucket (up to
 * {@code ovaflow.ingest.scan-interval-ms}, 5 s by default). The scan still lists the object; ingest emits one
 * arrival per object whichever finds it first. Best effort: when the broker cannot be reached the scan finds it.
 */
public final class DropNotices implements AutoCloseable {

    /** How long one notice may wait for the broker before the object is left to the scan. */
    private static final int WAIT_MS = 10_000;

    private final KafkaProducer<String, byte[]> producer;

    public DropNotices(String bootstrapServers) {
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "ovaflow-import-notices",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, WAIT_MS,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, WAIT_MS / 2,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, WAIT_MS),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** Notifies ingest of {@code object}, created; false when the broker did not take the notice in time. */
    public boolean send(ObjectRef object) {
        try {
            producer.send(new ProducerRecord<>(Topics.NOTIFICATIONS.topic(), object.bucket() + "/" + object.key(),
                    S3EventNotification.created(object))).get(WAIT_MS, TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(2));
    }
}
