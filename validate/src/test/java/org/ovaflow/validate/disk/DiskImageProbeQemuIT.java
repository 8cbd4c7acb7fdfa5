package org.ovaflow.validate.disk;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.disk.DiskReference;
import org.ovaflow.disk.DiskHeader;
import org.ovaflow.disk.DiskFormat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The probe on images qemu-img makes: every format it writes, and the ways a qcow2 reaches outside itself. */
class DiskImageProbeQemuIT {

    private static final long FOUR_MIB = 4L << 20;

    @TempDir
    Path dir;

    @BeforeEach
    void qemuImg() {
        QemuImg.require();
    }

    @Test
    void qcow2() throws Exception {
        DiskHeader header = Probing.probe(QemuImg.require().create(dir, "d.qcow2", "qcow2", "4M"));
        assertThat(header).isEqualTo(DiskHeader.of(DiskFormat.QCOW2, FOUR_MIB));
        assertThat(DiskImageProbe.image(header).format()).isEqualTo("qcow2");
    }

    @Test
    void qcow2Version2() throws Exception {
        DiskHeader header = Probing.probe(QemuImg.require().create(dir, "d.qcow2", "qcow2", "4M", "-o", "compat=0.10"));
        assertThat(header).isEqualTo(DiskHeader.of(DiskFormat.QCOW2, FOUR_MIB));
    }

    @Test
    void qcow2OverlayNamesItsBackingFile() throws Exception {
        // -u: the backing file is not opened, so it may name any host file
        DiskHeader header = Probing.probe(QemuImg.require().create(dir, "overlay.qcow2", "qcow2", "1G",
                "-u", "-b", "/etc/passwd", "-F", "raw"));
        assertThat(header.format()).isEqualTo(DiskFormat.QCOW2);
        assertThat(header.virtualSize()).isEqualTo(1L << 30);
        assertThat(header.references()).containsExactly(
                new DiskReference(DiskReference.Kind.QCOW2_BACKING_FILE, "/etc/passwd", false));
        assertThat(fails(header, "overlay.qcow2")).containsExactly("qcow2 backing file /etc/passwd: an overlay is "
                + "incomplete without its backing file, which is outside the package; flatten it first (qemu-img convert)");
    }

    @Test
    void qcow2WithAnExternalDataFile() throws Exception {
        DiskHeader header = Probing.probe(QemuImg.require().create(dir, "d.qcow2", "qcow2", "4M",
                "-o", "data_file=/var/lib/host-data.raw"));
        assertThat(header.references()).containsExactly(
                new DiskReference(DiskReference.Kind.QCOW2_DATA_FILE, "/var/lib/host-data.raw", false));
    }

    @Test
    void vmdkMonolithicSparseAndStreamOptimized() throws Exception {
        DiskHeader sparse = Probing.probe(QemuImg.require().create(dir, "sparse.vmdk", "vmdk", "4M"));
        assertThat(sparse.format()).isEqualTo(DiskFormat.VMDK_MONOLITHIC_SPARSE);
        assertThat(sparse.virtualSize()).isEqualTo(FOUR_MIB);
        // the embedded descriptor names the sparse file itself
        assertThat(sparse.references()).extracting(DiskReference::embedded).containsOnly(true);
        assertThat(fails(sparse, "renamed-in-the-ova.vmdk")).isEmpty();

        DiskHeader stream = Probing.probe(QemuImg.require().create(dir, "stream.vmdk", "vmdk", "4M",
                "-o", "subformat=streamOptimized"));
        assertThat(stream.format()).isEqualTo(DiskFormat.VMDK_STREAM_OPTIMIZED);
        assertThat(stream.virtualSize()).isEqualTo(FOUR_MIB);
        assertThat(fails(stream, "disk1.vmdk")).isEmpty();
    }

    @Test
    void vmdkDescriptorFileWithItsFlatExtent() throws Exception {
        Path descriptor = QemuImg.require().create(dir, "flat.vmdk", "vmdk", "4M", "-o", "subformat=monolithicFlat");
        DiskHeader header = Probing.probe(descriptor);
        assertThat(header.format()).isEqualTo(DiskFormat.VMDK_DESCRIPTOR);
        assertThat(header.virtualSize()).isEqualTo(FOUR_MIB);
        assertThat(header.references()).containsExactly(
                new DiskReference(DiskReference.Kind.VMDK_EXTENT, "flat-flat.vmdk", false));
        assertThat(Files.exists(dir.resolve("flat-flat.vmdk"))).isTrue();
        assertThat(DiskHeaderChecks.check(Map.of("flat.vmdk", header), Set.of("flat.vmdk", "flat-flat.vmdk")))
                .extracting(CheckResult::status).containsExactly(CheckResult.Status.PASS);
        assertThat(fails(header, "flat.vmdk")).containsExactly("VMDK extent flat-flat.vmdk: the package holds no "
                + "file of that name");
        assertThat(Probing.probe(dir.resolve("flat-flat.vmdk")).format()).isEqualTo(DiskFormat.RAW);
    }

