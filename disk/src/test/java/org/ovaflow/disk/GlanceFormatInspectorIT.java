package org.ovaflow.disk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ovaflow.core.testing.GlanceInspector;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.disk.testing.TestDisks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every format ovaflow writes, judged by OpenStack Glance's own format inspector (the one that refuses unsafe
 * uploads since its 2024 fixes) beside qemu-img: Glance must detect the format the image is published as,
 * read its virtual size and pass its safety check. A streamOptimized VMDK whose header puts the grain directory
 * "at the end" was refused by it ("Unsupported VMDK footer") until the writer kept one in the head.
 */
class GlanceFormatInspectorIT {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @EnumSource(TargetFormat.class)
    void glanceAcceptsWhatOvaflowWrites(TargetFormat target) throws IOException {
        GlanceInspector glance = GlanceInspector.require();
        QemuImg qemu = QemuImg.require();
        Path source = TestDisks.patterned(dir.resolve("source.raw"), TestDisks.ODD_SIZE, 27);
        Path out = dir.resolve("disk." + target.extension());
        try (FileImageSource file = new FileImageSource(source);
             DiskImageReader reader = DiskImages.open(file, ReadOptions.defaults());
             DiskImageWriter writer = DiskImages.writer(target, reader.virtualSize(), new FileImageSink(out), false,
                     out.getFileName().toString())) {
            Conversion.copy(reader, List.of(writer));
        }
        String qemuFormat = target == TargetFormat.RAW ? "raw" : target == TargetFormat.QCOW2 ? "qcow2"
                : target == TargetFormat.VMDK ? "vmdk" : "vpc";
        qemu.check(out, qemuFormat);
        qemu.assertSameContent(source, "raw", out, qemuFormat);

        long virtualSize = DiskImages.outputVirtualSize(target, TestDisks.ODD_SIZE, false);
        switch (target) {
            case QCOW2, VMDK, VHD -> {
                String glanceFormat = target == TargetFormat.VMDK ? "vmdk" : target == TargetFormat.VHD ? "vhd" : "qcow2";
                GlanceInspector.Verdict verdict = glance.inspect(out, glanceFormat);
                assertThat(verdict.detected()).as(verdict.output()).isEqualTo(glanceFormat);
                assertThat(verdict.error()).as(verdict.output()).isNull();
                assertThat(verdict.virtualSize()).as(verdict.output()).isEqualTo(virtualSize);
                assertThat(verdict.safe()).as(verdict.output()).isTrue();
            }
            // a fixed VHD is raw data and a footer at the end: Glance's inspector, which reads a stream from the
            // start, sees raw (as it does qemu-img's fixed VHDs); uploaded as raw it is safe
            case VHD_FIXED, RAW -> {
                GlanceInspector.Verdict verdict = glance.inspect(out, "raw");
                assertThat(verdict.detected()).as(verdict.output()).isEqualTo("raw");
                assertThat(verdict.error()).as(verdict.output()).isNull();
                assertThat(verdict.safe()).as(verdict.output()).isTrue();
            }
        }
    }

    /** The oracle itself: qemu-img's streamOptimized output passes, ovaflow's former layout is refused. */
    @Test
    void glanceRefusesAGrainDirectoryAtTheEnd() throws IOException {
        GlanceInspector glance = GlanceInspector.require();
        QemuImg qemu = QemuImg.require();
        Path source = TestDisks.patterned(dir.resolve("source.raw"), 4L * 1024 * 1024, 28);
        Path qemus = dir.resolve("qemu.vmdk");
        qemu.convert(source, "raw", qemus, "vmdk", "-o", "subformat=streamOptimized");
        assertThat(glance.inspect(qemus, "vmdk").safe()).isTrue();

        Path atTheEnd = dir.resolve("at-the-end.vmdk");
        Files.copy(qemus, atTheEnd);
        try (var channel = java.nio.channels.FileChannel.open(atTheEnd, java.nio.file.StandardOpenOption.WRITE)) {
            // gdOffset, at byte 56 of the header: GD_AT_END
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1}), 56);
        }
        GlanceInspector.Verdict verdict = glance.inspect(atTheEnd, "vmdk");
        assertThat(verdict.error()).as(verdict.output()).contains("Unsupported VMDK footer");
    }
}
