package org.ovaflow.transform.passthrough;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.event.TarIndex;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.ova.OvaArchive;
import org.ovaflow.core.ova.OvaBuilder;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** The pass-through transcoder copying the files of real OVA objects into the staging bucket of a real S3 server. */
class PassThroughTranscoderTest {

    private static final String INCOMING = "ova-incoming";
    private static final String STAGING = "ova-staging";
    private static final byte[] EULA = "Use it well.\n".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    static final S3Server S3 = new S3Server(INCOMING, STAGING);

    private final ObjectStore store = S3.store();

    private final PassThroughTranscoder transcoder = new PassThroughTranscoder(store, STAGING);

    @Test
    void everyFileIsStagedByteIdenticalWithItsDigestAndRole() throws Exception {
        byte[] disk = SampleAppliance.disk(150_000, 1);
        OvaBuilder ova = appliance("small.ova", disk).file("eula.txt", EULA);
        ImportEvent event = validated("small.ova", ova, disk.length);

        StageOutcome outcome = transcoder.transcode(event);

        assertThat(outcome.next()).isEqualTo(Topics.TRANSCODED);
        assertThat(outcome.state()).isEqualTo(StatusEvent.State.TRANSCODED);
        assertThat(outcome.message()).isEqualTo("4 files staged unchanged");
        String prefix = "imports/" + event.importId() + "/";
        assertThat(PassThroughTranscoder.stagingPrefix(event.importId())).isEqualTo(prefix);
        Map<String, byte[]> originals = Map.of(
                "widget.ovf", descriptor(disk.length).getBytes(StandardCharsets.UTF_8),
                "widget.mf", ova.manifest().getBytes(StandardCharsets.UTF_8),
                "disk1.img", disk,
                "eula.txt", EULA);
        List<StagedArtifact> artifacts = outcome.event().artifacts();
        assertThat(artifacts).extracting(StagedArtifact::name)
                .containsExactly("widget.ovf", "widget.mf", "disk1.img", "eula.txt");
        for (StagedArtifact artifact : artifacts) {
            byte[] original = originals.get(artifact.name());
            assertThat(artifact.bucket()).isEqualTo(STAGING);
            assertThat(artifact.key()).isEqualTo(prefix + artifact.name());
            assertThat(artifact.size()).as(artifact.name()).isEqualTo(original.length);
            assertThat(artifact.sha256()).as(artifact.name()).isEqualTo(sha256(original));
            assertThat(staged(artifact)).as(artifact.name()).isEqualTo(original);
        }
        assertThat(artifacts).extracting(StagedArtifact::name, StagedArtifact::role, StagedArtifact::format)
                .containsExactly(
                        tuple("widget.ovf", "descriptor", null),
                        tuple("widget.mf", "manifest", null),
                        tuple("disk1.img", "disk", SampleAppliance.RAW_FORMAT),
                        tuple("eula.txt", "file", null));
        assertThat(store.list(STAGING, prefix)).hasSize(4);
    }

    @Test
    void aDiskLargerThanOnePartGoesUpAsMultipartAndARerunGivesTheSameObjects() throws Exception {
        byte[] disk = SampleAppliance.disk(40 * 1024 * 1024, 2);
        ImportEvent event = validated("large.ova", appliance("large.ova", disk), disk.length);

        StageOutcome first = transcoder.transcode(event);
        String prefix = PassThroughTranscoder.stagingPrefix(event.importId());
        List<ObjectInfo> afterFirst = store.list(STAGING, prefix);
        StageOutcome second = transcoder.transcode(event);
        List<ObjectInfo> afterSecond = store.list(STAGING, prefix);

        ObjectInfo stagedDisk = store.stat(STAGING, prefix + "disk1.img").orElseThrow();
        assertThat(stagedDisk.etag()).contains("-");
        assertThat(stagedDisk.size()).isEqualTo(disk.length);
        StagedArtifact diskArtifact = first.event().artifacts().stream()
                .filter(a -> a.role().equals("disk")).findFirst().orElseThrow();
        assertThat(diskArtifact.sha256()).isEqualTo(sha256(disk));
        assertThat(staged(diskArtifact)).isEqualTo(disk);

        assertThat(second).isEqualTo(first);
        assertThat(summary(afterSecond)).isEqualTo(summary(afterFirst));
    }

