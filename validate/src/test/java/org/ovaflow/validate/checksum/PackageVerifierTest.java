package org.ovaflow.validate.checksum;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.ova.OvaBuilder;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.validate.ValidationSettings;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class PackageVerifierTest {

    private final PackageVerifier verifier = new PackageVerifier();

    @Test
    void aGoodOvaPassesWithItsTarIndexAndVerifiedDigests() throws Exception {
        for (String algorithm : new String[]{"SHA1", "SHA256", "SHA512"}) {
            byte[] ova = SampleAppliance.ova("Acme", "Widget", "1.0", 40_000, 1).manifestAlgorithm(algorithm).toBytes();

            PackageVerification result = verifier.verify("widget.ova", new ByteArrayInputStream(ova));

            assertThat(result.rejected()).as(algorithm).isFalse();
            assertThat(result.tarIndex().entries()).extracting("name").containsExactly("widget.ovf", "widget.mf", "disk1.img");
            assertThat(result.manifest().verified()).containsOnlyKeys("widget.ovf", "disk1.img");
            assertThat(result.manifest().verified().get("disk1.img").algorithm()).isEqualTo(algorithm);
            var disk = result.tarIndex().find("disk1.img").orElseThrow();
            assertThat(disk.sha256()).isEqualTo(sha256(Arrays.copyOfRange(ova, (int) disk.offset(), (int) (disk.offset() + disk.size()))));
            assertThat(result.bytesRead()).isEqualTo(result.tarIndex().entries().stream().mapToLong(e -> e.size()).sum());
        }
    }

    @Test
    void aWrongDigestNamesTheFile() throws Exception {
        byte[] ova = SampleAppliance.ova("Acme", "Widget", "1.0", 40_000, 1).spoilDigestOf("disk1.img").toBytes();

        PackageVerification result = verifier.verify("widget.ova", new ByteArrayInputStream(ova));

        assertThat(result.rejected()).isTrue();
        assertThat(result.checks()).filteredOn(CheckResult::failed).singleElement()
                .satisfies(c -> {
                    assertThat(c.id()).isEqualTo("manifest.digest");
                    assertThat(c.file()).isEqualTo("disk1.img");
                    assertThat(c.message()).contains("SHA256", "widget.mf says");
                });
    }

    @Test
    void aMissingManifestIsAWarningNotARejection() throws Exception {
        byte[] ova = SampleAppliance.ova("Acme", "Widget", "1.0", 4_000, 1).manifestAlgorithm(null).toBytes();
        PackageVerification result = verifier.verify("widget.ova", new ByteArrayInputStream(ova));
        assertThat(result.rejected()).isFalse();
        assertThat(result.checks()).anySatisfy(c -> {
            assertThat(c.id()).isEqualTo("manifest.present");
            assertThat(c.status()).isEqualTo(CheckResult.Status.WARN);
        });
    }

    @Test
    void aManifestRequiredByPolicyRejectsAPackageWithout() throws Exception {
        byte[] ova = SampleAppliance.ova("Acme", "Widget", "1.0", 4_000, 1).manifestAlgorithm(null).toBytes();
        PackageVerification result = new PackageVerifier(ValidationSettings.DEFAULTS
                .withManifest(ValidationSettings.ManifestPolicy.REQUIRE)).verify("widget.ova",
                new ByteArrayInputStream(ova));
        assertThat(result.checks()).filteredOn(CheckResult::failed).singleElement()
                .satisfies(c -> assertThat(c.id()).isEqualTo("manifest.present"));
    }

    @Test
    void dataAfterTheEndOfTheArchiveIsAWarningAndPartOfTheDigest() throws Exception {
        byte[] ova = SampleAppliance.ova("Acme", "Widget", "1.0", 4_000, 1).toBytes();
        // past the 10 KiB record a tar reader consumes whole
        byte[] padded = Arrays.copyOf(ova, ova.length + 30_720);
        byte[] appended = padded.clone();
        System.arraycopy("a second archive, hidden".getBytes(), 0, appended, ova.length + 20_480, 24);

        PackageVerification zeros = verifier.verify("widget.ova", new ByteArrayInputStream(padded));
        PackageVerification hidden = verifier.verify("widget.ova", new ByteArrayInputStream(appended));

        assertThat(zeros.checks()).noneSatisfy(c -> assertThat(c.id()).isEqualTo("tar.trailing-data"));
        assertThat(hidden.rejected()).isFalse();
        assertThat(hidden.checks()).anySatisfy(c -> {
            assertThat(c.id()).isEqualTo("tar.trailing-data");
            assertThat(c.status()).isEqualTo(CheckResult.Status.WARN);
            assertThat(c.message()).startsWith("24 non-zero byte(s)");
        });
        assertThat(hidden.tarIndex().sha256()).isEqualTo(sha256Hex(appended)).isNotEqualTo(zeros.tarIndex().sha256());
    }

    private static String sha256Hex(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void notATarEmptyAndTruncatedAreRejectedWithTheirReason() throws Exception {
        assertThat(failure(new byte[0])).isEqualTo("tar.readable");
        assertThat(failure("hello, I am a text file\n".repeat(100).getBytes())).isEqualTo("tar.readable");
        byte[] ova = SampleAppliance.ova("Acme", "Widget", "1.0", 40_000, 1).toBytes();
        assertThat(failure(Arrays.copyOf(ova, ova.length - 20_000))).isEqualTo("tar.truncated");
    }

    @Test
    void hostileEntriesAreEachNamed() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String longName = "d".repeat(300) + ".vmdk"; // past any file system's limit, and S3 keys built from it
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            put(tar, new TarArchiveEntry("app.ovf"), "<Envelope/>");
            put(tar, new TarArchiveEntry("../../etc/cron.d/evil"), "x");
            put(tar, new TarArchiveEntry(longName), "x");
            put(tar, new TarArchiveEntry("/etc/shadow", true), "x");
            TarArchiveEntry link = new TarArchiveEntry("disk1.vmdk", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName("/dev/sda");
            put(tar, link, null);
            put(tar, new TarArchiveEntry("app.ovf"), "<Envelope/>");
        }
        PackageVerification result = verifier.verify("evil.ova", new ByteArrayInputStream(bytes.toByteArray()));

        assertThat(result.rejected()).isTrue();
        assertThat(result.checks()).filteredOn(CheckResult::failed)
                .extracting(CheckResult::id, CheckResult::file)
                .contains(org.assertj.core.groups.Tuple.tuple("tar.entry-name", "../../etc/cron.d/evil"),
                        org.assertj.core.groups.Tuple.tuple("tar.entry-name", "/etc/shadow"),
                        org.assertj.core.groups.Tuple.tuple("tar.entry-name", longName),
                        org.assertj.core.groups.Tuple.tuple("tar.entry-type", "disk1.vmdk"),
                        org.assertj.core.groups.Tuple.tuple("tar.duplicate-name", "app.ovf"));
    }

    @Test
    void theDescriptorMustComeFirst() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            put(tar, new TarArchiveEntry("disk1.img"), "data");
            put(tar, new TarArchiveEntry("app.ovf"), "<Envelope/>");
        }
        PackageVerification result = verifier.verify("late.ova", new ByteArrayInputStream(bytes.toByteArray()));
        assertThat(result.checks()).filteredOn(CheckResult::failed).extracting(CheckResult::id)
                .containsExactly("tar.descriptor-first");
    }

    @Test
    void linksAndDevicesAreRefusedByType() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            put(tar, new TarArchiveEntry("app.ovf"), "<Envelope/>");
            TarArchiveEntry hard = new TarArchiveEntry("disk1.vmdk", TarArchiveEntry.LF_LINK);
            hard.setLinkName("app.ovf");
            put(tar, hard, null);
            put(tar, new TarArchiveEntry("sda", TarArchiveEntry.LF_BLK), null);
            put(tar, new TarArchiveEntry("tty", TarArchiveEntry.LF_CHR), null);
            put(tar, new TarArchiveEntry("pipe", TarArchiveEntry.LF_FIFO), null);
        }
        PackageVerification result = verifier.verify("devices.ova", new ByteArrayInputStream(bytes.toByteArray()));

        assertThat(result.checks()).filteredOn(CheckResult::failed).extracting(CheckResult::id, CheckResult::file)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("tar.entry-type", "disk1.vmdk"),
                        org.assertj.core.groups.Tuple.tuple("tar.entry-type", "sda"),
                        org.assertj.core.groups.Tuple.tuple("tar.entry-type", "tty"),
                        org.assertj.core.groups.Tuple.tuple("tar.entry-type", "pipe"));
    }

    @Test
    void moreEntriesThanAnOvaHoldsIsRefused() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            put(tar, new TarArchiveEntry("app.ovf"), "<Envelope/>");
            for (int i = 0; i < org.ovaflow.core.ova.OvaArchive.MAX_ENTRIES; i++) {
                put(tar, new TarArchiveEntry("f" + i), null);
            }
        }
        assertThat(failure(bytes.toByteArray())).isEqualTo("tar.entry-count");
    }

    @Test
    void aManifestLineForAFileNotInTheArchiveAndAnUnreadableLineAreNamed() throws Exception {
        OvaBuilder sample = SampleAppliance.ova("Acme", "Widget", "1.0", 5_000, 2);
        String manifest = sample.manifest() + "SHA256(ghost.vmdk)= " + "0".repeat(64) + "\nthis is no digest line\n";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);
             var sampleTar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                     new ByteArrayInputStream(sample.toBytes()))) {
            for (var entry = sampleTar.getNextEntry(); entry != null; entry = sampleTar.getNextEntry()) {
                String content = entry.getName().endsWith(".mf") ? manifest
                        : new String(sampleTar.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
                byte[] data = content.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                TarArchiveEntry copy = new TarArchiveEntry(entry.getName());
                copy.setSize(data.length);
                tar.putArchiveEntry(copy);
                tar.write(data);
                tar.closeArchiveEntry();
            }
        }
        PackageVerification result = verifier.verify("ghost.ova", new ByteArrayInputStream(bytes.toByteArray()));

        assertThat(result.checks()).filteredOn(CheckResult::failed).extracting(CheckResult::id, CheckResult::file)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("manifest.entry-missing", "ghost.vmdk"),
                        org.assertj.core.groups.Tuple.tuple("manifest.syntax", "widget.mf"));
        assertThat(result.checks()).filteredOn(c -> c.id().equals("manifest.syntax")).singleElement()
                .satisfies(c -> assertThat(c.message()).contains("this is no digest line"));
    }

    private String failure(byte[] ova) throws IOException {
        PackageVerification result = verifier.verify("bad.ova", new ByteArrayInputStream(ova));
        assertThat(result.rejected()).isTrue();
        return result.checks().stream().filter(CheckResult::failed).findFirst().orElseThrow().id();
    }

    private static void put(TarArchiveOutputStream tar, TarArchiveEntry entry, String content) throws IOException {
        byte[] data = content == null ? new byte[0] : content.getBytes();
        entry.setSize(data.length);
        tar.putArchiveEntry(entry);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    }
}
