package org.ovaflow.transform.transcode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.ovaflow.core.stage.StageMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.PoisonEventException;
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
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.TargetFormat;
import org.ovaflow.transform.profile.ManifestAlgorithm;
import org.ovaflow.transform.profile.ProfileSettings;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.disk.testing.TestDisks;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

/** The transcode stage on real OVA objects in a real S3 server: the original files, and disks converted. */
class TranscodeStageIT {

    /** The stage's meters, counted here and never exported. */
    private static final StageMetrics METRICS = new StageMetrics(new SimpleMeterRegistry());

    private static final String INCOMING = "ova-incoming";
    private static final String STAGING = "ova-staging";
    private static final String OVF = "http://schemas.dmtf.org/ovf/envelope/1";
    private static final byte[] EULA = "Use it well.\n".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    static final S3Server S3 = new S3Server(INCOMING, STAGING);

    private final ObjectStore store = S3.store();

    private final TranscodeStage transcoder = new TranscodeStage(store, STAGING,
            TranscodeSettings.parse("original", true, ReadOptions.DEFAULT_MAX_VIRTUAL_SIZE), METRICS);

    @Test
    void everyFileIsStagedByteIdenticalWithItsDigestAndRole() throws Exception {
        byte[] disk = SampleAppliance.disk(150_000, 1);
        OvaBuilder ova = appliance("small.ova", disk).file("eula.txt", EULA);
        ImportEvent event = validated("small.ova", ova, disk.length);

        StageOutcome outcome = transcoder.transcode(event);

        assertThat(outcome.next()).isEqualTo(Topics.TRANSCODED);
        assertThat(outcome.state()).isEqualTo(StatusEvent.State.TRANSCODED);
        assertThat(outcome.message()).isEqualTo("original files staged unchanged");
        String prefix = "imports/" + event.importId() + "/";
        assertThat(TranscodeStage.stagingPrefix(event.importId())).isEqualTo(prefix);
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
        // the small files travel in the event; the disk is staged
        assertThat(artifacts).filteredOn(StagedArtifact::carriesContent).extracting(StagedArtifact::name,
                StagedArtifact::contentType, StagedArtifact::etag).containsExactly(
                tuple("widget.ovf", "application/xml", null),
                tuple("widget.mf", "text/plain", null),
                tuple("eula.txt", "application/octet-stream", null));
        assertThat(store.list(STAGING, prefix)).extracting(ObjectInfo::key).containsExactly(prefix + "disk1.img");
    }

    @Test
    void givenACatalogThatHoldsOutputsEveryFileGoesIntoTheImportsOwnFolderAndALargeOriginalIsCopiedByRange()
            throws Exception {
        store.ensureBuckets(List.of("ova-catalog"));
        // larger than one part: the original disk is copied by the store from its range of the OVA, not read
        byte[] disk = SampleAppliance.disk(20 * 1024 * 1024 + 4096, 7);
        OvaBuilder ova = appliance("big.ova", disk);
        ImportEvent event = validated("big.ova", ova, disk.length);
        StoreCount traffic = new StoreCount();
        // payloads signed, as to a store across a network: the range is copied by the store (to one on loopback it
        // goes through one GET and one PUT, which RangedCopyAndTrafficTest shows)
        ObjectStore signed = S3.store(new ObjectStore.UploadSettings(ObjectStore.PART_SIZE, 4,
                ObjectStore.PayloadSigning.SIGNED));
        TranscodeStage direct = new TranscodeStage(signed.counted(traffic), STAGING,
                TranscodeSettings.parse("original,qcow2", true, ReadOptions.DEFAULT_MAX_VIRTUAL_SIZE),
                CatalogLocation.holdingOutputs("ova-catalog", e -> "acme/widget/1.0/", false), METRICS);

        List<StagedArtifact> artifacts = direct.transcode(event).event().artifacts();

        String folder = "acme/widget/1.0/" + event.importId() + "/";
        assertThat(artifacts).allSatisfy(a -> {
            assertThat(a.bucket()).isEqualTo("ova-catalog");
            assertThat(a.key()).isEqualTo(folder + a.name());
        });
        StagedArtifact original = artifacts.stream().filter(a -> a.name().equals("disk1.img")).findFirst().orElseThrow();
        assertThat(staged(original)).isEqualTo(disk);
        assertThat(original.sha256()).isEqualTo(sha256(disk));
        assertThat(store.list("ova-catalog", folder)).extracting(ObjectInfo::key)
                .containsExactlyInAnyOrder(folder + "disk1.img", folder + "qcow2/disk1.qcow2");
        assertThat(store.list(STAGING, "imports/" + event.importId() + "/")).isEmpty();
        // the disk copied on the store's side, once; read once for the conversion (and the qcow2 once, to hash it
        // once its head is written)
        assertThat(traffic.copied).isEqualTo(disk.length);
        assertThat(traffic.read).isLessThan(3L * disk.length);
    }

