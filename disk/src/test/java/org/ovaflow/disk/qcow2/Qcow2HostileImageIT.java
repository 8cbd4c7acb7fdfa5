package org.ovaflow.disk.qcow2;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.disk.DiskImageReader;
import org.ovaflow.disk.FileImageSource;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.testing.HostileDisks;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.disk.testing.TestDisks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Images qemu-img wrote, then patched to be corrupt or hostile: each is refused with its check id, before
 * or while reading, and never with another exception.
 */
class Qcow2HostileImageIT {

    private static final long COPIED = 1L << 63;
    private static final long COMPRESSED = 1L << 62;
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;

    // ---- refused features

    @Test
    void backingFile() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path base = dir.resolve("base.qcow2");
        qemu.create(base, "qcow2", 8 * MIB);
        Path overlay = dir.resolve("overlay.qcow2");
        qemu.create(overlay, "qcow2", 8 * MIB, "-b", base.toString(), "-F", "qcow2");
        assertRefused(overlay, "disk.qcow2.backing-file");
    }

    @Test
    void externalDataFile() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path image = dir.resolve("external.qcow2");
        qemu.create(image, "qcow2", 8 * MIB, "-o", "data_file=" + dir.resolve("external.data"));
        assertRefused(image, "disk.qcow2.external-data-file");
    }

    @Test
    void encryption() throws Exception {
        assertRefused(patched().putInt(32, 1).file(), "disk.qcow2.encrypted");
    }

    @Test
    void corruptBit() throws Exception {
        assertRefused(patched().putLong(72, 1L << 1).file(), "disk.qcow2.corrupt");
    }

    @Test
    void theDirtyBitIsFine() throws Exception {
        Qcow2Patcher image = patched().putLong(72, 1L);
        try (FileImageSource source = new FileImageSource(image.file());
             Qcow2Reader reader = Qcow2Reader.open(source, ReadOptions.defaults())) {
            assertThat(drain(reader)).isPositive();
        }
    }

    @Test
    void zstdCompression() throws Exception {
        Qcow2Patcher image = patched().putLong(72, 1L << 3);
        image.putBytes(104, new byte[] {1});
        assertRefused(image.file(), "disk.qcow2.compression-type");
    }

    @Test
    void extendedL2Entries() throws Exception {
        assertRefused(patched().putLong(72, 1L << 4).file(), "disk.qcow2.extended-l2");
    }

    @Test
    void unknownIncompatibleFeature() throws Exception {
        assertRefused(patched().putLong(72, 1L << 5).file(), "disk.qcow2.incompatible-feature");
        assertRefused(patched().putLong(72, 1L << 63).file(), "disk.qcow2.incompatible-feature");
    }

    // ---- header fields

    @Test
    void notQcow2() throws Exception {
        assertRefused(patched().putInt(0, 0x4b444d56).file(), "disk.qcow2.magic");
        assertRefused(patched().putInt(4, 4).file(), "disk.qcow2.version");
        assertRefused(patched().putInt(4, 1).file(), "disk.qcow2.version");
        assertRefused(patched().truncate(50).file(), "disk.qcow2.truncated");
        assertRefused(patched().putInt(100, 72).file(), "disk.qcow2.header");
    }

    @Test
    void clusterBits() throws Exception {
        assertRefused(patched().putInt(20, 30).file(), "disk.qcow2.cluster-bits");
        assertRefused(patched().putInt(20, 8).file(), "disk.qcow2.cluster-bits");
        assertRefused(patched().putInt(20, -1).file(), "disk.qcow2.cluster-bits");
    }

    @Test
    void virtualSizeOverTheLimitBeforeAnyData() throws Exception {
        Path image = patched().file();
        assertRefused(image, new ReadOptions(TestDisks.ODD_SIZE - 512, name -> Optional.empty()),
                "disk.qcow2.virtual-size");
        assertRefused(patched().putLong(24, 1L << 60).file(), "disk.qcow2.virtual-size");
        assertRefused(patched().putLong(24, -512).file(), "disk.qcow2.virtual-size");
        assertRefused(patched().putLong(24, 0).file(), "disk.qcow2.virtual-size");
    }

    @Test
    void l1Size() throws Exception {
        assertRefused(patched().putInt(36, 0xffff_ffff).file(), "disk.qcow2.l1-size");
        assertRefused(patched().putInt(36, 5_000_000).file(), "disk.qcow2.l1-size");
        // 4 KiB clusters: an L2 table maps 2 MiB, a 40 MiB disk needs 21 entries
        assertRefused(patched().putInt(36, 20).file(), "disk.qcow2.l1-size");
        // a virtual size within the limit that 512-byte clusters cannot map with qemu's largest L1 table
        assertRefused(patched().putInt(20, 9).putLong(24, 1L << 40).file(), "disk.qcow2.l1-size");
    }

    @Test
    void l1TablePlacement() throws Exception {
        Qcow2Patcher image = patched();
        assertRefused(patched().putLong(40, image.l1TableOffset() + 512).file(), "disk.qcow2.l1-table");
        assertRefused(patched().putLong(40, 0).file(), "disk.qcow2.l1-table");
        assertRefused(patched().putLong(40, image.size() + 4096).file(), "disk.qcow2.l1-table");
        assertRefused(patched().putLong(40, -4096).file(), "disk.qcow2.l1-table");
        // the table itself must lie inside the file, not only its start
        assertRefused(patched().putLong(40, (image.size() - 4096) / 4096 * 4096).putInt(36, 10_000).file(),
                "disk.qcow2.l1-table");
        assertRefused(patched().truncate(image.l1TableOffset() + 8).file(), "disk.qcow2.l1-table");
    }

    @Test
    void refcountTablePlacement() throws Exception {
        Qcow2Patcher image = patched();
        assertRefused(patched().putLong(48, image.refcountTableOffset() + 8).file(), "disk.qcow2.refcount-table");
        assertRefused(patched().putLong(48, 0).file(), "disk.qcow2.refcount-table");
        assertRefused(patched().putInt(56, 0x7fff_ffff).file(), "disk.qcow2.refcount-table");
        assertRefused(patched().putLong(48, image.l1TableOffset()).file(), "disk.qcow2.refcount-table");
    }

    // ---- L1 entries

    @Test
    void l1EntryPastTheEndOfTheFile() throws Exception {
        Qcow2Patcher image = patched();
        long past = (image.size() / 4096 + 10) * 4096;
        assertRefused(image.putLong(image.l1TableOffset(), COPIED | past).file(), "disk.qcow2.l2-table");
    }

    @Test
    void l1EntryUnaligned() throws Exception {
        Qcow2Patcher image = patched();
        assertRefused(image.putLong(image.l1TableOffset(), COPIED | (image.l2Table(0) + 512)).file(),
                "disk.qcow2.l2-table");
    }

    @Test
    void l1EntryIntoTheL1OrRefcountTable() throws Exception {
        Qcow2Patcher image = patched();
        assertRefused(patched().putLong(image.l1TableOffset(), COPIED | image.l1TableOffset()).file(),
                "disk.qcow2.l2-table");
        assertRefused(patched().putLong(image.l1TableOffset(), COPIED | image.refcountTableOffset()).file(),
                "disk.qcow2.l2-table");
    }

    @Test
    void theSameL2TableForTwoL1Entries() throws Exception {
        Qcow2Patcher image = patched();
        assertThat(image.l2Table(0)).isNotZero();
        assertRefused(image.putLong(image.l1TableOffset() + 8, image.l1Entry(0)).file(), "disk.qcow2.l2-table");
    }

    // ---- L2 entries (standard clusters)

    @Test
    void l2EntryIntoTheL1Table() throws Exception {
        Qcow2Patcher image = patched();
        assertRefused(image.putLong(image.firstStandardEntry(), COPIED | image.l1TableOffset()).file(),
                "disk.qcow2.data-cluster");
    }

    @Test
    void l2EntryIntoTheRefcountTable() throws Exception {
        Qcow2Patcher image = patched();
        assertRefused(image.putLong(image.firstStandardEntry(), COPIED | image.refcountTableOffset()).file(),
                "disk.qcow2.data-cluster");
    }

    @Test
    void l2EntryIntoItsOwnOrAnotherL2Table() throws Exception {
        Qcow2Patcher image = patched();
        assertRefused(patched().putLong(image.firstStandardEntry(), COPIED | image.l2Table(0)).file(),
                "disk.qcow2.data-cluster");
        assertThat(image.l2Table(5)).isNotZero();
        assertRefused(patched().putLong(image.firstStandardEntry(), COPIED | image.l2Table(5)).file(),
                "disk.qcow2.data-cluster");
    }

    @Test
    void l2EntryUnaligned() throws Exception {
        Qcow2Patcher image = patched();
        long at = image.firstStandardEntry();
        assertRefused(image.putLong(at, image.readLong(at) + 512).file(), "disk.qcow2.data-cluster");
    }

    @Test
    void l2EntryPastTheEndOfTheFile() throws Exception {
        Qcow2Patcher image = patched();
        long past = (image.size() / 4096 + 10) * 4096;
        assertRefused(image.putLong(image.firstStandardEntry(), COPIED | past).file(), "disk.qcow2.data-cluster");
    }

    @Test
    void aTruncatedFile() throws Exception {
        Qcow2Patcher image = patched();
        long dataAt = image.readLong(image.firstStandardEntry()) & 0x00ff_ffff_ffff_fe00L;
        assertRefused(image.truncate(dataAt).file(), List.of("disk.qcow2.data-cluster", "disk.qcow2.l2-table"));
    }

    // ---- compressed clusters

    @Test
    void compressedClusterIntoTheHeader() throws Exception {
        Qcow2Patcher image = compressed();
        long at = image.firstCompressedEntry();
        assertRefused(image.putLong(at, COMPRESSED | 64).file(), "disk.qcow2.compressed-cluster");
    }

    @Test
    void compressedClusterIntoAnL2Table() throws Exception {
        Qcow2Patcher image = compressed();
        long at = image.firstCompressedEntry();
        assertRefused(image.putLong(at, COMPRESSED | (image.l2Table(0) + 100)).file(), "disk.qcow2.compressed-cluster");
    }

    @Test
    void compressedClusterPastTheEndOfTheFile() throws Exception {
        Qcow2Patcher image = compressed();
        long at = image.firstCompressedEntry();
        assertRefused(image.putLong(at, COMPRESSED | (image.size() + 1000)).file(), "disk.qcow2.compressed-cluster");
    }

    @Test
    void compressedClusterWithAnAbsurdSize() throws Exception {
        Qcow2Patcher image = compressed();
        long at = image.firstCompressedEntry();
        // 64 KiB clusters: the host offset has 54 bits, the sector count the 8 above; all ones is 128 KiB
        long offset = image.size() - 1024;
        assertRefused(image.putLong(at, COMPRESSED | (0xffL << 54) | offset).file(), "disk.qcow2.compressed-cluster");
    }

    @Test
    void compressedClusterThatIsNotDeflate() throws Exception {
        Qcow2Patcher image = compressed();
        long entry = image.readLong(image.firstCompressedEntry());
        long offset = entry & ((1L << 54) - 1);
        byte[] garbage = new byte[256];
        java.util.Arrays.fill(garbage, (byte) 0xff);
        assertRefused(image.putBytes(offset, garbage).file(), "disk.qcow2.compressed-cluster");
    }

    @Test
    void compressedClusterThatInflatesShort() throws Exception {
        Qcow2Patcher image = compressed();
        long entry = image.readLong(image.firstCompressedEntry());
        long offset = entry & ((1L << 54) - 1);
        // a final stored block of 3 bytes: valid deflate, far less than a cluster
        assertRefused(image.putBytes(offset, new byte[] {1, 3, 0, (byte) 0xfc, (byte) 0xff, 'a', 'b', 'c'}).file(),
                "disk.qcow2.compressed-cluster");
    }

    /** A fresh copy of a qemu-img image with 4 KiB clusters (21 L2 tables for the 40 MiB disk). */
    private Qcow2Patcher patched() throws IOException {
        Path good = dir.resolve("good-4k.qcow2");
        if (!good.toFile().exists()) {
            QemuImg qemu = QemuImg.require();
            Path raw = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 11);
            qemu.convert(raw, "raw", good, "qcow2", "-o", "cluster_size=4096");
        }
        return Qcow2Patcher.copy(good, dir.resolve("hostile-" + System.nanoTime() + ".qcow2"));
    }

    /** A fresh copy of a compressed qemu-img image (64 KiB clusters). */
    private Qcow2Patcher compressed() throws IOException {
        Path good = dir.resolve("good-compressed.qcow2");
        if (!good.toFile().exists()) {
            QemuImg qemu = QemuImg.require();
            Path raw = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 12);
            qemu.convert(raw, "raw", good, "qcow2", "-c");
        }
        return Qcow2Patcher.copy(good, dir.resolve("hostile-" + System.nanoTime() + ".qcow2"));
    }

    private void assertRefused(Path image, String check) {
        assertRefused(image, ReadOptions.defaults(), List.of(check));
    }

    private void assertRefused(Path image, List<String> checks) {
        assertRefused(image, ReadOptions.defaults(), checks);
    }

    private void assertRefused(Path image, ReadOptions options, String check) {
        assertRefused(image, options, List.of(check));
    }

    /** Opening and reading the whole image fails with one of {@code checks}, and with nothing else. */
    private void assertRefused(Path image, ReadOptions options, List<String> checks) {
        HostileDisks.refused(image, options, checks.get(0));
        assertThatThrownBy(() -> {
            try (FileImageSource source = new FileImageSource(image);
                 Qcow2Reader reader = Qcow2Reader.open(source, options)) {
                drain(reader);
            }
        }).isInstanceOfSatisfying(InvalidDiskImageException.class, e -> assertThat(e.check()).isIn(checks));
    }

    private static long drain(DiskImageReader reader) throws IOException {
        long data = 0;
        for (DiskImageReader.Chunk chunk = reader.next(); chunk != null; chunk = reader.next()) {
            data += chunk.length();
        }
        return data;
    }
}
