package org.ovaflow.validate.checksum;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.ovaflow.core.stage.StageMetrics;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.ova.OvaBuilder;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.ovf.OvfDescriptorParser;
import org.ovaflow.validate.schema.DescriptorValidator;
import org.ovaflow.validate.schema.SchemaStage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Compressed OVAs and unpacked packages through the checksum stage on a real S3 server: verified in one pass and
 * staged as the plain OVA the later stages read at its tar offsets; or rejected by name, with nothing staged.
 */
class NormalisedPackagesTest {

    /** The stage's meters, counted here and never exported. */
    private static final StageMetrics METRICS = new StageMetrics(new SimpleMeterRegistry());

    private static final String INCOMING = "ova-incoming";
    private static final String STAGING = "ova-staging";

    @RegisterExtension
    static final S3Server S3 = new S3Server(INCOMING, STAGING);

    private final ObjectStore store = S3.store();

    private ChecksumStage stage(PackageSources.Limits limits) {
        return new ChecksumStage(store, new PackageVerifier(), new PackageSources(limits), STAGING, METRICS);
    }

    private final ChecksumStage stage = stage(PackageSources.Limits.DEFAULTS);

    @Test
    void aGzipOvaIsVerifiedAndStagedAsThePlainOvaTheIndexPointsInto() throws Exception {
        byte[] ova = SampleAppliance.ova("Acme", "Widget", "1.0", 300_000, 1).toBytes();
        ImportEvent event = arrived("widget-1.0.ova.gz", gzip(ova));

        StageOutcome outcome = stage.verify(event);

        assertThat(outcome.next()).isEqualTo(Topics.VERIFIED);
        assertThat(outcome.event().failedChecks()).isEmpty();
        assertThat(outcome.event().source()).isEqualTo(event.source());
        ObjectRef plain = outcome.event().normalised();
        assertThat(plain.bucket()).isEqualTo(STAGING);
        assertThat(plain.key()).isEqualTo("packages/" + event.importId() + "/widget-1.0.ova");
        assertThat(outcome.event().ova()).isEqualTo(plain);
        assertStagedIs(outcome.event(), ova);
        assertThat(outcome.event().manifest().verified()).containsOnlyKeys("widget.ovf", "disk1.img");
    }

    @Test
    void anXzOvaIsVerifiedAndStagedAsThePlainOva() throws Exception {
        byte[] ova = SampleAppliance.ova("Acme", "Widget", "2.0", 200_000, 2).toBytes();
        ImportEvent event = arrived("widget-2.0.OVA.XZ", xz(ova));

        StageOutcome outcome = stage.verify(event);

        assertThat(outcome.next()).as(outcome.event().failedChecks().toString()).isEqualTo(Topics.VERIFIED);
        assertThat(outcome.event().normalised().key()).isEqualTo("packages/" + event.importId() + "/widget-2.0.ova");
        assertStagedIs(outcome.event(), ova);
    }

    @Test
    void concatenatedGzipMembersAreOneStream() throws Exception {
        byte[] ova = SampleAppliance.ova("Acme", "Widget", "3.0", 100_000, 3).toBytes();
        int half = ova.length / 2;
        byte[] twoMembers = concat(gzip(Arrays.copyOf(ova, half)), gzip(Arrays.copyOfRange(ova, half, ova.length)));

        StageOutcome outcome = stage.verify(arrived("pigz.ova.gz", twoMembers));

        assertThat(outcome.next()).isEqualTo(Topics.VERIFIED);
        assertStagedIs(outcome.event(), ova);
    }

    @Test
    void aGzipBombIsRejectedAsPackageCompressionAndNothingIsStaged() throws Exception {
        // an OVA with a disk of 64 MiB of zeros, in 64 KiB of gzip, against a limit of 8 MiB
        byte[] bomb = gzip(new OvaBuilder("bomb.ovf", SampleAppliance.descriptor("Acme", "Bomb", "1.0", "disk1.img",
                64 << 20)).file("disk1.img", new byte[64 << 20]).toBytes());
        ImportEvent event = arrived("bomb.ova.gz", bomb);

        StageOutcome outcome = stage(new PackageSources.Limits(8 << 20, 1000)).verify(event);

        assertThat(outcome.next()).isEqualTo(Topics.REJECTED);
        assertThat(outcome.event().failedChecks()).singleElement().satisfies(check -> {
            assertThat(check.id()).isEqualTo("package.compression");
            assertThat(check.file()).isEqualTo("bomb.ova.gz");
            assertThat(check.message()).contains("inflates to more than 8388608 bytes");
        });
        assertThat(outcome.event().normalised()).isNull();
        assertNothingStaged(event);
    }

