package org.ovaflow.app.pipeline;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.ovaflow.core.config.SharedSettings;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.embedded.EmbeddedKafka;
import org.ovaflow.embedded.EmbeddedS3;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The broker and the store a pipeline runs on: external ones when configured, else a real Kafka broker (KRaft)
 * and a real S3 server started in this process on 127.0.0.1 with their data under the data dir. Creates the
 * topics and buckets the pipeline needs; both steps are idempotent, so any process may do them.
 */
public final class Infrastructure implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Infrastructure.class);

    /** {@code ovaflow.store.parallel-parts} of a pipeline process, whose stages upload at once in one heap. */
    static final int RUN_PARALLEL_PARTS = 2;

    private final EmbeddedKafka embeddedKafka;
    private final EmbeddedS3 embeddedS3;
    private final String kafka;
    private final String s3;
    private final String accessKey;
    private final String secretKey;
    private final ObjectStore store;

    private Infrastructure(EmbeddedKafka embeddedKafka, EmbeddedS3 embeddedS3, String kafka, String s3,
                           String accessKey, String secretKey, ObjectStore.UploadSettings uploads) {
        this.embeddedKafka = embeddedKafka;
        this.embeddedS3 = embeddedS3;
        this.kafka = kafka;
        this.s3 = s3;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.store = new ObjectStore(s3, accessKey, secretKey, uploads);
    }

    public static Infrastructure start(PipelineSettings settings) {
        EmbeddedKafka kafka = null;
        EmbeddedS3 s3 = null;
        try {
            String bootstrap = settings.kafka();
            if (settings.embeddedKafka()) {
                kafka = new EmbeddedKafka(settings.dataDir().resolve("kafka"),
                        settings.get(ProcessSettings.EMBEDDED_KAFKA_PORT));
                kafka.start();
                bootstrap = kafka.bootstrapServers();
                LOG.info("embedded Kafka broker (KRaft) on {}", bootstrap);
            }
            String endpoint = settings.s3();
            String accessKey = settings.s3AccessKey();
            String secretKey = settings.s3SecretKey();
            if (settings.embeddedS3()) {
                String[] credentials = embeddedCredentials(settings.dataDir().resolve("s3"));
                accessKey = credentials[0];
                secretKey = credentials[1];
                s3 = new EmbeddedS3(settings.dataDir().resolve("s3"),
                        settings.get(ProcessSettings.EMBEDDED_S3_PORT), accessKey, secretKey);
                s3.start();
                endpoint = s3.endpoint();
                LOG.info("embedded S3 server on {}", endpoint);
            }
            if (accessKey == null || secretKey == null) {
                throw new IllegalArgumentException("an external S3 store needs credentials: set OVAFLOW_S3_ACCESS_KEY"
                        + " and OVAFLOW_S3_SECRET_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)");
            }
            // the stages upload side by side in one heap (-Xmx256m): two parts in flight an upload unless set
            // and the embedded store takes single requests of up to 5 TiB
            boolean embedded = s3 != null;
            return new Infrastructure(kafka, s3, bootstrap, endpoint, accessKey, secretKey,
                    ObjectStore.UploadSettings.from(key -> settings.property(key, runDefault(key, embedded))));
        } catch (RuntimeException e) {
            closeQuietly(s3);
            closeQuietly(kafka);
            throw e;
        }
    }

    /**
     * Creates the topics and buckets that are missing, and grows topics that have fewer partitions than
     * configured ({@code ovaflow.kafka.partitions}, per topic {@code ovaflow.kafka.partitions.<topic>}):
     * partitions bound how many processes of a stage can share its work.
     */
    public void prepare(PipelineSettings settings) {
        Integer configuredFactor = settings.get(ProcessSettings.REPLICATION_FACTOR);
        short replicationFactor = (short) (configuredFactor != null ? configuredFactor : embeddedKafka != null ? 1 : -1);
        int partitions = settings.get(ProcessSettings.KAFKA_PARTITIONS);
        Map<String, Integer> wanted = new LinkedHashMap<>();
        for (Topics topic : Topics.values()) {
            Integer topicPartitions = settings.get(ProcessSettings.TOPIC_PARTITIONS.at(topic.topic()));
            wanted.put(topic.topic(), topicPartitions != null ? topicPartitions : partitions);
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            createTopics(admin, wanted, replicationFactor);
            growTopics(admin, wanted);
        }
        store.ensureBuckets(settings.buckets().all());
    }

    private static void createTopics(Admin admin, Map<String, Integer> wanted, short replicationFactor) {
        List<NewTopic> topics = new ArrayList<>();
        for (Topics topic : Topics.values()) {
            NewTopic newTopic = new NewTopic(topic.topic(), Optional.of(wanted.get(topic.topic())),
                    replicationFactor > 0 ? Optional.of(replicationFactor) : Optional.empty());
            if (topic.compacted()) {
                newTopic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            }
            topics.add(newTopic);
        }
        admin.createTopics(topics).values().forEach((name, future) -> await("create topic " + name, future,
                TopicExistsException.class));
    }

    /** Kafka can add partitions, never remove them: a topic with more than configured keeps them. */
    private static void growTopics(Admin admin, Map<String, Integer> wanted) {
        Map<String, TopicDescription> existing = await("describe topics",
                admin.describeTopics(wanted.keySet()).allTopicNames(), null);
        Map<String, NewPartitions> growth = new LinkedHashMap<>();
        existing.forEach((name, description) -> {
            if (description.partitions().size() < wanted.get(name)) {
                LOG.info("topic {}: {} partitions, growing to {}", name, description.partitions().size(),
                        wanted.get(name));
                growth.put(name, NewPartitions.increaseTo(wanted.get(name)));
            }
        });
        if (!growth.isEmpty()) {
            await("grow topics " + growth.keySet(), admin.createPartitions(growth).all(), null);
        }
    }

    private static <T> T await(String what, KafkaFuture<T> future, Class<? extends Exception> harmless) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (harmless != null && harmless.isInstance(e.getCause())) {
                return null;
            }
            throw new IllegalStateException("cannot " + what + ": " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + what, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot " + what + ": the broker did not answer in 30 s", e);
        }
    }

    /** The embedded store's credentials: made up at first start, kept (owner-readable) for the next. */
    private static String[] embeddedCredentials(Path dir) {
        Path file = dir.resolve("credentials.properties");
        Properties properties = new Properties();
        try {
            Files.createDirectories(dir);
            if (Files.isRegularFile(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    properties.load(in);
                }
            } else {
                SecureRandom random = new SecureRandom();
                properties.setProperty("access-key", "ovaflow-" + hex(random, 6));
                properties.setProperty("secret-key", hex(random, 20));
                Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
                try (OutputStream out = Files.newOutputStream(file)) {
                    properties.store(out, "credentials of the embedded S3 server");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the embedded store's credentials in " + file, e);
        }
        return new String[]{properties.getProperty("access-key"), properties.getProperty("secret-key")};
    }

    /** What {@code run} sets where the user does not: fewer parts in flight, the embedded store's larger PUTs. */
    private static String runDefault(String key, boolean embeddedStore) {
        if (key.equals(SharedSettings.STORE_PARALLEL_PARTS.key())) {
            return Integer.toString(RUN_PARALLEL_PARTS);
        }
        if (embeddedStore && key.equals(SharedSettings.STORE_MAX_SINGLE_REQUEST_GIB.key())) {
            return Integer.toString(EmbeddedS3.MAX_SINGLE_REQUEST_GIB);
        }
        return null;
    }

    private static String hex(SecureRandom random, int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }

    public String kafka() {
        return kafka;
    }

    public String s3() {
        return s3;
    }

    public ObjectStore store() {
        return store;
    }

    public Endpoints endpoints(String http) {
        return new Endpoints(kafka, s3, accessKey, secretKey, http,
                (int) (store.uploadSettings().maxSingleRequest() / ObjectStore.UploadSettings.GIB));
    }

    @Override
    public void close() {
        closeQuietly(embeddedS3);
        closeQuietly(embeddedKafka);
    }

    private static void closeQuietly(AutoCloseable server) {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (Exception e) {
            LOG.warn("stopping {} failed: {}", server.getClass().getSimpleName(), e.toString());
        }
    }
}