    @Test
    void anOvaReplacedSinceTheChecksumStageIsGoneAndNothingIsStaged() throws Exception {
        byte[] disk = SampleAppliance.disk(10_000, 3);
        ImportEvent event = validated("replaced.ova", appliance("replaced.ova", disk), disk.length);
        byte[] other = SampleAppliance.disk(10_000, 4);
        store.write(INCOMING, "replaced.ova", appliance("replaced.ova", other).toBytes(), "application/x-tar");

        assertThatThrownBy(() -> transcoder.transcode(event)).isInstanceOf(ObjectGoneException.class);
        assertThat(store.list(STAGING, PassThroughTranscoder.stagingPrefix(event.importId()))).isEmpty();
    }

    @Test
    void bytesThatDoNotMatchTheTarIndexDigestAreNotLeftInStaging() throws Exception {
        byte[] disk = SampleAppliance.disk(10_000, 5);
        ImportEvent event = validated("mismatch.ova", appliance("mismatch.ova", disk), disk.length);
        List<TarEntry> wrong = event.tarIndex().entries().stream()
                .map(e -> e.name().equals("disk1.img") ? new TarEntry(e.name(), e.offset(), e.size(), "0".repeat(64)) : e)
                .toList();
        ImportEvent corrupted = event.withTarIndex(new TarIndex(wrong));

        assertThatThrownBy(() -> transcoder.transcode(corrupted))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("disk1.img");
        assertThat(store.exists(STAGING, PassThroughTranscoder.stagingPrefix(event.importId()) + "disk1.img")).isFalse();
    }

    private static OvaBuilder appliance(String name, byte[] disk) {
        return new OvaBuilder("widget.ovf", descriptor(disk.length)).file("disk1.img", disk);
    }

    private static String descriptor(long diskSize) {
        return SampleAppliance.descriptor("Acme", "Widget", "1.0", "disk1.img", diskSize);
    }

    /**
     * Uploads the OVA and returns the event the schema stage would hand on: the real tar index (offsets and
     * sha256 from a walk of the bytes) and the appliance metadata the sample descriptor declares.
     */
    private ImportEvent validated(String key, OvaBuilder ova, long diskSize) throws Exception {
        byte[] bytes = ova.toBytes();
        store.write(INCOMING, key, bytes, "application/x-tar");
        ObjectInfo stat = store.stat(INCOMING, key).orElseThrow();
        List<TarEntry> entries = new ArrayList<>();
        OvaArchive.walk(new ByteArrayInputStream(bytes),
                (entry, data) -> entries.add(new TarEntry(entry.name(), entry.dataOffset(), entry.size(),
                        sha256(data.readAllBytes()))));
        ApplianceMetadata appliance = new ApplianceMetadata("1.x", "Acme", "Widget", "1.0", "1.0", null, "Widget",
                List.of(), List.of(new ApplianceMetadata.Disk("vmdisk1", "file1", null, "1", "byte * 2^20", null,
                SampleAppliance.RAW_FORMAT, null)), List.of(new ApplianceMetadata.File("file1", "disk1.img", diskSize,
                null, null)), List.of("VM Network"), List.of(), null, false);
        return ImportEvent.arrived(new ObjectRef(INCOMING, key, stat.etag(), stat.size(), stat.versionId()), "scan",
                        Instant.parse("2024-05-01T10:00:00Z"))
                .withTarIndex(new TarIndex(entries))
                .withAppliance(appliance);
    }

    private byte[] staged(StagedArtifact artifact) throws Exception {
        try (InputStream in = store.read(artifact.bucket(), artifact.key())) {
            return in.readAllBytes();
        }
    }

    private static Map<String, String> summary(List<ObjectInfo> objects) {
        return objects.stream().collect(Collectors.toMap(ObjectInfo::key, o -> o.etag() + "/" + o.size()));
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