    @Test
    void truncatedCompressedStreamsAreRejectedAsPackageCompressionNotAsTarErrors() throws Exception {
        byte[] ova = SampleAppliance.ova("Acme", "Widget", "4.0", 200_000, 4).toBytes();
        for (Map.Entry<String, byte[]> file : Map.of("cut.ova.gz", gzip(ova), "cut.ova.xz", xz(ova)).entrySet()) {
            byte[] compressed = file.getValue();
            byte[] cut = Arrays.copyOf(compressed, compressed.length / 2);
            ImportEvent event = arrived(file.getKey(), cut);

            StageOutcome outcome = stage.verify(event);

            assertThat(outcome.next()).as(file.getKey()).isEqualTo(Topics.REJECTED);
            assertThat(outcome.event().failedChecks()).as(file.getKey()).extracting(CheckResult::id)
                    .containsExactly("package.compression");
            CheckResult failed = outcome.event().failedChecks().get(0);
            assertThat(failed.file()).isEqualTo(file.getKey());
            // the JDK's EOFException has no message: the rejection says what it means and where it happened
            assertThat(failed.message()).as(file.getKey()).contains("corrupt or truncated")
                    .doesNotContain("null").contains("after " + cut.length + " compressed byte(s) read")
                    .containsPattern("and \\d+ byte\\(s\\) inflated");
            assertNothingStaged(event);
        }
    }

    @Test
    void aTamperedCompressedOvaIsRejectedByItsManifestWithNothingStaged() throws Exception {
        byte[] ova = SampleAppliance.ova("Initech", "TPS", "1.0", 100_000, 5).spoilDigestOf("disk1.img").toBytes();
        ImportEvent event = arrived("tps.ova.gz", gzip(ova));

        StageOutcome outcome = stage.verify(event);

        assertThat(outcome.next()).isEqualTo(Topics.REJECTED);
        assertThat(outcome.event().failedChecks()).extracting(CheckResult::id).containsExactly("manifest.digest");
        assertThat(outcome.event().normalised()).isNull();
        assertNothingStaged(event);
    }

    @Test
    void anUnpackedPackageIsLaidOutAsOneTarInDsp0243Order() throws Exception {
        OvaBuilder builder = SampleAppliance.ova("Acme", "Folder", "1.0", 250_000, 6).file("folder.cert",
                "not really a certificate".getBytes(StandardCharsets.US_ASCII));
        Map<String, byte[]> files = builder.unpackedFiles();
        upload("exports/folder/", files);
        // beside it, a file the descriptor does not name: not part of the package
        store.write(INCOMING, "exports/folder/notes.txt", "hello".getBytes(StandardCharsets.UTF_8), "text/plain");
        ImportEvent event = arrivedAt("exports/folder/folder.ovf");

        StageOutcome outcome = stage(PackageSources.Limits.DEFAULTS).verify(event);

        // the .cert is no signature: the package is rejected for it, but the layout is what matters here
        assertThat(outcome.event().tarIndex().entries()).extracting(TarEntry::name)
                .containsExactly("folder.ovf", "folder.mf", "folder.cert", "disk1.img");
        assertThat(outcome.event().members()).extracting(ObjectRef::key)
                .containsExactly("exports/folder/folder.mf", "exports/folder/folder.cert", "exports/folder/disk1.img");
        assertThat(outcome.event().members()).allSatisfy(member -> assertThat(member.etag()).isNotBlank());
        assertThat(outcome.event().manifest().verified()).containsOnlyKeys("folder.ovf", "disk1.img");
    }

