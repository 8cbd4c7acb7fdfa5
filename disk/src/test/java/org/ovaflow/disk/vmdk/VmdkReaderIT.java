package org.ovaflow.disk.vmdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.disk.FileImageSource;
import org.ovaflow.disk.GzipImageSource;
import org.ovaflow.disk.ImageSource;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.disk.testing.TestDisks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ovaflow.disk.vmdk.VmdkTestImages.GRAIN;
import static org.ovaflow.disk.vmdk.VmdkTestImages.SECTOR;
import static org.ovaflow.disk.vmdk.VmdkTestImages.descriptorText;
import static org.ovaflow.disk.vmdk.VmdkTestImages.filled;
import static org.ovaflow.disk.vmdk.VmdkTestImages.gzip;
import static org.ovaflow.disk.vmdk.VmdkTestImages.monolithicSparse;
import static org.ovaflow.disk.vmdk.VmdkTestImages.siblingsIn;
import static org.ovaflow.disk.vmdk.VmdkTestImages.toRaw;

/** Real VMDKs written by qemu-img, read back to raw and compared with the disk they were made from. */
class VmdkReaderIT {

    private static final long SIZE_8M = 8L * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void streamOptimizedOfAnOddSize() throws Exception {
        assertReadsBack("streamOptimized", TestDisks.ODD_SIZE, 11);
    }

    @Test
    void monolithicSparseOfAnOddSize() throws Exception {
        assertReadsBack("monolithicSparse", TestDisks.ODD_SIZE, 12);
    }

    @Test
    void streamOptimizedOfAnEmptyDisk() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path in = TestDisks.empty(dir.resolve("in.raw"), SIZE_8M);
        Path vmdk = dir.resolve("in.vmdk");
        qemu.convert(in, "raw", vmdk, "vmdk", "-o", "subformat=streamOptimized");
        Path out = read(vmdk, ReadOptions.defaults());
        assertThat(Files.size(out)).isEqualTo(SIZE_8M);
        assertThat(Files.mismatch(in, out)).isEqualTo(-1);
    }

    @Test
    void monolithicSparseOfAnEmptyDisk() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path in = TestDisks.empty(dir.resolve("in.raw"), SIZE_8M);
        Path vmdk = dir.resolve("in.vmdk");
        qemu.convert(in, "raw", vmdk, "vmdk", "-o", "subformat=monolithicSparse");
        assertThat(Files.mismatch(in, read(vmdk, ReadOptions.defaults()))).isEqualTo(-1);
    }

    @Test
    void gzipCompressedStreamOptimizedIsReadForward() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path in = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 13);
        Path vmdk = dir.resolve("disk.vmdk");
        qemu.convert(in, "raw", vmdk, "vmdk", "-o", "subformat=streamOptimized");
        Path gz = gzip(vmdk, dir.resolve("disk.vmdk.gz"));
        Path out = dir.resolve("out.raw");
        try (ImageSource source = new GzipImageSource(new FileImageSource(gz))) {
            toRaw(source, ReadOptions.defaults(), out);
        }
        assertThat(Files.mismatch(in, out)).isEqualTo(-1);
    }

    @Test
    void monolithicFlatReadsItsFlatFileFromThePackage() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path in = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 14);
        Path vmdk = dir.resolve("flat.vmdk");
        qemu.convert(in, "raw", vmdk, "vmdk", "-o", "subformat=monolithicFlat");
        assertThat(dir.resolve("flat-flat.vmdk")).exists();
        Path out = read(vmdk, siblingsIn(dir, "flat-flat.vmdk"));
        qemu.assertSameContent(in, "raw", out, "raw");
        assertThat(Files.mismatch(in, out)).isEqualTo(-1);
    }

    @Test
    void twoGbMaxExtentSparseReadsItsSparseExtentFromThePackage() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path in = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 15);
        Path vmdk = dir.resolve("split.vmdk");
        qemu.convert(in, "raw", vmdk, "vmdk", "-o", "subformat=twoGbMaxExtentSparse");
        Path out = read(vmdk, siblingsIn(dir, "split-s001.vmdk"));
        assertThat(Files.mismatch(in, out)).isEqualTo(-1);
    }

    /** Runs without qemu-img: a FLAT, a ZERO and a SPARSE extent, one after the other. */
    @Test
    void extentsOfSeveralKindsConcatenate() throws Exception {
        byte[] flat = filled(3 * SECTOR, 0x11);
        Files.write(dir.resolve("a.bin"), flat);
        TreeMap<Long, byte[]> grains = new TreeMap<>();
        grains.put(1L, filled(GRAIN, 0x22));
        monolithicSparse(dir.resolve("b.vmdk"), 4 * GRAIN / SECTOR, grains, "ffffffff");
        Files.write(dir.resolve("disk.vmdk"), descriptorText("custom", "ffffffff",
                "RW 2 FLAT \"a.bin\" 1\nRW 5 ZERO\nRDONLY " + (4 * GRAIN / SECTOR) + " SPARSE \"b.vmdk\""));

        byte[] out = Files.readAllBytes(read(dir.resolve("disk.vmdk"), siblingsIn(dir, "a.bin", "b.vmdk")));

        assertThat(out).hasSize(7 * SECTOR + 4 * GRAIN);
        byte[] expected = new byte[out.length];
        java.util.Arrays.fill(expected, 0, 2 * SECTOR, (byte) 0x11);
        java.util.Arrays.fill(expected, 7 * SECTOR + GRAIN, 7 * SECTOR + 2 * GRAIN, (byte) 0x22);
        assertThat(out).isEqualTo(expected);
    }

    private void assertReadsBack(String subformat, long size, long seed) throws IOException {
        QemuImg qemu = QemuImg.require();
        Path in = TestDisks.patterned(dir.resolve("in.raw"), size, seed);
        Path vmdk = dir.resolve("in.vmdk");
        qemu.convert(in, "raw", vmdk, "vmdk", "-o", "subformat=" + subformat);
        Path out = read(vmdk, ReadOptions.defaults());
        qemu.assertSameContent(in, "raw", out, "raw");
        assertThat(Files.mismatch(in, out)).isEqualTo(-1);
    }

    private Path read(Path vmdk, ReadOptions options) throws IOException {
        Path out = dir.resolve(vmdk.getFileName() + ".out.raw");
        try (ImageSource source = new FileImageSource(vmdk)) {
            return toRaw(source, options, out);
        }
    }
}