    @Test
    void givenACatalogThatKeepsTheOvaTheStoreCopiesItIntoTheImportsFolderBesideTheOutputs() throws Exception {
        store.ensureBuckets(List.of("ova-catalog"));
        byte[] disk = SampleAppliance.disk(10_000, 19);
        ImportEvent event = validated("Kept Widget.ova", appliance("Kept Widget.ova", disk), disk.length);
        StoreCount traffic = new StoreCount();
        TranscodeStage keeping = new TranscodeStage(store.counted(traffic), STAGING,
                TranscodeSettings.parse("original,qcow2", true, ReadOptions.DEFAULT_MAX_VIRTUAL_SIZE),
                CatalogLocation.holdingOutputs("ova-catalog", e -> "acme/widget/1.0/", true), METRICS);

        StageOutcome outcome = keeping.transcode(event);

        String folder = "acme/widget/1.0/" + event.importId() + "/";
        byte[] uploaded;
        try (InputStream in = store.read(INCOMING, "Kept Widget.ova")) {
            uploaded = in.readAllBytes();
        }
        StagedArtifact kept = outcome.event().artifacts().stream().filter(a -> "ova".equals(a.role()))
                .findFirst().orElseThrow();
        assertThat(kept.name()).isEqualTo("kept-widget.ova");
        assertThat(kept.key()).isEqualTo(folder + "kept-widget.ova");
        assertThat(kept.size()).isEqualTo(uploaded.length);
        assertThat(kept.sha256()).isEqualTo(event.tarIndex().sha256()).isEqualTo(sha256(uploaded));
        assertThat(staged(kept)).isEqualTo(uploaded);
        assertThat(kept.etag()).isEqualTo(store.stat("ova-catalog", kept.key()).orElseThrow().etag());
        // copied on the store's side, pinned to the etag the import was made from
        assertThat(traffic.copied).isEqualTo(uploaded.length);
        assertThat(outcome.message()).startsWith("original OVA kept, ");
    }

    @Test
    void aRejectedImportLeavesNeitherItsOutputsNorItsKeptOvaInTheCatalog() throws Exception {
        store.ensureBuckets(List.of("ova-catalog"));
        byte[] vhdx = new byte[64 * 1024];
        System.arraycopy("vhdxfile".getBytes(StandardCharsets.US_ASCII), 0, vhdx, 0, 8);
        ImportEvent event = validated("vhdx-kept.ova", appliance("vhdx-kept.ova", vhdx), vhdx.length);
        TranscodeStage keeping = new TranscodeStage(store, STAGING,
                TranscodeSettings.parse("original,qcow2", true, ReadOptions.DEFAULT_MAX_VIRTUAL_SIZE),
                CatalogLocation.holdingOutputs("ova-catalog", e -> "acme/widget/1.0/", true), METRICS);

        StageOutcome outcome = keeping.transcode(event);

        assertThat(outcome.next()).isEqualTo(Topics.REJECTED);
        assertThat(store.list("ova-catalog", "acme/widget/1.0/" + event.importId() + "/")).isEmpty();
    }