    @Test
    void aGoodUnpackedPackageIsStagedAndItsEntriesHoldItsFiles() throws Exception {
        Map<String, byte[]> files = SampleAppliance.ova("Acme", "Loose", "1.0", 300_000, 7).unpackedFiles();
        upload("loose/", files);
        ImportEvent event = arrivedAt("loose/loose.ovf");

        StageOutcome outcome = stage.verify(event);

        assertThat(outcome.next()).isEqualTo(Topics.VERIFIED);
        assertThat(outcome.state()).isEqualTo(StatusEvent.State.VERIFIED);
        assertThat(outcome.event().normalised().key()).isEqualTo("packages/" + event.importId() + "/loose.ova");
        byte[] staged = read(outcome.event().normalised());
        for (TarEntry entry : outcome.event().tarIndex().entries()) {
            assertThat(Arrays.copyOfRange(staged, (int) entry.offset(), (int) (entry.offset() + entry.size())))
                    .as(entry.name()).isEqualTo(files.get(entry.name()));
        }
        assertThat(outcome.event().tarIndex().sha256()).isEqualTo(sha256(staged));
        assertThat(outcome.event().manifest().verified()).containsOnlyKeys("loose.ovf", "disk1.img");
    }

    @Test
    void aMissingReferencedFileIsLeftOutAndNamedByTheManifest() throws Exception {
        Map<String, byte[]> files = SampleAppliance.ova("Acme", "Partial", "1.0", 100_000, 8).unpackedFiles();
        files.remove("disk1.img");
        upload("partial/", files);
        ImportEvent event = arrivedAt("partial/partial.ovf");

        StageOutcome outcome = stage.verify(event);

        assertThat(outcome.next()).isEqualTo(Topics.REJECTED);
        assertThat(outcome.event().failedChecks()).extracting(CheckResult::id, CheckResult::file)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("manifest.entry-missing", "disk1.img"));
        assertThat(outcome.event().members()).extracting(ObjectRef::key).containsExactly("partial/partial.mf");
        assertNothingStaged(event);
    }

    @Test
    void aReferenceEscapingThePrefixIsNeverReadAndTheSchemaStageRefusesIt() throws Exception {
        String descriptor = SampleAppliance.descriptor("Evil", "Escape", "1.0", "../secret.img", 5);
        store.write(INCOMING, "secret.img", "12345".getBytes(StandardCharsets.UTF_8), "application/octet-stream");
        store.write(INCOMING, "evil/escape.ovf", descriptor.getBytes(StandardCharsets.UTF_8), "application/xml");
        ImportEvent event = arrivedAt("evil/escape.ovf");

        StageOutcome verified = stage.verify(event);

        assertThat(verified.next()).isEqualTo(Topics.VERIFIED);
        assertThat(verified.event().tarIndex().entries()).extracting(TarEntry::name).containsExactly("escape.ovf");
        assertThat(verified.event().members()).isEmpty();
        StageOutcome validated = new SchemaStage(store, new DescriptorValidator(new OvfDescriptorParser(),
                ValidationSettings.DEFAULTS), METRICS).validate(verified.event());
        assertThat(validated.next()).isEqualTo(Topics.REJECTED);
        assertThat(validated.event().failedChecks()).extracting(CheckResult::id).contains("ovf.href-remote");
    }

    @Test
    void aPercentEncodedHrefFindsTheFileItDecodesToAndTheSchemaStageAcceptsIt() throws Exception {
        byte[] disk = SampleAppliance.disk(20_000, 12);
        String descriptor = SampleAppliance.descriptor("Acme", "Spaced", "1.0", "my%20disk.img", disk.length);
        store.write(INCOMING, "spaced/spaced.ovf", descriptor.getBytes(StandardCharsets.UTF_8), "application/xml");
        store.write(INCOMING, "spaced/my disk.img", disk, "application/octet-stream");

        StageOutcome verified = stage.verify(arrivedAt("spaced/spaced.ovf"));

        assertThat(verified.next()).isEqualTo(Topics.VERIFIED);
        assertThat(verified.event().tarIndex().entries()).extracting(TarEntry::name)
                .containsExactly("spaced.ovf", "my disk.img");
        StageOutcome validated = new SchemaStage(store, new DescriptorValidator(new OvfDescriptorParser(),
                ValidationSettings.DEFAULTS), METRICS).validate(verified.event());
        assertThat(validated.next()).as(validated.event().failedChecks().toString()).isEqualTo(Topics.VALIDATED);
    }

    @Test
    void anUnpackedPackageNamingTooManyFilesIsRejectedAsPackageFileCount() throws Exception {
        Map<String, byte[]> files = SampleAppliance.ova("Acme", "Many", "1.0", 10_000, 9).unpackedFiles();
        upload("many/", files);

        StageOutcome outcome = stage(new PackageSources.Limits(1L << 30, 0)).verify(arrivedAt("many/many.ovf"));

        assertThat(outcome.next()).isEqualTo(Topics.REJECTED);
        assertThat(outcome.event().failedChecks()).extracting(CheckResult::id).containsExactly("package.file-count");
    }

    @Test
    void anUnpackedPackageLargerThanTheLimitIsRejectedAsPackageSizeWithItsFiles() throws Exception {
        Map<String, byte[]> files = SampleAppliance.ova("Acme", "Big", "1.0", 100_000, 10).unpackedFiles();
        upload("big/", files);

        StageOutcome outcome = stage(new PackageSources.Limits(50_000, 1000)).verify(arrivedAt("big/big.ovf"));

        assertThat(outcome.next()).isEqualTo(Topics.REJECTED);
        assertThat(outcome.event().failedChecks()).extracting(CheckResult::id).containsExactly("package.size");
        assertThat(outcome.event().members()).extracting(ObjectRef::key)
                .containsExactly("big/big.mf", "big/disk1.img");
    }

    @Test
    void theStoreFailingUnderACompressedStreamIsAFailureToRetryNotARejection() {
        byte[] ova = SampleAppliance.ova("Acme", "Widget", "5.0", 100_000, 11).toBytes();
        byte[] compressed = gzip(ova);
        InputStream failing = new InputStream() {
            private int position;

            @Override
            public int read() throws IOException {
                if (position == compressed.length / 2) {
                    throw new IOException("connection reset");
                }
                return compressed[position++] & 0xff;
            }
        };
        PackageSources.PlainTar plain = new PackageSources(PackageSources.Limits.DEFAULTS).inflate("w.ova.gz", failing);

        assertThatThrownBy(() -> plain.stream().transferTo(OutputStream.nullOutputStream()))
                .hasMessage("connection reset");
        assertThat(plain.rejection()).isNull();
        assertThat(plain.storeFailure()).hasMessage("connection reset");
    }

    private void assertStagedIs(ImportEvent event, byte[] ova) throws Exception {
        byte[] staged = read(event.normalised());
        assertThat(staged).isEqualTo(ova);
        assertThat(event.tarIndex().sha256()).isEqualTo(sha256(ova));
        for (TarEntry entry : event.tarIndex().entries()) {
            byte[] data = Arrays.copyOfRange(staged, (int) entry.offset(), (int) (entry.offset() + entry.size()));
            assertThat(entry.sha256()).as(entry.name()).isEqualTo(sha256(data));
        }
    }

    private void assertNothingStaged(ImportEvent event) {
        assertThat(store.list(STAGING, "packages/" + event.importId() + "/")).isEmpty();
    }

    private byte[] read(ObjectRef object) throws IOException {
        try (InputStream in = store.read(object)) {
            return in.readAllBytes();
        }
    }

    private void upload(String folder, Map<String, byte[]> files) {
        files.forEach((name, content) -> store.write(INCOMING, folder + name, content, "application/octet-stream"));
    }

    private ImportEvent arrived(String key, byte[] content) {
        store.write(INCOMING, key, content, "application/octet-stream");
        return arrivedAt(key);
    }

    private ImportEvent arrivedAt(String key) {
        ObjectInfo stat = store.stat(INCOMING, key).orElseThrow();
        return ImportEvent.arrived(new ObjectRef(INCOMING, key, stat.etag(), stat.size(), stat.versionId()), "scan",
                Instant.parse("2026-11-27T10:00:00Z"));
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GzipCompressorOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    static byte[] xz(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream xz = new XZCompressorOutputStream(out)) {
            xz.write(data);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