    @Test
    void vhdDynamicAndFixed() throws Exception {
        Path dynamic = QemuImg.require().create(dir, "dynamic.vhd", "vpc", "4M");
        DiskHeader header = Probing.probe(dynamic);
        assertThat(header.format()).isEqualTo(DiskFormat.VHD_DYNAMIC);
        assertThat(header.virtualSize()).isEqualTo(QemuImg.require().virtualSize(dynamic, "vpc"));

        Path fixed = QemuImg.require().create(dir, "fixed.vhd", "vpc", "4M", "-o", "subformat=fixed,force_size=on");
        DiskHeader fixedHeader = Probing.probe(fixed);
        assertThat(fixedHeader).isEqualTo(DiskHeader.of(DiskFormat.VHD_FIXED, FOUR_MIB));
        // gzip-compressed, the footer at the end is not inflated: the size is unknown, and said so
        DiskHeader gzipped = Probing.probe("fixed.vhd.gz", Probing.gzip(Files.readAllBytes(fixed)));
        assertThat(gzipped.format()).isEqualTo(DiskFormat.RAW);
        assertThat(gzipped.gzip()).isTrue();
        assertThat(gzipped.virtualSize()).isNull();
        assertThat(DiskHeaderChecks.check(Map.of("fixed.vhd.gz", gzipped), Set.of("fixed.vhd.gz")))
                .singleElement().satisfies(c -> assertThat(c.message()).endsWith("fixed.vhd.gz (gzip-compressed raw "
                        + "data: size unknown, as the end, where a fixed VHD keeps its footer, is not inflated)"));
    }

    @Test
    void vhdxAndVdiAreRefusedByName() throws Exception {
        DiskHeader vhdx = Probing.probe(QemuImg.require().create(dir, "d.vhdx", "vhdx", "4M"));
        assertThat(vhdx.format()).isEqualTo(DiskFormat.VHDX);
        assertThat(fails(vhdx, "d.vhdx")).singleElement().asString().startsWith("is a VHDX image, a format ovaflow "
                + "cannot import");
        DiskHeader vdi = Probing.probe(QemuImg.require().create(dir, "d.vdi", "vdi", "4M"));
        assertThat(vdi.format()).isEqualTo(DiskFormat.VDI);
        assertThat(fails(vdi, "d.vdi")).singleElement().asString().contains("VirtualBox VDI");
    }

    @Test
    void rawIsItsOwnSize() throws Exception {
        DiskHeader header = Probing.probe(QemuImg.require().create(dir, "d.img", "raw", "4M"));
        assertThat(header).isEqualTo(DiskHeader.of(DiskFormat.RAW, FOUR_MIB));
    }

    @Test
    void gzipCompressedImagesAreProbedFromTheirInflatedHead() throws Exception {
        Path overlay = QemuImg.require().create(dir, "overlay.qcow2", "qcow2", "2G", "-u", "-b", "/etc/shadow", "-F", "raw");
        DiskHeader header = Probing.probe("overlay.qcow2.gz", Probing.gzip(Files.readAllBytes(overlay)), 4096);
        assertThat(header.gzip()).isTrue();
        assertThat(header.format()).isEqualTo(DiskFormat.QCOW2);
        assertThat(header.virtualSize()).isEqualTo(2L << 30);
        assertThat(fails(header, "overlay.qcow2.gz")).singleElement().asString()
                .startsWith("qcow2 backing file /etc/shadow");

        Path stream = QemuImg.require().create(dir, "stream.vmdk", "vmdk", "8M", "-o", "subformat=streamOptimized");
        DiskHeader vmdk = Probing.probe("stream.vmdk", Probing.gzip(Files.readAllBytes(stream)));
        assertThat(vmdk.format()).isEqualTo(DiskFormat.VMDK_STREAM_OPTIMIZED);
        assertThat(vmdk.virtualSize()).isEqualTo(8L << 20);
    }

    @Test
    void aChunkedImageIsProbedByItsFirstChunk() throws Exception {
        byte[] qcow2 = Files.readAllBytes(QemuImg.require().create(dir, "d.qcow2", "qcow2", "4M"));
        int half = qcow2.length / 2;
        DiskHeader first = Probing.probe("d.qcow2.000000000", java.util.Arrays.copyOf(qcow2, half));
        assertThat(first).isEqualTo(DiskHeader.of(DiskFormat.QCOW2, FOUR_MIB));
        assertThat(Probing.probe("d.qcow2.000000001", java.util.Arrays.copyOfRange(qcow2, half, qcow2.length)))
                .isNull();
    }

    /** The disk.header failures of one probed file, by message. */
    static java.util.List<String> fails(DiskHeader header, String name) {
        Map<String, DiskHeader> headers = new LinkedHashMap<>();
        headers.put(name, header);
        return DiskHeaderChecks.check(headers, Set.of(name)).stream().filter(CheckResult::failed)
                .peek(c -> assertThat(c.file()).isEqualTo(name)).map(CheckResult::message).toList();
    }
}
