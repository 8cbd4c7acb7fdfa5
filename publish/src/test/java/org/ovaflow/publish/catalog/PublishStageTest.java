package org.ovaflow.publish.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.TarIndex;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** Publication into a real S3 catalog bucket: copies, the appliance.json commit point, idempotence, conflicts. */
class PublishStageTest {

    private static final String INCOMING = "ova-incoming";
    private static final String STAGING = "ova-staging";
    private static final Instant ARRIVED = Instant.parse("2024-05-01T10:00:00Z");

    @RegisterExtension
    static final S3Server S3 = new S3Server(INCOMING, STAGING);

    private final ObjectStore store = S3.store();

    private final String catalog = "catalog-" + Long.toHexString(System.nanoTime());
    private final PublishStage stage = new PublishStage(store, catalog);
    private final CatalogReader reader = new CatalogReader(store, catalog);

    @Test
    void copiesTheArtifactsIntoTheCatalogWritesApplianceJsonAndClearsStaging() throws Exception {
        store.ensureBuckets(List.of(catalog));
        Map<String, byte[]> files = files("2.4.1", 1);
        ImportEvent event = transcoded("widget.ova", "etag-1", "2.4.1", files);

        StageOutcome outcome = stage.publish(event);

        assertThat(outcome.next()).isEqualTo(Topics.PUBLISHED);
        assertThat(outcome.state()).isEqualTo(StatusEvent.State.PUBLISHED);
        assertThat(outcome.message()).isEqualTo("published at acme-corp/widget-server/2.4.1/");
        assertThat(outcome.event().catalogPath()).isEqualTo("acme-corp/widget-server/2.4.1/");
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            assertThat(read(catalog, "acme-corp/widget-server/2.4.1/" + file.getKey())).as(file.getKey())
                    .isEqualTo(file.getValue());
        }
        assertThat(store.list(catalog, "")).extracting(ObjectInfo::key).containsExactlyInAnyOrder(
                "acme-corp/widget-server/2.4.1/widget.ovf", "acme-corp/widget-server/2.4.1/widget.mf",
                "acme-corp/widget-server/2.4.1/disk1.img", "acme-corp/widget-server/2.4.1/appliance.json");
        assertThat(store.list(STAGING, "imports/" + event.importId() + "/")).isEmpty();

