package org.ovaflow.validate.schema;

import org.junit.jupiter.api.Test;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.ova.OvaBuilder;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.checksum.PackageVerification;
import org.ovaflow.validate.checksum.PackageVerifier;
import org.ovaflow.validate.disk.HostileHeadersTest;
import org.ovaflow.validate.ovf.OvfDescriptorParser;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The declared capacity and format of each Disk against what its image's header says. */
class DiskImageChecksTest {

    private static final String QCOW2_FORMAT = "http://www.gnome.org/~markmc/qcow-image-format.html";

    private final DescriptorValidator validator = new DescriptorValidator(new OvfDescriptorParser(),
            ValidationSettings.DEFAULTS);

    @Test
    void theSampleAppliancesDisksHoldTheirImages() throws IOException {
        for (int size : new int[]{1, 4_000, 1 << 20, (1 << 20) + 1}) {
            List<CheckResult> checks = validate(SampleAppliance.ova("Acme", "Widget", "1.0", size, 3));
            assertThat(checks).as("%d bytes", size).noneMatch(CheckResult::failed)
                    .noneMatch(c -> c.status() == CheckResult.Status.WARN);
            assertThat(checks).filteredOn(c -> c.id().equals("ovf.disk-capacity")).singleElement()
                    .satisfies(c -> assertThat(c.message()).startsWith("1 disk(s) declare a capacity that holds"));
        }
    }

    @Test
    void aCapacitySmallerThanTheImageIsRejected() throws IOException {
        byte[] qcow2 = HostileHeadersTest.qcow2(3, 4L << 30, 0);
        String descriptor = SampleAppliance.descriptor("Acme", "Widget", "1.0", "disk1.img", qcow2.length);

        List<CheckResult> checks = validate(new OvaBuilder("app.ovf", descriptor).file("disk1.img", qcow2));

        assertThat(checks).filteredOn(CheckResult::failed).singleElement().satisfies(c -> {
            assertThat(c.where()).isEqualTo("ovf.disk-capacity [disk1.img]");
            assertThat(c.message()).isEqualTo("Disk 'vmdisk1' declares 1 MiB, disk1.img's header says 4 GiB: the "
                    + "capacity must hold the whole image");
        });
        // the descriptor says raw, the header is qcow2
        assertThat(checks).filteredOn(c -> c.status() == CheckResult.Status.WARN).singleElement().satisfies(c -> {
            assertThat(c.where()).isEqualTo("ovf.disk-format [disk1.img]");
            assertThat(c.message()).isEqualTo("Disk 'vmdisk1': the format URI says raw data ("
                    + SampleAppliance.RAW_FORMAT + "), the header is a qcow2 image");
        });
    }

    @Test
    void aCapacityThatHoldsTheImageInTheFormatItSaysPasses() throws IOException {
        byte[] qcow2 = HostileHeadersTest.qcow2(3, 1L << 20, 0);
        String descriptor = SampleAppliance.descriptor("Acme", "Widget", "1.0", "disk1.qcow2", qcow2.length)
                .replace(SampleAppliance.RAW_FORMAT, QCOW2_FORMAT);

        List<CheckResult> checks = validate(new OvaBuilder("app.ovf", descriptor).file("disk1.qcow2", qcow2));

        assertThat(checks).noneMatch(CheckResult::failed).noneMatch(c -> c.status() == CheckResult.Status.WARN);
        assertThat(checks).extracting(CheckResult::id).contains("ovf.disk-capacity");
    }

    @Test
    void aRawImageLargerThanItsCapacity() throws IOException {
        byte[] disk = SampleAppliance.disk(3 << 20, 1);
        String descriptor = SampleAppliance.descriptor("Acme", "Widget", "1.0", "disk1.img", disk.length)
                .replace("ovf:capacity=\"3\"", "ovf:capacity=\"2\"");

        List<CheckResult> checks = validate(new OvaBuilder("app.ovf", descriptor).file("disk1.img", disk));

        assertThat(checks).filteredOn(CheckResult::failed).extracting(CheckResult::message).containsExactly(
                "Disk 'vmdisk1' declares 2 MiB, disk1.img holds 3 MiB of raw data: the capacity must hold the whole image");
    }

    @Test
    void aChunkedRawImageIsAsLargeAsItsChunks() throws IOException {
        byte[] disk = SampleAppliance.disk(3 << 20, 1);
        String descriptor = SampleAppliance.descriptor("Acme", "Widget", "1.0", "disk1.img", disk.length)
                .replace("ovf:capacity=\"3\"", "ovf:capacity=\"2\"")
                .replace("ovf:size=", "ovf:chunkSize=\"2097152\" ovf:size=");

        List<CheckResult> checks = validate(new OvaBuilder("app.ovf", descriptor)
                .file("disk1.img.000000000", java.util.Arrays.copyOf(disk, 2 << 20))
                .file("disk1.img.000000001", java.util.Arrays.copyOfRange(disk, 2 << 20, disk.length)));

        assertThat(checks).filteredOn(CheckResult::failed).extracting(CheckResult::message).containsExactly(
                "Disk 'vmdisk1' declares 2 MiB, disk1.img holds 3 MiB of raw data: the capacity must hold the whole image");
    }

    @Test
    void aGzipCompressedRawImageIsNotComparedAndSaysSo() throws IOException {
        byte[] disk = gzip(SampleAppliance.disk(3 << 20, 1));
        String descriptor = SampleAppliance.descriptor("Acme", "Widget", "1.0", "disk1.img", disk.length)
                .replace("ovf:size=", "ovf:compression=\"gzip\" ovf:size=");

        List<CheckResult> checks = validate(new OvaBuilder("app.ovf", descriptor).file("disk1.img", disk));

        assertThat(checks).noneMatch(CheckResult::failed).noneMatch(c -> c.status() == CheckResult.Status.WARN);
        assertThat(checks).filteredOn(c -> c.id().equals("ovf.disk-capacity")).singleElement()
                .satisfies(c -> assertThat(c.message()).isEqualTo("0 disk(s) declare a capacity that holds their "
                        + "image; not compared: disk1.img (gzip-compressed raw data: its size is not read without "
                        + "inflating it all)"));
    }

    private List<CheckResult> validate(OvaBuilder ova) throws IOException {
        byte[] bytes = ova.toBytes();
        PackageVerification verified = new PackageVerifier().verify("test.ova", new ByteArrayInputStream(bytes));
        assertThat(verified.rejected()).as("the checksum stage's checks: %s", verified.checks()).isFalse();
        ImportEvent event = ImportEvent.arrived(new ObjectRef("ova-incoming", "test.ova", "etag", bytes.length, null),
                "test", Instant.now()).withTarIndex(verified.tarIndex());
        var descriptor = verified.tarIndex().descriptor().orElseThrow();
        return validator.validate(descriptor, new ByteArrayInputStream(bytes, (int) descriptor.offset(),
                (int) descriptor.size()), event).checks();
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }
}
