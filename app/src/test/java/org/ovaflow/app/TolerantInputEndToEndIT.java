package org.ovaflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportId;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tolerant input through the whole pipeline on embedded Kafka and S3: compressed OVAs and an unpacked OVF
 * package uploaded file by file are published like OVAs, and a tampered one is quarantined with its originals.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TolerantInputEndToEndIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String INCOMING = "ova-incoming";

    @TempDir
    static java.nio.file.Path dir;

    private Pipeline pipeline;
    private ObjectStore store;

    @BeforeAll
    void startPipeline() throws Exception {
        pipeline = Pipeline.start(TestPipelines.embedded(dir.resolve("data"), "all", Map.of()));
        store = pipeline.store();
    }

    @AfterAll
    void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void gzipAndXzOvasArePublishedWithThePlainOvaKept() throws Exception {
        byte[] gzOva = SampleAppliance.ova("Zipped Corp", "Gz Box", "1.0", 300_000, 21).toBytes();
        byte[] xzOva = SampleAppliance.ova("Zipped Corp", "Xz Box", "1.0", 300_000, 22).toBytes();
        Drop gz = TestPipelines.drop(pipeline, dir, "gz-box-1.0.ova.gz", gzip(gzOva));
        Drop xz = TestPipelines.drop(pipeline, dir, "xz-box-1.0.ova.xz", xz(xzOva));

        for (Map.Entry<Drop, byte[]> drop : Map.of(gz, gzOva, xz, xzOva).entrySet()) {
            StatusEvent status = TestPipelines.awaitFinal(pipeline, drop.getKey(), WAIT);
            String name = drop.getKey().object().key();
            assertThat(status.state()).as(name + ": " + status.message()).isEqualTo(StatusEvent.State.PUBLISHED);
            JsonNode appliance = EventCodec.JSON.readTree(TestPipelines.read(store, "ova-catalog",
                    status.catalogPath() + "appliance.json"));
            assertThat(appliance.path("provenance").path("source").asText()).isEqualTo("s3://ova-incoming/" + name);
            String stem = name.substring(0, name.length() - ".ova.gz".length());
            assertThat(appliance.path("artifacts")).extracting(a -> a.path("name").asText())
                    .contains("disk1.img", "qcow2/disk1.qcow2", stem + ".ova");
            // the kept OVA is the plain one, byte for byte, with the sha256 the checksum stage computed
            JsonNode kept = artifact(appliance, stem + ".ova");
            assertThat(kept.path("sha256").asText()).isEqualTo(sha256(drop.getValue()));
            try (InputStream in = store.read("ova-catalog", kept.path("key").asText())) {
                assertThat(in.readAllBytes()).isEqualTo(drop.getValue());
            }
            assertNothingStaged(drop.getKey().importId());
        }
    }

    @Test
    void anUnpackedPackageUploadedFileByFileIsImportedOnceItsLastFileIsThere() throws Exception {
        Map<String, byte[]> files = SampleAppliance.ova("Loose Corp", "Folder Box", "2.0", 400_000, 23)
                .unpackedFiles();
        String folder = "exports/folder-box/";
        ObjectRef descriptor = put(folder + "folder-box.ovf", files.get("folder-box.ovf"));
        String importId = ImportId.of(descriptor);
        put(folder + "folder-box.mf", files.get("folder-box.mf"));
        // several scans pass: the descriptor is listed each time, and held back while its disk is missing
        Thread.sleep(1500);
        assertThat(pipeline.statuses().get(importId)).as("no arrival before the disk is there").isEmpty();

        put(folder + "disk1.img", files.get("disk1.img"));
        StatusEvent status = pipeline.statuses().awaitFinal(List.of(importId), WAIT).get(importId);

        assertThat(status.state()).as(String.valueOf(status)).isEqualTo(StatusEvent.State.PUBLISHED);
        assertThat(status.catalogPath()).isEqualTo("loose-corp/folder-box/2.0/");
        try (InputStream in = store.read("ova-catalog", "loose-corp/folder-box/2.0/" + importId + "/disk1.img")) {
            assertThat(in.readAllBytes()).isEqualTo(files.get("disk1.img"));
        }
        JsonNode appliance = EventCodec.JSON.readTree(TestPipelines.read(store, "ova-catalog",
                "loose-corp/folder-box/2.0/appliance.json"));
        assertThat(appliance.path("artifacts")).extracting(a -> a.path("name").asText())
                .contains("folder-box.ovf", "folder-box.mf", "disk1.img", "qcow2/disk1.qcow2", "folder-box.ova");
        assertNothingStaged(importId);
        // like an OVA's, the dropped files stay where they were
        assertThat(store.list(INCOMING, folder)).hasSize(3);
    }

    @Test
    void aTamperedCompressedOvaIsQuarantinedWithItsOriginal() throws Exception {
        byte[] ova = SampleAppliance.ova("Initech", "Zipped TPS", "1.0", 100_000, 24).spoilDigestOf("disk1.img")
                .toBytes();
        Drop drop = TestPipelines.drop(pipeline, dir, "zipped-tps.ova.gz", gzip(ova));

        StatusEvent status = TestPipelines.awaitFinal(pipeline, drop, WAIT);

        assertThat(status.state()).isEqualTo(StatusEvent.State.QUARANTINED);
        JsonNode report = EventCodec.JSON.readTree(TestPipelines.read(store, "ova-quarantine",
                drop.importId() + "/report.json"));
        assertThat(report.path("failed").get(0).path("id").asText()).isEqualTo("manifest.digest");
        assertThat(report.path("quarantinedAs").asText())
                .isEqualTo("ova-quarantine/" + drop.importId() + "/zipped-tps.ova.gz");
        assertThat(store.exists("ova-quarantine", drop.importId() + "/zipped-tps.ova.gz")).isTrue();
        assertThat(store.exists(INCOMING, "zipped-tps.ova.gz")).isFalse();
        assertNothingStaged(drop.importId());
    }

    @Test
    void aTamperedUnpackedPackageIsQuarantinedWithEveryFileOfIt() throws Exception {
        Map<String, byte[]> files = SampleAppliance.ova("Initech", "Loose TPS", "1.0", 100_000, 25)
                .spoilDigestOf("disk1.img").unpackedFiles();
        String folder = "tampered/";
        put(folder + "loose-tps.mf", files.get("loose-tps.mf"));
        put(folder + "disk1.img", files.get("disk1.img"));
        put(folder + "unrelated.txt", "not part of the package".getBytes());
        String importId = ImportId.of(put(folder + "loose-tps.ovf", files.get("loose-tps.ovf")));

        StatusEvent status = pipeline.statuses().awaitFinal(List.of(importId), WAIT).get(importId);

        assertThat(status.state()).as(String.valueOf(status)).isEqualTo(StatusEvent.State.QUARANTINED);
        assertThat(store.list("ova-quarantine", importId + "/")).extracting(ObjectInfo::key)
                .containsExactlyInAnyOrder(importId + "/loose-tps.ovf", importId + "/loose-tps.mf",
                        importId + "/disk1.img", importId + "/report.json");
        assertThat(store.list(INCOMING, folder)).extracting(ObjectInfo::key).containsExactly(folder + "unrelated.txt");
    }

    @Test
    void importOfAnOvfUploadsItsPackageFromItsFolderAndWaitsForItsOutcome() throws Exception {
        java.nio.file.Path folder = java.nio.file.Files.createDirectory(dir.resolve("cli-package"));
        for (Map.Entry<String, byte[]> file : SampleAppliance.ova("Cli Corp", "Cli Box", "1.0", 50_000, 26)
                .unpackedFiles().entrySet()) {
            java.nio.file.Files.write(folder.resolve(file.getKey()), file.getValue());
        }
        java.nio.file.Files.writeString(folder.resolve("unrelated.txt"), "not part of the package");

        CommandRun run = CommandRun.of("import", "--data-dir", dir.resolve("data").toString(), "--wait",
                folder.resolve("cli-box.ovf").toString());

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("PUBLISHED", "cli-corp/cli-box/1.0/");
        assertThat(store.list(INCOMING, "cli-box/")).extracting(ObjectInfo::key)
                .containsExactlyInAnyOrder("cli-box/cli-box.ovf", "cli-box/cli-box.mf", "cli-box/disk1.img");
    }

    private void assertNothingStaged(String importId) {
        assertThat(store.list("ova-staging", "imports/" + importId + "/")).isEmpty();
        assertThat(store.list("ova-staging", "packages/" + importId + "/")).isEmpty();
    }

    private ObjectRef put(String key, byte[] content) {
        store.write(INCOMING, key, content, "application/octet-stream");
        ObjectInfo stat = store.stat(INCOMING, key).orElseThrow();
        return new ObjectRef(INCOMING, key, stat.etag(), stat.size(), stat.versionId());
    }

    private static JsonNode artifact(JsonNode appliance, String name) {
        for (JsonNode artifact : appliance.path("artifacts")) {
            if (artifact.path("name").asText().equals(name)) {
                return artifact;
            }
        }
        throw new AssertionError("no artifact " + name + " in " + appliance);
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GzipCompressorOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] xz(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream xz = new XZCompressorOutputStream(out)) {
            xz.write(data);
        }
        return out.toByteArray();
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