        ApplianceRecord record = reader.find("acme-corp/widget-server/2.4.1").orElseThrow();
        assertThat(record.schemaVersion()).isEqualTo(ImportEvent.SCHEMA_VERSION);
        assertThat(record.vendor()).isEqualTo("acme-corp");
        assertThat(record.product()).isEqualTo("widget-server");
        assertThat(record.version()).isEqualTo("2.4.1");
        assertThat(record.appliance()).isEqualTo(event.appliance());
        assertThat(record.artifacts()).extracting(ApplianceRecord.Artifact::name, ApplianceRecord.Artifact::key,
                        ApplianceRecord.Artifact::sha256)
                .containsExactly(
                        tuple("widget.ovf", "acme-corp/widget-server/2.4.1/widget.ovf",
                                sha256(files.get("widget.ovf"))),
                        tuple("widget.mf", "acme-corp/widget-server/2.4.1/widget.mf",
                                sha256(files.get("widget.mf"))),
                        tuple("disk1.img", "acme-corp/widget-server/2.4.1/disk1.img",
                                sha256(files.get("disk1.img"))));
        assertThat(record.artifacts()).filteredOn(a -> a.role().equals("disk")).singleElement()
                .satisfies(disk -> assertThat(disk.format()).isEqualTo(SampleAppliance.RAW_FORMAT));
        assertThat(record.provenance().importId()).isEqualTo(event.importId());
        assertThat(record.provenance().source()).isEqualTo("s3://ova-incoming/widget.ova");
        assertThat(record.provenance().etag()).isEqualTo("etag-1");
        assertThat(record.provenance().origin()).isEqualTo("scan");
        assertThat(record.provenance().arrivedAt()).isEqualTo(ARRIVED);
        assertThat(record.provenance().publishedAt()).isAfter(ARRIVED);
        assertThat(record.provenance().checks()).isEqualTo(event.checks());
        String json = new String(read(catalog, "acme-corp/widget-server/2.4.1/appliance.json"), StandardCharsets.UTF_8);
        assertThat(json).contains("\"vendor\" : \"acme-corp\"", "\"importId\" : \"" + event.importId() + "\"",
                "\"publishedAt\" : \"20");
    }

    @Test
    void publishingTheSameEventTwiceLeavesTheCatalogAsItWasWithTheSameNextEvent() throws Exception {
        store.ensureBuckets(List.of(catalog));
        ImportEvent event = transcoded("widget.ova", "etag-1", "1.0", files("1.0", 1));

        StageOutcome first = stage.publish(event);
        List<ObjectInfo> catalogAfterFirst = store.list(catalog, "");
        StageOutcome second = stage.publish(event);

        assertThat(second.event()).isEqualTo(first.event());
        assertThat(second.next()).isEqualTo(first.next());
        assertThat(second.state()).isEqualTo(first.state());
        assertThat(second.message()).isEqualTo("already published at acme-corp/widget-server/1.0/");
        assertThat(store.list(catalog, "")).extracting(ObjectInfo::key, ObjectInfo::etag)
                .containsExactlyElementsOf(catalogAfterFirst.stream()
                        .map(o -> tuple(o.key(), o.etag())).toList());
    }

    @Test
    void theSameContentUploadedAgainUnderAnotherNameIsAlreadyPublished() throws Exception {
        store.ensureBuckets(List.of(catalog));
        ImportEvent original = transcoded("widget.ova", "etag-1", "1.0", files("1.0", 1));
        ImportEvent reupload = transcoded("copy of widget.ova", "etag-1", "1.0", files("1.0", 1));
        stage.publish(original);
        ObjectInfo commit = store.stat(catalog, "acme-corp/widget-server/1.0/appliance.json").orElseThrow();

        StageOutcome outcome = stage.publish(reupload);

        assertThat(reupload.importId()).isNotEqualTo(original.importId());
        assertThat(outcome.next()).isEqualTo(Topics.PUBLISHED);
        assertThat(outcome.message()).startsWith("already published");
        assertThat(store.stat(catalog, "acme-corp/widget-server/1.0/appliance.json").orElseThrow().etag())
                .isEqualTo(commit.etag());
        assertThat(reader.find("acme-corp/widget-server/1.0/").orElseThrow().provenance().importId())
                .isEqualTo(original.importId());
        assertThat(store.list(STAGING, "imports/" + reupload.importId() + "/")).isEmpty();
    }

    @Test
    void otherContentForAPublishedVersionIsRejectedAsAConflict() throws Exception {
        store.ensureBuckets(List.of(catalog));
        ImportEvent original = transcoded("widget.ova", "etag-1", "1.0", files("1.0", 1));
        ImportEvent impostor = transcoded("widget-new.ova", "etag-2", "1.0", files("1.0", 2));
        stage.publish(original);
        List<ObjectInfo> before = store.list(catalog, "");

        StageOutcome outcome = stage.publish(impostor);

        assertThat(outcome.next()).isEqualTo(Topics.REJECTED);
        assertThat(outcome.state()).isEqualTo(StatusEvent.State.REJECTED);
        assertThat(outcome.event().failedChecks()).singleElement().satisfies(check -> {
            assertThat(check.id()).isEqualTo("catalog.version-conflict");
            assertThat(check.file()).isEqualTo("widget-new.ova");
            assertThat(check.message()).contains("acme-corp/widget-server/1.0/", original.importId());
        });
        assertThat(store.list(catalog, "")).extracting(ObjectInfo::etag)
                .containsExactlyElementsOf(before.stream().map(ObjectInfo::etag).toList());
        // the rejected import's staged files stay for quarantine to clear
        assertThat(store.list(STAGING, "imports/" + impostor.importId() + "/")).hasSize(3);
    }

    @Test
    void aPublicationThatFailsBeforeItsCommitPointIsInvisibleToReaders() throws Exception {
        store.ensureBuckets(List.of(catalog));
        ImportEvent event = transcoded("widget.ova", "etag-1", "3.0", files("3.0", 1));
        StagedArtifact disk = event.artifacts().get(2);
        store.remove(disk.bucket(), disk.key());

        assertThatThrownBy(() -> stage.publish(event)).isInstanceOf(ObjectGoneException.class);

        assertThat(store.exists(catalog, "acme-corp/widget-server/3.0/appliance.json")).isFalse();
        assertThat(reader.list()).isEmpty();
        assertThat(reader.find(event.importId())).isEmpty();
    }

    @Test
    void theReaderListsAndFindsEntriesByPathOrImportId() throws Exception {
        store.ensureBuckets(List.of(catalog));
        ImportEvent one = transcoded("widget-1.ova", "etag-1", "1.0", files("1.0", 1));
        ImportEvent two = transcoded("widget-2.ova", "etag-2", "2.0", files("2.0", 2));
        stage.publish(one);
        stage.publish(two);

        assertThat(reader.list()).extracting(r -> r.vendor() + "/" + r.product() + "/" + r.version())
                .containsExactlyInAnyOrder("acme-corp/widget-server/1.0", "acme-corp/widget-server/2.0");
        assertThat(reader.find("acme-corp/widget-server/2.0")).get()
                .extracting(r -> r.provenance().importId()).isEqualTo(two.importId());
        assertThat(reader.find(one.importId())).get().extracting(ApplianceRecord::version).isEqualTo("1.0");
        assertThat(reader.find("acme-corp/widget-server/9.9")).isEmpty();
        assertThat(reader.find("0123456789abcdef01234567")).isEmpty();
    }

    /** The files of a sample appliance; {@code seed} varies the disk content. */
    private static Map<String, byte[]> files(String version, long seed) {
        byte[] disk = SampleAppliance.disk(30_000, seed);
        var ova = SampleAppliance.ova("Acme Corp", "Widget Server", version, 30_000, seed);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("widget.ovf", SampleAppliance.descriptor("Acme Corp", "Widget Server", version, "disk1.img",
                disk.length).getBytes(StandardCharsets.UTF_8));
        files.put("widget.mf", ova.manifest().getBytes(StandardCharsets.UTF_8));
        files.put("disk1.img", disk);
        return files;
    }

    /** Stages {@code files} as the transcode stage would and returns its event. */
    private ImportEvent transcoded(String key, String etag, String version, Map<String, byte[]> files) {
        ImportEvent arrived = ImportEvent.arrived(new ObjectRef(INCOMING, key, etag, 100_000, null), "scan", ARRIVED);
        List<StagedArtifact> artifacts = new ArrayList<>();
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            String stagedKey = "imports/" + arrived.importId() + "/" + file.getKey();
            store.write(STAGING, stagedKey, file.getValue(), "application/octet-stream");
            String role = file.getKey().endsWith(".ovf") ? "descriptor" : file.getKey().endsWith(".mf") ? "manifest" : "disk";
            artifacts.add(new StagedArtifact(role, file.getKey(), STAGING, stagedKey, file.getValue().length,
                    sha256(file.getValue()), role.equals("disk") ? SampleAppliance.RAW_FORMAT : null, null));
        }
        ApplianceMetadata appliance = new ApplianceMetadata("1.x", "Acme Corp", "Widget Server", version, version,
                null, "widget-server", List.of(), List.of(), List.of(), List.of("VM Network"), List.of(), null, false);
        return arrived.withTarIndex(new TarIndex(List.of()))
                .withAppliance(appliance)
                .withChecks(List.of(CheckResult.pass("manifest.digest", "widget.mf", "3 digest(s) verified")))
                .withArtifacts(artifacts);
    }

    private byte[] read(String bucket, String key) throws Exception {
        try (InputStream in = store.read(bucket, key)) {
            return in.readAllBytes();
        }
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
