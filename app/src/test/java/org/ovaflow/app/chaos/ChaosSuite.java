package org.ovaflow.app.chaos;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.ovaflow.app.pipeline.Endpoints;
import org.ovaflow.core.event.DeadLetter;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ImportId;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.event.TarIndex;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.ova.OvaBuilder;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.stage.StageKafka;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.TopicReader;
import org.ovaflow.publish.catalog.CatalogIndex;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * The chaos suite: ovaflow as operators run it, the broker and store in a process of their own
 * ({@code ovaflow run --stages none}), each stage in another ({@code ovaflow run --stages X}), all on 127.0.0.1,
 * the stages reaching the store through a proxy that can cut it off. While a batch of good, bad and large OVAs
 * goes through, faults are injected: a stage killed with SIGKILL and restarted, the broker and store process
 * killed and restarted, the store cut off, a consumer group rewound to the beginning of its topic, every arrival
 * notified three times, poison records on every topic. Then it checks that every import ended exactly once,
 * published or quarantined, and prints the table the issue asks for.
 *
 * <p>{@code ChaosIT} runs a short version in {@code mvn verify}; {@code bench/chaos.sh} the long one
 * ({@link #main}).
 */
public final class ChaosSuite implements AutoCloseable {

    /** The stage processes, one each. */
    static final List<String> STAGES = List.of("ingest", "checksum", "schema", "transcode", "publish", "quarantine");

    /**
     * @param imports      OVAs submitted
     * @param badEvery     every n-th is corrupt (a wrong digest: quarantined)
     * @param largeEvery   every n-th good one has a disk of {@code largeDiskMiB} (a transcode of seconds)
     * @param faultEvery   a fault every this long while the batch runs (the long version), null: the short
     *                     version's fixed sequence, one fault of each kind, zero: no fault at all (what the
     *                     stages' consumer groups do on their own: the run fails if one rebalanced)
     * @param storeOutage  how long the store is cut off
     * @param submitOver   the submissions are spread over this long
     * @param settle       how long to wait, after the last fault, for every import to end
     */
    public record Config(int imports, int badEvery, int largeEvery, int largeDiskMiB, Duration faultEvery,
                         Duration storeOutage, Duration submitOver, Duration settle, long seed) {
    }

    /**
     * One fault as it happened: what, when it began and healed, when an import ended next, and when the fault after
     * it began (null: none did).
     */
    record Fault(String what, Instant began, Instant healed, Instant progress, Instant nextBegan) {
        String recovery() {
            if (progress == null) {
                return "no import ended after it";
            }
            // its recovery then includes some of the next fault's
            String overlapped = nextBegan != null && nextBegan.isBefore(progress) ? " (the next fault came first)" : "";
            return Duration.between(healed, progress).toMillis() + " ms" + overlapped;
        }
    }

    private final Config config;
    private final Path dir;
    private final Random random;
    private final int kafkaPort;
    private final int s3Port;
    private final TcpProxy storeProxy;
    private final OvaflowProcess servers;
    private final Map<String, OvaflowProcess> stages = new LinkedHashMap<>();
    private final Map<String, Boolean> expectedPublished = new ConcurrentHashMap<>();
    private final Map<String, StatusEvent> lastStatus = new ConcurrentHashMap<>();
    private final List<Instant> finals = new CopyOnWriteArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    private final List<String> poisonKeys = new ArrayList<>();
    private final Map<String, Duration> phases = new LinkedHashMap<>();
    private volatile boolean tailing = true;
    private boolean closed;
    private Thread statusTail;
    private Endpoints endpoints;
    private ObjectStore store;

    public ChaosSuite(Config config, Path dir) throws IOException {
        this.config = config;
        this.dir = dir;
        this.random = new Random(config.seed());
        this.kafkaPort = freePort();
        this.s3Port = freePort();
        this.storeProxy = new TcpProxy(freePort(), s3Port);
        Files.createDirectories(dir.resolve("logs"));
        this.servers = new OvaflowProcess("servers", List.of("--stages", "none", "--data-dir", dir.resolve("servers").toString(),
                "-D", "ovaflow.embedded.kafka-port=" + kafkaPort, "-D", "ovaflow.embedded.s3-port=" + s3Port),
                Map.of(), dir.resolve("logs"), freePort());
    }

    /** The long version: {@code bench/chaos.sh [IMPORTS] [MINUTES]}. */
    public static void main(String[] args) throws Exception {
        int imports = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int minutes = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int faultEverySeconds = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Path dir = Files.createTempDirectory("ovaflow-chaos");
        Config config = new Config(imports, 5, 10, 128, Duration.ofSeconds(faultEverySeconds), Duration.ofSeconds(30),
                Duration.ofMinutes(minutes), Duration.ofMinutes(10), System.nanoTime());
        ChaosSuite suite = new ChaosSuite(config, dir);
        // a SIGTERM or Ctrl-C ends the seven processes the suite started too, not only this one
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                suite.close();
            } catch (Exception e) {
                System.err.println("chaos: stopping the processes failed: " + e);
            }
        }, "chaos-stop"));
        boolean passed;
        try {
            Report report = suite.run();
            System.out.println(report.table());
            passed = report.passed();
        } finally {
            System.out.println("logs: " + dir.resolve("logs"));
            // before System.exit, which would skip a try-with-resources' close and leave them running
            suite.close();
        }
        System.exit(passed ? 0 : 1);
    }

    public Report run() throws Exception {
        Instant started = Instant.now();
        servers.start();
        servers.awaitHealthy(Duration.ofSeconds(120));
        endpoints = Endpoints.readFrom(dir.resolve("servers")).orElseThrow();
        store = new ObjectStore(endpoints.s3(), endpoints.s3AccessKey(), endpoints.s3SecretKey());
        Map<String, String> credentials = Map.of("OVAFLOW_S3_ACCESS_KEY", endpoints.s3AccessKey(),
                "OVAFLOW_S3_SECRET_KEY", endpoints.s3SecretKey());
        for (String stage : STAGES) {
            stages.put(stage, new OvaflowProcess(stage, List.of("--stages", stage,
                    "--data-dir", dir.resolve(stage).toString(),
                    "--kafka", "127.0.0.1:" + kafkaPort, "--s3", "http://127.0.0.1:" + storeProxy.port(),
                    "-D", "ovaflow.instance=" + stage,
                    "-D", "ovaflow.ingest.scan-interval-ms=1000"), credentials, dir.resolve("logs"), freePort()));
        }
        for (OvaflowProcess stage : stages.values()) {
            stage.start();
        }
        for (OvaflowProcess stage : stages.values()) {
            stage.awaitHealthy(Duration.ofSeconds(120));
        }
        startStatusTail();
        phases.put("servers and 6 stage processes up", Duration.between(started, Instant.now()));

        Thread submitter = new Thread(this::submitAll, "chaos-submitter");
        submitter.start();
        // the faults hit a pipeline that has ended an import: before that, a fault's "recovery" (to the next import
        // that ends) measured how long the freshly started processes took to end their first one, not what the
        // fault cost; and the groups' epochs count rebalances from there, the members' first joins done
        awaitFinals(1, Duration.ofMinutes(5));
        Map<String, Integer> epochsAtFirstImport = groupEpochs();
        if (config.faultEvery() == null) {
            shortSequence();
        } else if (config.faultEvery().isZero()) {
            poison();
        } else {
            randomFaults(started);
        }
        submitter.join();
        phases.put("faults done, every import submitted", Duration.between(started, Instant.now()));
        awaitEveryImportFinal(config.settle());
        phases.put("every import ended", Duration.between(started, Instant.now()));
        // a rewound group may still be going over records whose imports ended: let every stage catch up
        awaitNoLag(Duration.ofSeconds(120));
        phases.put("every stage caught up", Duration.between(started, Instant.now()));
        Map<String, Integer> rebalances = new TreeMap<>();
        groupEpochs().forEach((stage, epoch) -> rebalances.put(stage, epoch - epochsAtFirstImport.get(stage)));
        return report(Duration.between(started, Instant.now()), rebalances);
    }

    /** One fault of every kind, in turn, each while imports are in flight. */
    private void shortSequence() throws Exception {
        faults.add(killAndRestart("transcode"));
        poison();
        faults.add(storeCutOff());
        // the next fault once the pipeline recovered from this one: back to back, the cut-off and the restart
        // are one outage longer than the retries wait out (ovaflow.retry.*), which sends imports to ova.dlq
        awaitProgressAfter(faults.get(faults.size() - 1).healed(), Duration.ofSeconds(90));
        faults.add(restartServers());
        faults.add(rewind("schema", Topics.VERIFIED));
    }

    private void randomFaults(Instant started) throws Exception {
        long until = started.plus(config.submitOver()).toEpochMilli();
        boolean poisoned = false;
        while (System.currentTimeMillis() < until) {
            Thread.sleep(config.faultEvery().toMillis());
            int kind = random.nextInt(10);
            if (!poisoned && System.currentTimeMillis() > (started.toEpochMilli() + until) / 2) {
                poison();
                poisoned = true;
            }
            if (kind < 6) {
                faults.add(killAndRestart(STAGES.get(random.nextInt(STAGES.size()))));
            } else if (kind < 7) {
                faults.add(restartServers());
            } else if (kind < 9) {
                faults.add(storeCutOff());
            } else {
                faults.add(rewind("schema", Topics.VERIFIED));
            }
            awaitProgressAfterLastFault();
        }
        if (!poisoned) {
            poison();
        }
    }

    /**
     * The next fault once an import ended after this one (as the short sequence waits after its cut-off), for two
     * reasons. A fault every 8 s put store outages (a cut-off, the broker+store process restarted) back to back into
     * one longer than the retries wait out (ovaflow.retry.*, about a minute), and such an outage sends imports to
     * ova.dlq by design, which is not what the run measures (a run did: two cut-offs and two restarts within 70 s).
     * And a fault that came before the pipeline recovered from the last one made that recovery the two faults' (a
     * kill, then another before a stage's session ran out): each fault's recovery is now its own.
     */
    private void awaitProgressAfterLastFault() throws InterruptedException {
        awaitProgressAfter(faults.get(faults.size() - 1).healed(), Duration.ofSeconds(90));
    }

    private Fault killAndRestart(String stage) throws Exception {
        OvaflowProcess process = stages.get(stage);
        Instant began = Instant.now();
        process.kill();
        Thread.sleep(500 + random.nextInt(2000));
        process.start();
        if (config.faultEvery() == null) {
            process.awaitHealthy(Duration.ofSeconds(120));
        }
        return healed("kill -9 " + stage + ", restart", began);
    }

    private Fault restartServers() throws Exception {
        Instant began = Instant.now();
        servers.kill();
        Thread.sleep(2000);
        servers.start();
        servers.awaitHealthy(Duration.ofSeconds(120));
        return healed("kill -9 broker+store process, restart", began);
    }

    private Fault storeCutOff() throws Exception {
        Instant began = Instant.now();
        storeProxy.cut();
        Thread.sleep(config.storeOutage().toMillis());
        storeProxy.restore();
        return healed("store cut off " + config.storeOutage().toSeconds() + " s", began);
    }

    /** The stage stopped, its group's offsets set to the beginning of its topic, started: it reads it all again. */
    private Fault rewind(String stage, Topics topic) throws Exception {
        OvaflowProcess process = stages.get(stage);
        Instant began = Instant.now();
        process.stop();
        try (Admin admin = admin()) {
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic.topic())).allTopicNames().get()
                    .get(topic.topic()).partitions().stream()
                    .map(p -> new TopicPartition(topic.topic(), p.partition())).toList();
            Map<TopicPartition, OffsetAndMetadata> earliest = new LinkedHashMap<>();
            admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.earliest())))
                    .all().get().forEach((partition, info) -> earliest.put(partition, new OffsetAndMetadata(info.offset())));
            // a member killed with SIGKILL stays in the group until its session times out (45 s): offsets
            // can be changed only once the group is empty
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (true) {
                try {
                    admin.alterConsumerGroupOffsets(StageKafka.groupId(stage), earliest).all().get();
                    break;
                } catch (java.util.concurrent.ExecutionException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(2000);
                }
            }
        }
        process.start();
        if (config.faultEvery() == null) {
            process.awaitHealthy(Duration.ofSeconds(120));
        }
        return healed("rewind " + StageKafka.groupId(stage) + " to the start of " + topic.topic(), began);
    }

    /** The fault as it happened; when the pipeline made progress again is found when the run is over. */
    private Fault healed(String what, Instant began) {
        timeline("fault", what + ", began " + began);
        return new Fault(what, began, Instant.now(), null, null);
    }

    /**
     * One line of logs/timeline.tsv: every status event as the suite saw it and every fault as it healed, in the
     * order they came, for following an import through the stages around a slow recovery.
     */
    private synchronized void timeline(String subject, String what) {
        try {
            Files.writeString(dir.resolve("logs").resolve("timeline.tsv"), Instant.now() + "\t" + subject + "\t"
                    + what.replace('\n', ' ') + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each fault with the first import that ended after it healed and the beginning of the fault after it. */
    private List<Fault> withRecovery() {
        List<Instant> ended = finals.stream().sorted().toList();
        List<Fault> recovered = new ArrayList<>();
        for (int i = 0; i < faults.size(); i++) {
            Fault f = faults.get(i);
            recovered.add(new Fault(f.what(), f.began(), f.healed(),
                    ended.stream().filter(t -> t.isAfter(f.healed())).findFirst().orElse(null),
                    i + 1 < faults.size() ? faults.get(i + 1).began() : null));
        }
        return recovered;
    }

    private void submitAll() {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            long spacing = config.submitOver().toMillis() / Math.max(1, config.imports());
            for (int i = 0; i < config.imports(); i++) {
                submit(i, producer);
                Thread.sleep(spacing);
            }
        } catch (Exception e) {
            throw new IllegalStateException("submitting failed", e);
        }
    }

    /** One OVA dropped into the bucket, and its creation notified three times as MinIO would, duplicated. */
    private void submit(int n, KafkaProducer<String, byte[]> producer) throws Exception {
        boolean bad = config.badEvery() > 0 && n % config.badEvery() == config.badEvery() - 1;
        boolean large = !bad && config.largeEvery() > 0 && n % config.largeEvery() == 0;
        String product = "chaos-appliance-" + n;
        int diskBytes = large ? config.largeDiskMiB() << 20 : 200_000 + random.nextInt(300_000);
        OvaBuilder ova = SampleAppliance.ova("Chaos Monkeys", product, "1." + n, diskBytes, n);
        if (bad) {
            ova.spoilDigestOf("disk1.img");
        }
        Path file = dir.resolve("submit.ova");
        try (OutputStream out = Files.newOutputStream(file)) {
            ova.writeTo(out);
        }
        String key = "chaos/" + product + ".ova";
        ObjectInfo stored = retrying(() -> {
            try (var in = Files.newInputStream(file)) {
                return store.write("ova-incoming", key, in, Files.size(file), "application/x-ova");
            }
        });
        ObjectRef ref = stored.ref();
        expectedPublished.put(ImportId.of(ref), !bad);
        byte[] notification = notification(ref);
        for (int copy = 0; copy < 3; copy++) {
            producer.send(new ProducerRecord<>(Topics.NOTIFICATIONS.topic(), key, notification));
        }
    }

    /** The event MinIO's Kafka target publishes for an upload, as {@code S3EventNotification} reads it. */
    private static byte[] notification(ObjectRef ref) {
        Map<String, Object> object = Map.of("key", URLEncoder.encode(ref.key(), StandardCharsets.UTF_8),
                "size", ref.size(), "eTag", ref.etag());
        Map<String, Object> record = Map.of("eventVersion", "2.0", "eventSource", "minio:s3",
                "eventName", "s3:ObjectCreated:Put",
                "s3", Map.of("bucket", Map.of("name", ref.bucket()), "object", object));
        return EventCodec.toJson(Map.of("EventName", "s3:ObjectCreated:Put", "Key", ref.bucket() + "/" + ref.key(),
                "Records", List.of(record)));
    }

    /**
     * Poison on every topic a stage reads: not JSON, an event of a schema version from the future, and an event
     * for an object that no longer exists; each must land in ova.dlq with its reason.
     */
    private void poison() throws Exception {
        List<Topics> read = List.of(Topics.NOTIFICATIONS, Topics.ARRIVED, Topics.VERIFIED, Topics.VALIDATED,
                Topics.TRANSCODED, Topics.REJECTED);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (Topics topic : read) {
                String key = "poison-" + topic.topic() + "-not-json";
                producer.send(new ProducerRecord<>(topic.topic(), key, "{this is not json".getBytes(StandardCharsets.UTF_8)));
                poisonKeys.add(key);
                if (topic == Topics.NOTIFICATIONS) {
                    continue;
                }
                ObjectRef gone = new ObjectRef("ova-incoming", "chaos/never-there-" + topic.topic() + ".ova", "0", 10240, null);
                ImportEvent event = ImportEvent.arrived(gone, "chaos", Instant.now())
                        .withTarIndex(new TarIndex(List.of(new TarEntry("widget.ovf", 512, 1024, null))));
                ProducerRecord<String, byte[]> future = EventCodec.toRecord(topic, "chaos", event);
                String futureKey = "poison-" + topic.topic() + "-future-schema";
                List<Header> headers = new ArrayList<>();
                future.headers().forEach(h -> headers.add(h.key().equals("ce_" + EventCodec.SCHEMA_VERSION_EXTENSION)
                        ? new RecordHeader(h.key(), "999".getBytes(StandardCharsets.UTF_8)) : h));
                producer.send(new ProducerRecord<>(topic.topic(), null, futureKey, future.value(), headers));
                poisonKeys.add(futureKey);
                if (topic == Topics.ARRIVED || topic == Topics.VERIFIED) {
                    ProducerRecord<String, byte[]> record = EventCodec.toRecord(topic, "chaos", event);
                    producer.send(new ProducerRecord<>(topic.topic(), null, "poison-" + topic.topic() + "-gone",
                            record.value(), record.headers()));
                    poisonKeys.add("poison-" + topic.topic() + "-gone");
                }
            }
            producer.flush();
        }
    }

    private void startStatusTail() {
        statusTail = new Thread(() -> {
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafka(),
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                List<TopicPartition> partitions = consumer.partitionsFor(Topics.STATUS.topic()).stream()
                        .map(p -> new TopicPartition(Topics.STATUS.topic(), p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                while (tailing) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        StatusEvent status;
                        try {
                            status = EventCodec.readStatusEvent(record.headers(), record.value());
                        } catch (RuntimeException unreadable) {
                            continue;
                        }
                        lastStatus.put(record.key(), status);
                        timeline(record.key(), status.stage() + " " + status.state()
                                + (status.message() == null ? "" : " " + status.message()));
                        if (status.state() == StatusEvent.State.PUBLISHED
                                || status.state() == StatusEvent.State.QUARANTINED) {
                            finals.add(Instant.now());
                        }
                    }
                }
            }
        }, "chaos-status-tail");
        statusTail.setDaemon(true);
        statusTail.start();
    }

    private List<String> pending() {
        return expectedPublished.keySet().stream().filter(id -> {
            StatusEvent status = lastStatus.get(id);
            return status == null || !status.state().isFinal();
        }).toList();
    }

    private void awaitFinals(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (finals.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    /**
     * Waits until an import ended after {@code healed}, or none is left to end. None in flight is not enough while
     * more are to come: the next fault would then hit before this one's recovery was seen.
     */
    private void awaitProgressAfter(Instant healed, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (finals.stream().noneMatch(end -> end.isAfter(healed))
                && (expectedPublished.size() < config.imports() || !pending().isEmpty())
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    private void awaitEveryImportFinal(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!pending().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
    }

    /** Waits until every stage's group has committed the end of the topics it reads. */
    private void awaitNoLag(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                long lag = 0;
                for (String stage : STAGES) {
                    Map<TopicPartition, OffsetAndMetadata> committed = admin
                            .listConsumerGroupOffsets(StageKafka.groupId(stage)).partitionsToOffsetAndMetadata().get();
                    Map<TopicPartition, OffsetSpec> latest = committed.keySet().stream()
                            .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
                    var ends = admin.listOffsets(latest).all().get();
                    for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : committed.entrySet()) {
                        lag += ends.get(entry.getKey()).offset() - entry.getValue().offset();
                    }
                }
                if (lag == 0) {
                    return;
                }
                Thread.sleep(500);
            }
        }
    }

    /**
     * Each stage and its consumer group's epoch, which the broker moves at every change of membership or
     * assignment (KIP-848): a member joining or leaving, one fenced when its session ran out.
     */
    private Map<String, Integer> groupEpochs() throws Exception {
        Map<String, Integer> epochs = new TreeMap<>();
        try (Admin admin = admin()) {
            Map<String, ConsumerGroupDescription> groups = admin.describeConsumerGroups(
                    STAGES.stream().map(StageKafka::groupId).toList()).all().get();
            STAGES.forEach(stage -> epochs.put(stage, groups.get(StageKafka.groupId(stage)).groupEpoch().orElse(0)));
        }
        return epochs;
    }

    private Report report(Duration took, Map<String, Integer> rebalances) throws Exception {
        tailing = false;
        statusTail.join(5000);
        Map<String, String> notEnded = new LinkedHashMap<>();
        int published = 0;
        int quarantined = 0;
        int wrong = 0;
        for (Map.Entry<String, Boolean> submitted : expectedPublished.entrySet()) {
            StatusEvent status = lastStatus.get(submitted.getKey());
            StatusEvent.State state = status == null ? null : status.state();
            if (state == StatusEvent.State.PUBLISHED) {
                published++;
            } else if (state == StatusEvent.State.QUARANTINED) {
                quarantined++;
            } else {
                notEnded.put(submitted.getKey(), status == null ? "no status at all"
                        : state + " (" + status.stage() + ": " + status.message() + ")");
                continue;
            }
            if ((state == StatusEvent.State.PUBLISHED) != submitted.getValue()) {
                wrong++;
                notEnded.put(submitted.getKey(), state + " but expected "
                        + (submitted.getValue() ? "PUBLISHED" : "QUARANTINED") + " (" + status.stage() + ": "
                        + status.message() + ")");
            }
        }
        Map<String, Long> entries = store.list("ova-catalog", "").stream().map(ObjectInfo::key)
                .filter(k -> k.endsWith("/appliance.json") && !k.startsWith(CatalogIndex.ENTRIES))
                .collect(Collectors.groupingBy(k -> k.substring(0, k.indexOf('/', k.indexOf('/') + 1)),
                        Collectors.counting()));
        long duplicated = entries.values().stream().mapToLong(n -> n - 1).sum();
        long quarantineReports = store.list("ova-quarantine", "").stream()
                .filter(o -> o.key().endsWith("/report.json")).count();
        List<String> leftOver = new ArrayList<>(store.list("ova-staging", "").stream().map(ObjectInfo::key).toList());
        leftOver.addAll(unnamedInEntries(store));
        Map<String, String> dlqReasons = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : TopicReader.readAll(endpoints.kafka(), Topics.DLQ.topic())) {
            try {
                DeadLetter letter = EventCodec.JSON.readValue(record.value(), DeadLetter.class);
                if (letter.key() != null && letter.key().startsWith("poison-")) {
                    dlqReasons.putIfAbsent(letter.key(), letter.reason());
                }
            } catch (IOException unreadable) {
                // not a dead letter of ovaflow's
            }
        }
        List<String> poisonMissing = poisonKeys.stream().filter(k -> !dlqReasons.containsKey(k)).toList();
        List<String> stopped = new ArrayList<>();
        if (!servers.alive()) {
            stopped.add("servers");
        }
        stages.values().stream().filter(p -> !p.alive()).forEach(p -> stopped.add(p.name()));
        return new Report(config, took, expectedPublished.size(), published, quarantined, notEnded.size() - wrong,
                wrong, duplicated, entries.size(), quarantineReports, leftOver, poisonKeys.size(), dlqReasons,
                poisonMissing, stopped, notEnded, withRecovery(), rebalances, storeProxy.attempts(),
                storeProxy.refused(), Map.copyOf(phases));
    }

    /**
     * Objects inside catalog entries' folders ({@code <vendor>/<product>/<version>/…}) that no appliance.json names:
     * what an import that was rejected, failed or replaced left behind where transcode writes its outputs.
     */
    static List<String> unnamedInEntries(ObjectStore store) throws IOException {
        List<ObjectInfo> all = store.list("ova-catalog", "");
        java.util.Set<String> named = new java.util.HashSet<>();
        for (ObjectInfo object : all) {
            if (object.key().endsWith("/appliance.json") && !object.key().startsWith(CatalogIndex.ENTRIES)) {
                named.add(object.key());
                try (java.io.InputStream json = store.read("ova-catalog", object.key())) {
                    EventCodec.JSON.readTree(json).path("artifacts").forEach(a -> named.add(a.path("key").asText()));
                }
            }
        }
        return all.stream().map(ObjectInfo::key).filter(k -> !k.startsWith(".") && !k.startsWith("keys/")
                && k.split("/").length >= 4 && !named.contains(k)).toList();
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafka()));
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafka(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** A write of the harness itself rides out the faults it injects (the broker and store restarting). */
    private static <T> T retrying(IoCall<T> call) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.call();
            } catch (RuntimeException | IOException e) {
                if (attempt == 60) {
                    throw e;
                }
                Thread.sleep(1000);
            }
        }
    }

    @FunctionalInterface
    private interface IoCall<T> {
        T call() throws IOException;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Stops every process the suite started; a second call (the shutdown hook after main's own) does nothing. */
    @Override
    public synchronized void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        tailing = false;
        // the stages all at once, then the broker and store they commit to
        stages.values().forEach(OvaflowProcess::askToStop);
        for (OvaflowProcess stage : stages.values()) {
            stage.close();
        }
        servers.close();
        storeProxy.close();
    }

    /** What the run shows. {@link #passed()} is the suite's verdict. */
    public record Report(Config config, Duration took, int submitted, int published, int quarantined, int lost,
                         int wrongOutcome, long duplicatedEntries, int catalogEntries, long quarantineReports,
                         List<String> leftInStaging, int poisonSent, Map<String, String> poisonInDlq,
                         List<String> poisonMissing, List<String> stagesStopped, Map<String, String> notEnded,
                         List<Fault> faults, Map<String, Integer> rebalances, long storeConnections,
                         long storeConnectionsRefused, Map<String, Duration> phases) {

        public boolean passed() {
            return lost == 0 && wrongOutcome == 0 && duplicatedEntries == 0 && leftInStaging.isEmpty()
                    && poisonMissing.isEmpty() && stagesStopped.isEmpty() && published + quarantined == submitted
                    && catalogEntries == published && quarantineReports == quarantined
                    && (!faultless() || rebalances.values().stream().allMatch(n -> n == 0));
        }

        /** A run without faults, in which no group may rebalance. */
        private boolean faultless() {
            return config.faultEvery() != null && config.faultEvery().isZero();
        }

        public String table() {
            StringBuilder out = new StringBuilder();
            out.append(String.format(Locale.ROOT, "chaos run of %d s: %s%n", took.toSeconds(),
                    passed() ? "PASSED" : "FAILED"));
            row(out, "submitted", submitted);
            row(out, "published", published + " (catalog entries: " + catalogEntries + ")");
            row(out, "quarantined", quarantined + " (reports: " + quarantineReports + ")");
            row(out, "lost (must be 0)", lost);
            row(out, "wrong outcome (must be 0)", wrongOutcome);
            row(out, "duplicated catalog entries (must be 0)", duplicatedEntries);
            row(out, "objects left in staging or unnamed in catalog entries (must be 0)", leftInStaging.size());
            leftInStaging.forEach(key -> row(out, "  ", key));
            row(out, "poison records in ova.dlq", poisonInDlq.size() + " of " + poisonSent);
            poisonInDlq.forEach((key, reason) -> row(out, "  " + key, reason));
            poisonMissing.forEach(key -> row(out, "  " + key, "MISSING from ova.dlq"));
            row(out, "stages still running", (STAGES.size() + 1 - stagesStopped.size()) + " of " + (STAGES.size() + 1)
                    + (stagesStopped.isEmpty() ? "" : ", stopped: " + stagesStopped));
            row(out, "store connections (refused during cut-offs)", storeConnections + " (" + storeConnectionsRefused + ")");
            row(out, "rebalances after the first import (group epoch moves" + (faultless() ? ", must be 0)" : ")"),
                    rebalances.entrySet().stream().map(stage -> stage.getKey() + " " + stage.getValue())
                            .collect(Collectors.joining(", ")));
            out.append("faults:\n");
            for (Fault fault : faults) {
                row(out, "  " + fault.what(), "recovered in " + fault.recovery());
            }
            notEnded.forEach((id, why) -> row(out, "  NOT ENDED " + id, why));
            out.append("timeline:\n");
            phases.entrySet().stream().sorted(Map.Entry.comparingByValue())
                    .forEach(phase -> row(out, "  " + phase.getKey(), "at " + phase.getValue().toSeconds() + " s"));
            return out.toString();
        }

        private static void row(StringBuilder out, String label, Object value) {
            out.append(String.format(Locale.ROOT, "  %-46s %s%n", label, value));
        }
    }
}
