package org.ovaflow.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A real single-node Kafka broker (KRaft combined mode) running in this JVM and listening on 127.0.0.1 only. */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String PORTS_FILE = "ports.properties";
    private static final String BROKER_PORT_KEY = "broker.port";
    private static final String CONTROLLER_PORT_KEY = "controller.port";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final Path logDir;
    private final int requestedPort;

    private KafkaRaftServer server;
    private int brokerPort;
    private int controllerPort;

    /**
     * @param dataDir directory holding the log dir, the KRaft metadata log and the remembered ports; created if missing
     * @param port    broker port on 127.0.0.1, or 0 to reuse the port remembered in {@code dataDir} (or pick a free one)
     */
    public EmbeddedKafka(Path dataDir, int port) {
        LoopbackPorts.checkPort(port);
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath();
        this.logDir = this.dataDir.resolve("kafka-logs");
        this.requestedPort = port;
    }

    /**
     * Formats the storage on first use, starts the broker and controller and blocks until the broker
     * answers a describeCluster request.
     *
     * @throws IllegalStateException if already started
     */
    public synchronized void start() {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        long began = System.nanoTime();
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + logDir, e);
        }
        resolvePorts();
        KafkaConfig config = KafkaConfig.fromProps(brokerProperties(), false);
        boolean formatted = formatIfNeeded();

        KafkaRaftServer candidate = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            candidate.startup();
            LOG.debug("KafkaRaftServer.startup() returned after {} ms",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
            server = candidate;
            awaitReady();
        } catch (RuntimeException | Error e) {
            server = null;
            shutdown(candidate);
            throw e;
        }
        LOG.info("Kafka started on {} (controller 127.0.0.1:{}, {} storage, {} ms)", bootstrapServers(),
                controllerPort, formatted ? "new" : "existing",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
    }

    /** @return {@code "127.0.0.1:port"}, for the clients' {@code bootstrap.servers} */
    public synchronized String bootstrapServers() {
        requireStarted();
        return LoopbackPorts.LOOPBACK_HOST + ":" + brokerPort;
    }

    /** @return the broker (client) port */
    public synchronized int port() {
        requireStarted();
        return brokerPort;
    }

    /** @return the cluster id written to {@code meta.properties} when the storage was formatted */
    public synchronized String clusterId() {
        requireStarted();
        return LoopbackPorts.load(logDir.resolve("meta.properties")).getProperty("cluster.id");
    }

    /** @return the data directory this broker keeps its state in */
    public Path dataDir() {
        return dataDir;
    }

    /** @return whether {@link #start()} succeeded and {@link #close()} was not called since */
    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Shuts the broker and controller down and waits for them to stop; a no-op when not running. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        long began = System.nanoTime();
        shutdown(server);
        server = null;
        LOG.info("Kafka on 127.0.0.1:{} stopped in {} ms", brokerPort,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
    }

    private void resolvePorts() {
        Path portsFile = dataDir.resolve(PORTS_FILE);
        Properties stored = LoopbackPorts.load(portsFile);
        brokerPort = LoopbackPorts.resolve(requestedPort, stored, BROKER_PORT_KEY);
        // the controller port is never requested by callers; keep the remembered one so the voter address is stable
        do {
            controllerPort = LoopbackPorts.resolve(0, stored, CONTROLLER_PORT_KEY);
            stored.remove(CONTROLLER_PORT_KEY);
        } while (controllerPort == brokerPort);
        Properties chosen = new Properties();
        chosen.setProperty(BROKER_PORT_KEY, Integer.toString(brokerPort));
        chosen.setProperty(CONTROLLER_PORT_KEY, Integer.toString(controllerPort));
        LoopbackPorts.store(portsFile, chosen, "ports chosen by EmbeddedKafka, reused on restart when free");
    }

    private Properties brokerProperties() {
        String broker = BROKER_LISTENER + "://" + LoopbackPorts.LOOPBACK_HOST + ":" + brokerPort;
        String controller = CONTROLLER_LISTENER + "://" + LoopbackPorts.LOOPBACK_HOST + ":" + controllerPort;
        Properties p = new Properties();
        p.putAll(Map.of(
                "process.roles", "broker,controller",
                "node.id", Integer.toString(NODE_ID),
                // explicit loopback listeners: an empty host would bind every interface
                "listeners", broker + "," + controller,
                "advertised.listeners", broker,
                "listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT",
                "inter.broker.listener.name", BROKER_LISTENER,
                "controller.listener.names", CONTROLLER_LISTENER,
                // static voter set (kraft.version 0): the voter address comes from config, not from the log
                "controller.quorum.voters", NODE_ID + "@" + LoopbackPorts.LOOPBACK_HOST + ":" + controllerPort,
                "log.dirs", logDir.toString(),
                "metadata.log.dir", logDir.toString()));
        // one node: every internal topic must be satisfiable with a single replica
        p.putAll(Map.of(
                "offsets.topic.replication.factor", "1",
                "offsets.topic.num.partitions", "3",
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1",
                "transaction.state.log.num.partitions", "3",
                "share.coordinator.state.topic.replication.factor", "1",
                "share.coordinator.state.topic.min.isr", "1",
                "share.coordinator.state.topic.num.partitions", "3",
                "default.replication.factor", "1",
                "min.insync.replicas", "1"));
        // a stage member killed outright (SIGKILL, a lost node) holds its partitions until its session times out:
        // 6 s instead of the default 45 s, so another member takes over within seconds. The consumer protocol's
        // heartbeats come from the client's own thread, every 1.5 s (four to a session, as the broker's own), so a
        // long conversion cannot starve them. 10 s left a killed stage's imports waiting 11-13 s (bench/chaos.sh).
        p.putAll(Map.of(
                "group.consumer.min.session.timeout.ms", "6000",
                "group.consumer.session.timeout.ms", "6000",
                "group.consumer.min.heartbeat.interval.ms", "1000",
                "group.consumer.heartbeat.interval.ms", "1500"));
        // a broker killed outright (kill -9, a lost node) leaves its registration behind, and the controller, in the
        // same process, refuses the restarted broker's until the old one's session has run out: 9 s by default, then
        // the registration's next retry (every heartbeat). Two thirds of each here, the default's ratio kept: a
        // restart after a kill is ready about 4 s sooner (14 s to 8-10 s measured with 4.5 s; 6 s keeps a margin for
        // a loaded JVM's heartbeat, whose miss would fence the broker from its own controller).
        p.putAll(Map.of(
                "broker.session.timeout.ms", "6000",
                "broker.heartbeat.interval.ms", "1500"));
        p.putAll(Map.of(
                "num.partitions", "3",
                "group.initial.rebalance.delay.ms", "0",
                // small footprint: the broker shares the JVM with the pipeline
                "num.network.threads", "2",
                "num.io.threads", "2",
                "background.threads", "2",
                "num.recovery.threads.per.data.dir", "1",
                "num.replica.fetchers", "1",
                "log.cleaner.threads", "1",
                // the default 128 MiB dedupe buffer is allocated on heap as soon as the cleaner runs
                "log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024)));
        return p;
    }

    /** Formats the log dir unless a previous run already did; returns whether it formatted. */
    private boolean formatIfNeeded() {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return false;
        }
        ByteArrayOutputStream formatterOutput = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(formatterOutput, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(out) // the formatter prints to stdout by default
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .addDirectory(logDir.toString())
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + logDir, e);
        }
        LOG.debug("formatted {}: {}", logDir, formatterOutput.toString(StandardCharsets.UTF_8).trim());
        return true;
    }

    private void awaitReady() {
        Map<String, Object> adminConfig = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LoopbackPorts.LOOPBACK_HOST + ":" + brokerPort,
                AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-readiness",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(adminConfig)) {
            while (true) {
                try {
                    // the broker only shows up in describeCluster once it is registered and unfenced
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
                            .nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    LOG.debug("broker not ready yet: {}", e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for Kafka", e);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka on 127.0.0.1:" + brokerPort
                            + " not ready within " + READY_TIMEOUT);
                }
            }
        }
    }

    private static void shutdown(KafkaRaftServer s) {
        s.shutdown();
        s.awaitShutdown();
    }

    private void requireStarted() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
    }
}
