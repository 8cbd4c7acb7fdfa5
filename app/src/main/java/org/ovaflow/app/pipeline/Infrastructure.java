package org.ovaflow.app.pipeline;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The broker and the store a pipeline runs on: external ones when configured, else a real Kafka broker (KRaft)
 * and a real S3 server started in this process on 127.0.0.1 with their data under the data dir. Creates the
 * topics and buckets the pipeline needs; both steps are idempotent, so any process may do them.
 */
public final class Infrastructure implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Infrastructure.class);

    private final EmbeddedKafka embeddedKafka;
    private final EmbeddedS3 embeddedS3;
    private final String kafka;
    private final String s3;
    private final String accessKey;
    private final String secretKey;
    private final ObjectStore store;

    private Infrastructure(EmbeddedKafka embeddedKafka, EmbeddedS3 embeddedS3, String kafka, String s3,
                           String accessKey, String secretKey) {
        this.embeddedKafka = embeddedKafka;
        this.embeddedS3 = embeddedS3;
        this.kafka = kafka;
        this.s3 = s3;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.store = new ObjectStore(s3, accessKey, secretKey);
    }

    public static Infrastructure start(PipelineSettings settings) {
        EmbeddedKafka kafka = null;
        EmbeddedS3 s3 = null;
        try {
            String bootstrap = settings.kafka();
            if (settings.embeddedKafka()) {
                kafka = new EmbeddedKafka(settings.dataDir().resolve("kafka"),
                        Integer.parseInt(settings.property("ovaflow.embedded.kafka-port", "0")));
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
                        Integer.parseInt(settings.property("ovaflow.embedded.s3-port", "0")), accessKey, secretKey);
                s3.start();
                endpoint = s3.endpoint();
                LOG.info("embedded S3 server on {}", endpoint);
            }
            if (accessKey == null || secretKey == null) {
                throw new IllegalArgumentException("an external S3 store needs credentials: set OVAFLOW_S3_ACCESS_KEY"
                        + " and OVAFLOW_S3_SECRET_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)");
            }
            return new Infrastructure(kafka, s3, bootstrap, endpoint, accessKey, secretKey);
        } catch (RuntimeException e) {
            closeQuietly(s3);
            closeQuietly(kafka);
            throw e;
        }
    }

    /** Creates the topics and buckets that are missing. */
    public void prepare(PipelineSettings settings) {
        createTopics(Integer.parseInt(settings.property("ovaflow.kafka.partitions", "3")),
                Short.parseShort(settings.property("ovaflow.kafka.replication-factor",
                        embeddedKafka != null ? "1" : "-1")));
        store.ensureBuckets(settings.buckets().all());
    }

    private void createTopics(int partitions, short replicationFactor) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            List<NewTopic> topics = new ArrayList<>();
            for (Topics topic : Topics.values()) {
                NewTopic newTopic = new NewTopic(topic.topic(), Optional.of(partitions),
                        replicationFactor > 0 ? Optional.of(replicationFactor) : Optional.empty());
                if (topic.compacted()) {
                    newTopic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                }
                topics.add(newTopic);
            }
            admin.createTopics(topics).values().forEach((name, future) -> {
                try {
                    future.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause(), e);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("cannot create topic " + name + ": " + e, e);
                }
            });
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
        return new Endpoints(kafka, s3, accessKey, secretKey, http);
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