    @Test
    void anEventCarryingOtherBytesThanItsDescriptorIsPoisonBeforeAnythingIsWritten() throws Exception {
        store.ensureBuckets(List.of("ova-catalog"));
        byte[] disk = SampleAppliance.disk(10_000, 23);
        ImportEvent event = validated("carried.ova", appliance("carried.ova", disk), disk.length);
        ImportEvent tampered = event.withTarIndex(event.tarIndex()
                .withDescriptor("<Envelope/>".getBytes(StandardCharsets.UTF_8)));
        TranscodeStage keeping = new TranscodeStage(store, STAGING,
                TranscodeSettings.parse("original,qcow2", true, ReadOptions.DEFAULT_MAX_VIRTUAL_SIZE),
                CatalogLocation.holdingOutputs("ova-catalog", e -> "acme/widget/1.0/", true), METRICS);

        assertThatThrownBy(() -> keeping.transcode(tampered)).isInstanceOf(PoisonEventException.class)
                .hasMessageContaining("widget.ovf");
        assertThat(store.list("ova-catalog", "acme/widget/1.0/" + event.importId() + "/")).isEmpty();
    }

    @Test
    void aStreamOptimizedDiskBecomesAQcow2PlannedFromItsGrainTablesInOnePutHashedOnTheWay(@TempDir Path dir)
            throws Exception {
        QemuImg qemu = QemuImg.require();
        Path raw = incompressibleDisk(dir, 13);
        byte[] disk = streamOptimized(qemu, raw);
        assertThat(disk.length).isGreaterThan(UploadImageSink.PART_SIZE);
        ImportEvent event = validated("planned.ova", appliance("planned.ova", disk), disk.length);
        StoreCount traffic = new StoreCount();
        TranscodeStage qcow2Only = new TranscodeStage(store.counted(traffic), STAGING,
                TranscodeSettings.parse("qcow2", true, ReadOptions.DEFAULT_MAX_VIRTUAL_SIZE), METRICS);

        StageOutcome outcome = qcow2Only.transcode(event);

        StagedArtifact converted = outcome.event().artifacts().stream().filter(a -> "disk".equals(a.role()))
                .findFirst().orElseThrow();
        Path downloaded = dir.resolve("disk1.qcow2");
        Files.write(downloaded, staged(converted));
        qemu.check(downloaded, "qcow2");
        qemu.assertSameContent(raw, "raw", downloaded, "qcow2");
        assertThat(converted.sha256()).isEqualTo(sha256(Files.readAllBytes(downloaded)));
        // one PUT (a multipart object's etag ends in -<parts>), and no read-back to hash it: the VMDK read once,
        // its tables and the descriptor besides
        assertThat(store.stat(STAGING, converted.key()).orElseThrow().etag()).doesNotContain("-");
        assertThat(traffic.read).isLessThan(disk.length + 1024L * 1024);
    }

    @Test
    void aVmdkWhoseDataLiesOutsideItsGrainTablesIsRejectedAndItsAbandonedPutLeavesNothing(@TempDir Path dir)
            throws Exception {
        QemuImg qemu = QemuImg.require();
        byte[] disk = streamOptimized(qemu, incompressibleDisk(dir, 17));
        // qemu-img's directory and tables follow the descriptor: the last grain's entry of the first table cleared
        ByteBuffer bytes = ByteBuffer.wrap(disk).order(ByteOrder.LITTLE_ENDIAN);
        long table = Integer.toUnsignedLong(bytes.getInt((int) bytes.getLong(56) * 512));
        bytes.putInt((int) table * 512 + 4 * ((20 << 20) / (64 << 10) - 1), 0);
        ImportEvent event = validated("lying.ova", appliance("lying.ova", disk), disk.length);
        TranscodeStage qcow2Only = new TranscodeStage(store, STAGING,
                TranscodeSettings.parse("qcow2", true, ReadOptions.DEFAULT_MAX_VIRTUAL_SIZE), METRICS);

        StageOutcome outcome = qcow2Only.transcode(event);

        assertThat(outcome.event().failedChecks()).extracting(c -> c.id()).containsExactly("disk.vmdk.grain-table");
        assertThat(store.list(STAGING, TranscodeStage.stagingPrefix(event.importId()))).isEmpty();
    }

