package org.ovaflow.validate.disk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.DiskImage;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.ova.OvaBuilder;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.validate.checksum.PackageVerification;
import org.ovaflow.validate.checksum.PackageVerifier;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The checksum stage's verifier on whole OVAs: what each file's header says lands in the tar index and the checks. */
class PackageDiskHeadersIT {

    private final PackageVerifier verifier = new PackageVerifier();

    @Test
    void theSampleApplianceHasARawDiskAndNoFinding() throws IOException {
        PackageVerification result = verify(SampleAppliance.ova("Acme", "Widget", "1.0", 40_000, 1));
        assertThat(result.rejected()).isFalse();
        assertThat(result.tarIndex().entries()).extracting(TarEntry::image)
                .containsExactly(null, null, new DiskImage("raw", 40_000L));
        assertThat(result.checks()).filteredOn(c -> c.id().equals("disk.header")).singleElement()
                .satisfies(c -> assertThat(c.status()).isEqualTo(CheckResult.Status.PASS));
    }

    @Test
    void aQcow2OverlayOnAHostFileIsRejected() throws IOException {
        byte[] overlay = HostileHeadersTest.qcow2(3, 4L << 30, 0);
        byte[] name = "/etc/passwd".getBytes(StandardCharsets.US_ASCII);
        java.nio.ByteBuffer.wrap(overlay).putLong(8, 112).putInt(16, name.length).put(112, name);
        PackageVerification result = verify(new OvaBuilder("app.ovf", "<Envelope/>").file("disk1.qcow2", overlay));
        assertThat(result.rejected()).isTrue();
        assertThat(result.checks()).filteredOn(CheckResult::failed).singleElement().satisfies(c -> {
            assertThat(c.id()).isEqualTo("disk.header");
            assertThat(c.file()).isEqualTo("disk1.qcow2");
            assertThat(c.message()).startsWith("qcow2 backing file /etc/passwd:");
        });
        assertThat(result.tarIndex().find("disk1.qcow2").orElseThrow().image())
                .isEqualTo(new DiskImage("qcow2", 4L << 30));
    }

    @Test
    void aVmdkDescriptorMayNameItsExtentsInThePackageOnly() throws IOException {
        String descriptor = "# Disk DescriptorFile\nversion=1\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n"
                + "RW 8 FLAT \"disk1-flat.vmdk\" 0\n";
        PackageVerification good = verify(new OvaBuilder("app.ovf", "<Envelope/>")
                .file("disk1.vmdk", descriptor.getBytes(StandardCharsets.US_ASCII))
                .file("disk1-flat.vmdk", new byte[4096]));
        assertThat(good.rejected()).isFalse();
        assertThat(good.tarIndex().find("disk1.vmdk").orElseThrow().image())
                .isEqualTo(new DiskImage("vmdk-descriptor", 4096L));

        PackageVerification evil = verify(new OvaBuilder("app.ovf", "<Envelope/>")
                .file("disk1.vmdk", descriptor.replace("disk1-flat.vmdk", "../../host.img")
                        .getBytes(StandardCharsets.US_ASCII)));
        assertThat(evil.checks()).filteredOn(CheckResult::failed).singleElement().satisfies(c -> {
            assertThat(c.where()).isEqualTo("disk.header [disk1.vmdk]");
            assertThat(c.message()).startsWith("VMDK extent ../../host.img:");
        });
    }

    @Test
    void formatsOvaflowCannotImportAreNamed() throws IOException {
        byte[] vhdx = new byte[4096];
        System.arraycopy("vhdxfile".getBytes(StandardCharsets.US_ASCII), 0, vhdx, 0, 8);
        PackageVerification result = verify(new OvaBuilder("app.ovf", "<Envelope/>").file("disk1.vhdx", vhdx));
        assertThat(result.checks()).filteredOn(CheckResult::failed).singleElement()
                .satisfies(c -> assertThat(c.message()).startsWith("is a VHDX image, a format ovaflow cannot import"));
    }

    @Test
    void aRealStreamOptimizedVmdkPasses(@TempDir Path dir) throws Exception {
        QemuImg.require();
        byte[] vmdk = Files.readAllBytes(QemuImg.require().create(dir, "x.vmdk", "vmdk", "64M", "-o", "subformat=streamOptimized"));
        PackageVerification result = verify(new OvaBuilder("app.ovf", "<Envelope/>").file("disk1.vmdk", vmdk)
                .file("disk1.nvram", new byte[8684]));
        assertThat(result.rejected()).isFalse();
        assertThat(result.tarIndex().find("disk1.vmdk").orElseThrow().image())
                .isEqualTo(new DiskImage("vmdk-stream-optimized", 64L << 20));
        assertThat(result.checks()).filteredOn(c -> c.id().equals("disk.header")).singleElement()
                .satisfies(c -> assertThat(c.message()).contains("disk1.vmdk (vmdk-stream-optimized, 64 MiB)"));
    }

    private PackageVerification verify(OvaBuilder ova) throws IOException {
        return verifier.verify("test.ova", new ByteArrayInputStream(ova.toBytes()));
    }
}
