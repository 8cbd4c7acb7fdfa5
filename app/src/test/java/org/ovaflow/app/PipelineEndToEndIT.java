package org.ovaflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.store.ObjectStore;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole pipeline on a real embedded Kafka broker (KRaft) and a real S3 server, driven as users drive it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineEndToEndIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private Pipeline pipeline;
    private ObjectStore store;

    @BeforeAll
    void startPipeline() throws Exception {
        pipeline = Pipeline.start(TestPipelines.embedded(dir.resolve("data"), "all",
                Map.of("ovaflow.transcode.targets", "original,qcow2,aws")));
        store = pipeline.store();
    }

    @AfterAll
    void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void aGoodOvaDroppedIntoTheBucketEndsInTheCatalogWithItsMetadata() throws Exception {
        Drop drop = drop("acme-widget.ova", SampleAppliance.ova("Acme Corp", "Widget Server", "1.0", 300_000, 1).toBytes());

        StatusEvent status = await(drop);

        assertThat(status.state()).isEqualTo(StatusEvent.State.PUBLISHED);
        assertThat(status.catalogPath()).isEqualTo("acme-corp/widget-server/1.0/");
        JsonNode appliance = EventCodec.JSON.readTree(TestPipelines.read(store, "ova-catalog",
                "acme-corp/widget-server/1.0/appliance.json"));
        assertThat(appliance.path("vendor").asText()).isEqualTo("acme-corp");
        assertThat(appliance.path("appliance").path("vendor").asText()).isEqualTo("Acme Corp");
        assertThat(appliance.path("appliance").path("product").asText()).isEqualTo("Widget Server");
        assertThat(appliance.path("appliance").path("version").asText()).isEqualTo("1.0");
        JsonNode vm = appliance.path("appliance").path("virtualSystems").get(0);
        assertThat(vm.path("cpus").asInt()).isEqualTo(2);
        assertThat(vm.path("memoryMiB").asInt()).isEqualTo(1024);
        assertThat(appliance.path("appliance").path("networks").get(0).asText()).isEqualTo("VM Network");
        assertThat(appliance.path("provenance").path("importId").asText()).isEqualTo(drop.importId());
        assertThat(appliance.path("artifacts")).extracting(a -> a.path("name").asText())
                .containsExactlyInAnyOrder("widget-server.ovf", "widget-server.mf", "disk1.img",
                        "qcow2/widget-server.ovf", "qcow2/widget-server.mf", "qcow2/disk1.qcow2", "acme-widget.ova",
                        "aws/widget-server.ovf", "aws/widget-server.mf", "aws/disk1.vmdk", "aws/disk-containers.json");
        // the aws profile's disk-container list names the disk where publication put it
        // every file in the import's own folder of the entry, where transcode wrote it
        String files = "acme-corp/widget-server/1.0/" + drop.importId() + "/";
        assertThat(appliance.path("artifacts")).allMatch(a -> a.path("key").asText()
                .equals(files + a.path("name").asText()));
        JsonNode container = EventCodec.JSON.readTree(TestPipelines.read(store, "ova-catalog",
                files + "aws/disk-containers.json")).get(0);
        assertThat(store.exists(container.path("UserBucket").path("S3Bucket").asText(),
                container.path("UserBucket").path("S3Key").asText())).isTrue();
        // the disk is published byte for byte, and as a qcow2 of the same content (grown to the declared
        // 1 MiB), and nothing of the import is left in staging
        byte[] disk = SampleAppliance.disk(300_000, 1);
        try (var in = store.read("ova-catalog", files + "disk1.img")) {
            assertThat(in.readAllBytes()).isEqualTo(disk);
        }
        Path qcow2 = Files.createTempFile("published", ".qcow2");
        try (var in = store.read("ova-catalog", files + "qcow2/disk1.qcow2")) {
            Files.copy(in, qcow2, StandardCopyOption.REPLACE_EXISTING);
            assertThat(GuestContent.of(qcow2)).isEqualTo(Arrays.copyOf(disk, 1024 * 1024));
        } finally {
            Files.delete(qcow2);
        }
        assertThat(store.list("ova-staging", "imports/" + drop.importId() + "/")).isEmpty();
        // and nothing in the entry's folders that appliance.json does not name
        List<String> named = new ArrayList<>();
        appliance.path("artifacts").forEach(a -> named.add(a.path("key").asText()));
        named.add("acme-corp/widget-server/1.0/appliance.json");
        assertThat(store.list("ova-catalog", "acme-corp/widget-server/1.0/")).extracting(o -> o.key())
                .containsExactlyInAnyOrderElementsOf(named);
    }

    @Test
    void anOvaWithAWrongDigestIsQuarantinedWithAReportNamingTheFile() throws Exception {
        Drop drop = drop("initech-tps.ova", SampleAppliance.ova("Initech", "TPS", "4.2", 100_000, 3)
                .spoilDigestOf("disk1.img").toBytes());

        StatusEvent status = await(drop);

        assertThat(status.state()).isEqualTo(StatusEvent.State.QUARANTINED);
        JsonNode report = EventCodec.JSON.readTree(TestPipelines.read(store, "ova-quarantine",
                drop.importId() + "/report.json"));
        assertThat(report.path("failed")).hasSize(1);
        assertThat(report.path("failed").get(0).path("id").asText()).isEqualTo("manifest.digest");
        assertThat(report.path("failed").get(0).path("file").asText()).isEqualTo("disk1.img");
        // moved, not copied: the original is kept in quarantine and gone from incoming
        assertThat(store.exists("ova-quarantine", drop.importId() + "/initech-tps.ova")).isTrue();
        assertThat(store.exists("ova-incoming", "initech-tps.ova")).isFalse();
        assertThat(store.list("ova-catalog", "initech/")).isEmpty();
    }

    @Test
    void aSignatureThatDoesNotChainToTheTrustStoreIsQuarantinedWithItsReason() throws Exception {
        VendorSigning vendor = VendorSigning.create(dir, "CN=Umbrella Corp Signing,O=Umbrella Corp");
        Drop drop = drop("umbrella-hive.ova", vendor.sign(SampleAppliance.ova("Umbrella", "Hive", "1.0", 50_000, 9),
                "widget.cert").toBytes());

        assertThat(await(drop).state()).isEqualTo(StatusEvent.State.QUARANTINED);
        JsonNode report = EventCodec.JSON.readTree(TestPipelines.read(store, "ova-quarantine",
                drop.importId() + "/report.json"));
        assertThat(report.path("failed")).hasSize(1);
        assertThat(report.path("failed").get(0).path("id").asText()).isEqualTo("signature.chain");
        assertThat(report.path("failed").get(0).path("message").asText())
                .startsWith("self-signed certificate not in the trust store").contains("CN=Umbrella Corp Signing");
    }

    @Test
    void badInputIsRejectedWithItsReasonAndThePipelineKeepsRunning() throws Exception {
        byte[] good = SampleAppliance.ova("Hooli", "Nucleus", "9.0", 200_000, 4).toBytes();
        Map<String, byte[]> bad = Map.of(
                "empty.ova", new byte[0],
                "text.ova", "not a tar, just text\n".repeat(100).getBytes(StandardCharsets.UTF_8),
                "truncated.ova", Arrays.copyOf(good, good.length / 2));
        Map<String, String> expectedCheck = Map.of("empty.ova", "tar.readable", "text.ova", "tar.readable",
                "truncated.ova", "tar.truncated");

        for (Map.Entry<String, byte[]> file : bad.entrySet()) {
            Drop drop = drop(file.getKey(), file.getValue());
            assertThat(await(drop).state()).as(file.getKey()).isEqualTo(StatusEvent.State.QUARANTINED);
            JsonNode report = EventCodec.JSON.readTree(TestPipelines.read(store, "ova-quarantine",
                    drop.importId() + "/report.json"));
            assertThat(report.path("failed").get(0).path("id").asText()).as(file.getKey())
                    .isEqualTo(expectedCheck.get(file.getKey()));
            assertThat(report.path("failed").get(0).path("message").asText()).isNotBlank();
            assertThat(store.exists("ova-quarantine", drop.importId() + "/" + file.getKey())).isTrue();
        }
        assertThat(await(drop("hooli-nucleus.ova", good)).state()).isEqualTo(StatusEvent.State.PUBLISHED);
    }

    @Test
    void theSameObjectNotifiedThreeTimesIsImportedOnce() throws Exception {
        Drop drop = drop("globex router.ova", SampleAppliance.ova("Globex", "Router", "2.3", 100_000, 5).toBytes());
        // what MinIO's Kafka notification target writes, key URL-encoded as S3 does
        String notification = """
                {"EventName":"s3:ObjectCreated:Put","Key":"ova-incoming/globex+router.ova","Records":[{
                  "eventVersion":"2.0","eventSource":"minio:s3","awsRegion":"","eventTime":"2026-11-27T10:00:00.000Z",
                  "eventName":"s3:ObjectCreated:Put","s3":{"s3SchemaVersion":"1.0","configurationId":"Config",
                  "bucket":{"name":"ova-incoming","arn":"arn:aws:s3:::ova-incoming"},
                  "object":{"key":"globex+router.ova","size":%d,"eTag":"%s","contentType":"application/x-tar",
                  "sequencer":"1"}}}]}""".formatted(drop.object().size(), drop.object().etag());
        for (int i = 0; i < 3; i++) {
            TestPipelines.send(pipeline.kafka(), Topics.NOTIFICATIONS.topic(), "ova-incoming/globex router.ova",
                    notification.getBytes(StandardCharsets.UTF_8));
        }

        assertThat(await(drop).state()).isEqualTo(StatusEvent.State.PUBLISHED);
        Thread.sleep(1500); // give a duplicate, if there were one, the time to show up: several scans pass meanwhile

        List<ConsumerRecord<String, byte[]>> arrivals = TestPipelines.readAll(pipeline.kafka(), Topics.ARRIVED.topic());
        assertThat(arrivals).filteredOn(r -> drop.importId().equals(r.key())).hasSize(1);
        assertThat(new CatalogEntries(store).matching("globex/router/")).containsExactly("globex/router/2.3/appliance.json");
    }

    @Test
    void anObjectGoneBeforeItsTurnEndsAsFailedAtOnceNotInARetryLoop() throws Exception {
        // a notification of an upload that was deleted before the pipeline got to it
        String notification = """
                {"Records":[{"eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"ova-incoming"},
                "object":{"key":"deleted-meanwhile.ova","size":1024,"eTag":"0123456789abcdef0123456789abcdef"}}}]}""";
        TestPipelines.send(pipeline.kafka(), Topics.NOTIFICATIONS.topic(), "ova-incoming/deleted-meanwhile.ova",
                notification.getBytes(StandardCharsets.UTF_8));
        String importId = org.ovaflow.core.event.ImportId.of(new org.ovaflow.core.event.ObjectRef("ova-incoming",
                "deleted-meanwhile.ova", "0123456789abcdef0123456789abcdef", 1024, null));

        StatusEvent status = pipeline.statuses().awaitFinal(List.of(importId), WAIT).get(importId);

        assertThat(status.state()).isEqualTo(StatusEvent.State.FAILED);
        assertThat(status.message()).startsWith("input gone").contains("NoSuchKey");
        assertThat(awaitRecord(Topics.DLQ.topic(), importId).key()).isEqualTo(importId);
    }

    @Test
    void httpServesHealthMetricsAndImportStatus() throws Exception {
        Drop drop = drop("umbrella.ova", SampleAppliance.ova("Umbrella", "Hive", "1.1", 50_000, 6).toBytes());
        await(drop);
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> health = get(http, "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("UP");

        HttpResponse<String> metrics = get(http, "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .contains("ovaflow_imports_total{outcome=\"published\",stage=\"publish\"}")
                .contains("ovaflow_stage_bytes_total{direction=\"in\",stage=\"checksum\"}")
                .contains("ovaflow_stage_duration_seconds_count{stage=\"transcode\"}");

        HttpResponse<String> status = get(http, "/api/imports/" + drop.importId());
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(EventCodec.JSON.readTree(status.body()).path("state").asText()).isEqualTo("PUBLISHED");
        assertThat(get(http, "/api/imports/000000000000000000000000").statusCode()).isEqualTo(404);
    }

    @Test
    void realEventsOnEveryTopicHaveTheShapeDocsEventsMdShows() throws Exception {
        Drop good = drop("docs-good.ova", SampleAppliance.ova("Acme Corp", "Docs Appliance", "2.0", 20_000, 7).toBytes());
        Drop bad = drop("docs-bad.ova", SampleAppliance.ova("Acme Corp", "Docs Broken", "2.0", 20_000, 8)
                .spoilDigestOf("disk1.img").toBytes());
        await(good);
        await(bad);
        // a record that is no event at all: the checksum stage must dead-letter it and go on
        TestPipelines.send(pipeline.kafka(), Topics.ARRIVED.topic(), "poison", "not an event".getBytes());

        Map<String, com.fasterxml.jackson.databind.JsonNode> documented =
                EventExamples.read(Path.of("..", "docs", "events.md"));
        Map<Topics, String> importOf = Map.of(Topics.ARRIVED, good.importId(), Topics.VERIFIED, good.importId(),
                Topics.VALIDATED, good.importId(), Topics.TRANSCODED, good.importId(), Topics.PUBLISHED, good.importId(),
                Topics.REJECTED, bad.importId(), Topics.STATUS, good.importId(), Topics.DLQ, "poison");
        for (Map.Entry<Topics, String> topic : importOf.entrySet()) {
            String name = topic.getKey().topic();
            ConsumerRecord<String, byte[]> real = awaitRecord(name, topic.getValue());
            var example = EventExamples.asExample(real);
            assertThat(documented).as("docs/events.md documents " + name).containsKey(name);
            assertThat(EventExamples.shape(documented.get(name)))
                    .as("shape of " + name + " in docs/events.md; a real one is:\n"
                            + EventCodec.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(example))
                    .isEqualTo(EventExamples.shape(example));
        }
    }

    @Test
    void thePublishStageWorksInBatchesAndDeadLettersAnUnreadableRecordOfABatchAlone() throws Exception {
        // sent together, so that the publish stage is likely to read them in one batch (it handles them alike if not)
        TestPipelines.send(pipeline.kafka(), Topics.TRANSCODED.topic(), "poison-publish", "not an event".getBytes());
        Drop first = drop("batch-1.ova", SampleAppliance.ova("Batch Corp", "First", "1.0", 20_000, 31).toBytes());
        Drop second = drop("batch-2.ova", SampleAppliance.ova("Batch Corp", "Second", "1.0", 20_000, 32).toBytes());

        assertThat(await(first).state()).isEqualTo(StatusEvent.State.PUBLISHED);
        assertThat(await(second).state()).isEqualTo(StatusEvent.State.PUBLISHED);
        JsonNode letter = EventCodec.JSON.readTree(awaitRecord(Topics.DLQ.topic(), "poison-publish").value());
        assertThat(letter.path("stage").asText()).isEqualTo("publish");
        assertThat(letter.path("reason").asText()).isEqualTo("unreadable event");
        assertThat(letter.path("topic").asText()).isEqualTo(Topics.TRANSCODED.topic());
        // the index the batch rebuilt names both
        assertThat(new org.ovaflow.publish.catalog.CatalogIndex(store, "ova-catalog").read().orElseThrow().products())
                .containsKeys("batch-corp/first", "batch-corp/second");
    }

    private ConsumerRecord<String, byte[]> awaitRecord(String topic, String key) {
        return Awaitility.await("a record " + key + " on " + topic).atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> TestPipelines.readAll(pipeline.kafka(), topic).stream()
                        .filter(r -> key.equals(r.key())).reduce((first, second) -> second), Optional::isPresent)
                .orElseThrow();
    }

    private HttpResponse<String> get(HttpClient http, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(pipeline.httpUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Drop drop(String name, byte[] content) throws Exception {
        return TestPipelines.drop(pipeline, dir, name, content);
    }

    private StatusEvent await(Drop drop) throws InterruptedException {
        return TestPipelines.awaitFinal(pipeline, drop, WAIT);
    }

    /** The appliance.json keys of the catalog: one per published entry. */
    private record CatalogEntries(ObjectStore store) {
        List<String> matching(String prefix) {
            return store.list("ova-catalog", prefix).stream().map(o -> o.key())
                    .filter(k -> k.endsWith("/appliance.json")).toList();
        }
    }
}