    /** 20 MiB that do not compress in a 40 MiB disk: a VMDK over a part, a qcow2 over the store's part size. */
    private static Path incompressibleDisk(Path dir, long seed) throws Exception {
        Path raw = dir.resolve("disk.raw");
        byte[] data = new byte[20 << 20];
        new java.util.Random(seed).nextBytes(data);
        Files.write(raw, data);
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(raw.toFile(), "rw")) {
            file.setLength(TestDisks.ODD_SIZE);
        }
        return raw;
    }

    /** {@code raw} as qemu-img writes a streamOptimized VMDK (its tables in the head, after the descriptor). */
    private static byte[] streamOptimized(QemuImg qemu, Path raw) throws Exception {
        Path vmdk = raw.resolveSibling("disk.vmdk");
        qemu.convert(raw, "raw", vmdk, "vmdk", "-o", "subformat=streamOptimized");
        return Files.readAllBytes(vmdk);
    }

    /** Bytes a counted store was asked to copy and read. */
    private static final class StoreCount implements org.ovaflow.core.store.StoreTraffic {
        long copied;
        long read;

        @Override
        public synchronized void bytes(Op op, long bytes) {
            if (op == Op.COPY) {
                copied += bytes;
            } else if (op == Op.GET) {
                read += bytes;
            }
        }

        @Override
        public void request(Request request) {
        }
    }

    @Test
    void anEventCarriesSmallFilesOnlyUpToItsRoomTheRestIsStaged() throws Exception {
        byte[] disk = SampleAppliance.disk(20_000, 5);
        OvaBuilder ova = appliance("many.ova", disk);
        byte[] large = new byte[StagedArtifact.CARRIED_MAX + 1];
        ova.file("large.txt", large);
        byte[] file = new byte[StagedArtifact.CARRIED_MAX];
        for (int i = 1; i <= 5; i++) {
            ova.file("file" + i + ".txt", file);
        }
        ImportEvent event = validated("many.ova", ova, disk.length);

        List<StagedArtifact> artifacts = transcoder.transcode(event).event().artifacts();

        // descriptor and manifest first, then files of the largest size carried while the 256 KiB last: three
        assertThat(artifacts).filteredOn(StagedArtifact::carriesContent).extracting(StagedArtifact::name)
                .containsExactly("widget.ovf", "widget.mf", "file1.txt", "file2.txt", "file3.txt");
        assertThat(artifacts.stream().filter(StagedArtifact::carriesContent).mapToLong(StagedArtifact::size).sum())
                .isLessThanOrEqualTo(StagedArtifact.CARRIED_PER_EVENT);
        String prefix = TranscodeStage.stagingPrefix(event.importId());
        assertThat(store.list(STAGING, prefix)).extracting(ObjectInfo::key).containsExactlyInAnyOrder(
                prefix + "disk1.img", prefix + "large.txt", prefix + "file4.txt", prefix + "file5.txt");
        for (StagedArtifact artifact : artifacts) {
            assertThat(sha256(staged(artifact))).as(artifact.name()).isEqualTo(artifact.sha256());
        }
    }

    @Test
    void aDiskLargerThanOnePartGoesUpInOnePutToALoopbackStoreAndARerunGivesTheSameObjects() throws Exception {
        byte[] disk = SampleAppliance.disk(40 * 1024 * 1024, 2);
        ImportEvent event = validated("large.ova", appliance("large.ova", disk), disk.length);

        StageOutcome first = transcoder.transcode(event);
        String prefix = TranscodeStage.stagingPrefix(event.importId());
        List<ObjectInfo> afterFirst = store.list(STAGING, prefix);
        StageOutcome second = transcoder.transcode(event);
        List<ObjectInfo> afterSecond = store.list(STAGING, prefix);

        ObjectInfo stagedDisk = store.stat(STAGING, prefix + "disk1.img").orElseThrow();
        // its range of the OVA read and put in one streamed PUT: not a multipart object ("-<parts>")
        assertThat(stagedDisk.etag()).doesNotContain("-");
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
        assertThat(store.list(STAGING, TranscodeStage.stagingPrefix(event.importId()))).isEmpty();
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
        assertThat(store.exists(STAGING, TranscodeStage.stagingPrefix(event.importId()) + "disk1.img")).isFalse();
    }

    @Test
    void everyDiskIsConvertedToEveryTargetWithItsOwnDescriptorAndManifest(@TempDir Path dir) throws Exception {
        QemuImg qemu = QemuImg.require();
        Path raw = TestDisks.patterned(dir.resolve("disk.raw"), TestDisks.ODD_SIZE, 11);
        byte[] disk = Files.readAllBytes(raw);
        ImportEvent event = validated("converted.ova", appliance("converted.ova", disk), disk.length);
        TranscodeStage everyTarget = new TranscodeStage(store, STAGING,
                TranscodeSettings.parse("original,qcow2,vhd,vhd-fixed,raw,vmdk", true, ReadOptions.DEFAULT_MAX_VIRTUAL_SIZE),
                        METRICS);

        StageOutcome outcome = everyTarget.transcode(event);

        assertThat(outcome.state()).isEqualTo(StatusEvent.State.TRANSCODED);
        assertThat(outcome.message()).isEqualTo("original files staged unchanged, 1 disk converted to qcow2, "
                + "1 disk converted to vhd, 1 disk converted to vhd-fixed, 1 disk converted to raw, "
                + "1 disk converted to vmdk");
        Map<String, String> qemuFormats = Map.of("qcow2", "qcow2", "vhd", "vpc", "vhd-fixed", "vpc", "raw", "raw",
                "vmdk", "vmdk");
        for (Map.Entry<String, String> target : qemuFormats.entrySet()) {
            TargetFormat format = TargetFormat.of(target.getKey());
            List<StagedArtifact> files = outcome.event().artifacts().stream()
                    .filter(a -> target.getKey().equals(a.target())).toList();
            String diskName = target.getKey() + "/disk1." + format.extension();
            assertThat(files).extracting(StagedArtifact::name, StagedArtifact::role).containsExactly(
                    tuple(target.getKey() + "/widget.ovf", "descriptor"), tuple(diskName, "disk"),
                    tuple(target.getKey() + "/widget.mf", "manifest"));
            StagedArtifact converted = files.get(1);
            Path downloaded = dir.resolve(target.getKey() + "." + format.extension());
            Files.write(downloaded, staged(converted));
            assertThat(converted.sha256()).as(diskName).isEqualTo(sha256(Files.readAllBytes(downloaded)));
            assertThat(converted.format()).isEqualTo(format.ovfFormat());
            qemu.check(downloaded, target.getValue());
            qemu.assertSameContent(raw, "raw", downloaded, target.getValue());

            Document descriptor = DocumentBuilderFactory.newDefaultNSInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(staged(files.get(0))));
            Element file = (Element) descriptor.getElementsByTagNameNS(OVF, "File").item(0);
            assertThat(file.getAttributeNS(OVF, "href")).isEqualTo("disk1." + format.extension());
            assertThat(file.getAttributeNS(OVF, "size")).isEqualTo(Long.toString(converted.size()));
            Element diskElement = (Element) descriptor.getElementsByTagNameNS(OVF, "Disk").item(0);
            assertThat(diskElement.getAttributeNS(OVF, "format")).isEqualTo(format.ovfFormat());
            assertThat(descriptor.getElementsByTagNameNS(OVF, "Product").item(0).getTextContent()).isEqualTo("Widget");
            assertThat(new String(staged(files.get(2)), StandardCharsets.UTF_8)).isEqualTo(
                    "SHA256(widget.ovf)= " + files.get(0).sha256() + "\n"
                            + "SHA256(disk1." + format.extension() + ")= " + converted.sha256() + "\n");
        }
    }

    @Test
    void profilesShareOneConversionOfAnImageKindAndWriteTheirPlatformFiles(@TempDir Path dir) throws Exception {
        QemuImg qemu = QemuImg.require();
        Path raw = TestDisks.patterned(dir.resolve("disk.raw"), TestDisks.ODD_SIZE, 13);
        byte[] disk = Files.readAllBytes(raw);
        ImportEvent event = validated("profiles.ova", appliance("profiles.ova", disk), disk.length);
        ProfileSettings sha1 = new ProfileSettings("vmx-10", ManifestAlgorithm.SHA1, null, TargetFormat.VMDK, null);
        TranscodeStage profiles = new TranscodeStage(store, STAGING,
                TranscodeSettings.parse("vmdk,vmware,virtualbox,openstack,aws,hyperv", true,
                        ReadOptions.DEFAULT_MAX_VIRTUAL_SIZE, sha1),
                new CatalogLocation("ova-catalog", e -> "acme/widget/1.0/"), METRICS);

        StageOutcome outcome = profiles.transcode(event);

        assertThat(outcome.message()).isEqualTo("1 disk converted to vmdk, 1 disk published for vmware, "
                + "1 disk published for virtualbox, 1 disk published for openstack, 1 disk published for aws, "
                + "1 disk published for hyperv");
        Map<String, List<StagedArtifact>> byFolder = outcome.event().artifacts().stream()
                .collect(Collectors.groupingBy(StagedArtifact::target));
        // the vmdk target, vmware, virtualbox and aws hold one image: converted once, copied on the server
        assertThat(List.of("vmdk", "vmware", "virtualbox", "aws")).extracting(folder -> byFolder.get(folder).stream()
                .filter(a -> a.role().equals("disk")).findFirst().orElseThrow().sha256()).containsOnly(
                byFolder.get("vmdk").stream().filter(a -> a.role().equals("disk")).findFirst().orElseThrow().sha256());
        assertThat(byFolder.get("vmware")).extracting(StagedArtifact::name, StagedArtifact::role).containsExactly(
                tuple("vmware/widget.ovf", "descriptor"), tuple("vmware/disk1.vmdk", "disk"),
                tuple("vmware/widget.mf", "manifest"));
        StringBuilder expected = new StringBuilder();
        for (StagedArtifact file : byFolder.get("vmware").subList(0, 2)) {
            expected.append("SHA1(").append(file.name().substring("vmware/".length())).append(")= ")
                    .append(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(staged(file))))
                    .append('\n');
        }
        assertThat(new String(staged(byFolder.get("vmware").get(2)), StandardCharsets.UTF_8))
                .isEqualTo(expected.toString());
        assertThat(new String(staged(byFolder.get("virtualbox").get(2)), StandardCharsets.UTF_8))
                .startsWith("SHA256(widget.ovf)= ");

        StagedArtifact vhd = byFolder.get("hyperv").stream().filter(a -> a.role().equals("disk")).findFirst()
                .orElseThrow();
        Path fixed = Files.write(dir.resolve("hyperv.vhd"), staged(vhd));
        qemu.check(fixed, "vpc");
        assertThat(qemu.virtualSize(fixed, "vpc") % (1 << 20)).isZero();
        assertThat(Files.size(fixed)).isEqualTo(qemu.virtualSize(fixed, "vpc") + 512);

        StagedArtifact glance = byFolder.get("openstack").stream()
                .filter(a -> a.name().equals("openstack/disk1.qcow2.glance.json")).findFirst().orElseThrow();
        assertThat(glance.role()).isEqualTo("platform");
        assertThat(EventCodec.JSON.readTree(staged(glance)).get("disk_format").asText()).isEqualTo("qcow2");
        StagedArtifact containers = byFolder.get("aws").stream()
                .filter(a -> a.name().equals("aws/disk-containers.json")).findFirst().orElseThrow();
        assertThat(EventCodec.JSON.readTree(staged(containers)).get(0).get("UserBucket").get("S3Key").asText())
                .isEqualTo("acme/widget/1.0/aws/disk1.vmdk");
    }

    @Test
    void theAwsProfileNeedsToKnowWhereTheCatalogIs() {
        assertThatThrownBy(() -> new TranscodeStage(store, STAGING,
                TranscodeSettings.parse("aws", true, ReadOptions.DEFAULT_MAX_VIRTUAL_SIZE), METRICS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("catalog");
    }

    @Test
    void aDiskSplitIntoChunksIsReadAsOneFile() throws Exception {
        byte[] disk = SampleAppliance.disk(3 * 1024 * 1024 + 512, 12);
        int half = 2 * 1024 * 1024;
        String descriptor = descriptor(disk.length).replace("ovf:href=\"disk1.img\"",
                "ovf:href=\"disk1.img\" ovf:chunkSize=\"" + half + "\"");
        OvaBuilder ova = new OvaBuilder("widget.ovf", descriptor)
                .file("disk1.img.000000000", java.util.Arrays.copyOfRange(disk, 0, half))
                .file("disk1.img.000000001", java.util.Arrays.copyOfRange(disk, half, disk.length));
        ImportEvent event = validated("chunked.ova", ova, disk.length);
        TranscodeStage toRaw = new TranscodeStage(store, STAGING,
                TranscodeSettings.parse("raw", true, ReadOptions.DEFAULT_MAX_VIRTUAL_SIZE), METRICS);

        StageOutcome outcome = toRaw.transcode(event);

        StagedArtifact converted = outcome.event().artifacts().stream().filter(a -> a.role().equals("disk"))
                .findFirst().orElseThrow();
        assertThat(converted.name()).isEqualTo("raw/disk1.img");
        // the declared capacity (4 MiB) is the disk's size on every platform: the image grows to it
        byte[] expected = java.util.Arrays.copyOf(disk, 4 * 1024 * 1024);
        assertThat(staged(converted)).isEqualTo(expected);
    }

    @Test
    void aDiskOfAFormatOvaflowDoesNotReadRejectsTheImportWithTheCheckAndStagesNothing() throws Exception {
        byte[] vhdx = new byte[64 * 1024];
        System.arraycopy("vhdxfile".getBytes(StandardCharsets.US_ASCII), 0, vhdx, 0, 8);
        ImportEvent event = validated("vhdx.ova", appliance("vhdx.ova", vhdx), vhdx.length);
        TranscodeStage transcode = new TranscodeStage(store, STAGING,
                TranscodeSettings.parse("original,qcow2", true, ReadOptions.DEFAULT_MAX_VIRTUAL_SIZE), METRICS);

        StageOutcome outcome = transcode.transcode(event);

        assertThat(outcome.next()).isEqualTo(Topics.REJECTED);
        assertThat(outcome.event().failedChecks()).singleElement().satisfies(check -> {
            assertThat(check.id()).isEqualTo("disk.format.unsupported");
            assertThat(check.file()).isEqualTo("disk1.img");
            assertThat(check.message()).contains("VHDX");
        });
        assertThat(store.list(STAGING, TranscodeStage.stagingPrefix(event.importId()))).isEmpty();
    }

    @Test
    void aCapacityOverTheLimitIsRejectedBeforeAnythingIsWritten() throws Exception {
        byte[] disk = SampleAppliance.disk(10_000, 13);
        ImportEvent event = validated("bomb.ova", appliance("bomb.ova", disk), disk.length);
        TranscodeStage transcode = new TranscodeStage(store, STAGING, TranscodeSettings.parse("qcow2", true, 512 * 1024),
                METRICS);

        StageOutcome outcome = transcode.transcode(event);

        assertThat(outcome.next()).isEqualTo(Topics.REJECTED);
        assertThat(outcome.event().failedChecks()).extracting(c -> c.id()).containsExactly("disk.capacity.virtual-size");
        assertThat(store.list(STAGING, TranscodeStage.stagingPrefix(event.importId()))).isEmpty();
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
        long capacityMiB = Math.max(1, (diskSize + (1 << 20) - 1) >> 20); // as SampleAppliance.descriptor declares
        ApplianceMetadata appliance = new ApplianceMetadata("1.x", "Acme", "Widget", "1.0", "1.0", null, "Widget",
                List.of(), List.of(new ApplianceMetadata.Disk("vmdisk1", "file1", null, Long.toString(capacityMiB),
                "byte * 2^20", capacityMiB << 20,
                SampleAppliance.RAW_FORMAT, null)), List.of(new ApplianceMetadata.File("file1", "disk1.img", diskSize,
                null, null)), List.of("VM Network"), List.of(), null, false);
        return ImportEvent.arrived(new ObjectRef(INCOMING, key, stat.etag(), stat.size(), stat.versionId()), "scan",
                        Instant.parse("2024-05-01T10:00:00Z"))
                .withTarIndex(new TarIndex(entries, sha256(bytes)))
                .withAppliance(appliance);
    }

    private byte[] staged(StagedArtifact artifact) throws Exception {
        if (artifact.carriesContent()) {
            return artifact.decodedContent();
        }
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
