package org.ovaflow.disk.vmdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.disk.AllocationMap;
import org.ovaflow.disk.Conversion;
import org.ovaflow.disk.DiskImageReader;
import org.ovaflow.disk.DiskImages;
import org.ovaflow.disk.FileImageSink;
import org.ovaflow.disk.FileImageSource;
import org.ovaflow.disk.GzipImageSource;
import org.ovaflow.disk.ImageSource;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.TargetFormat;
import org.ovaflow.disk.raw.RawReader;
import org.ovaflow.disk.testing.ForwardingSink;
import org.ovaflow.disk.testing.TestDisks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ovaflow.disk.vmdk.SparseExtentHeader.SECTOR;

/**
 * A streamOptimized VMDK's grain tables read ahead of its stream, and the qcow2 file planned from them: written
 * front to back, never patched, its length told first, and the same disk as the source for qemu-img.
 */
class PlannedQcow2IT {

    private static final int GRAIN = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void qemuImgsLayoutWithItsTablesInTheHead() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path raw = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 5);
        Path vmdk = dir.resolve("qemu.vmdk");
        qemu.convert(raw, "raw", vmdk, "vmdk", "-o", "subformat=streamOptimized");

        assertPlannedSameDisk(qemu, raw, vmdk);
    }

    @Test
    void vmwaresLayoutWithTheDirectoryFoundThroughTheFooter() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path raw = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 9);
        Path vmdk = ovaflowVmdk(raw, dir.resolve("vmware.vmdk"));
        // the header says "at the end": only the footer names the directory, each table follows its grains
        VmdkTestImages.patchLong(vmdk, 56, SparseExtentHeader.GD_AT_END);

        assertPlannedSameDisk(qemu, raw, vmdk);
    }

    @Test
    void aGrainTheTablesAllocateWithoutDataInTheStreamIsWrittenAsZeros() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path raw = dir.resolve("in.raw");
        try (FileChannel file = FileChannel.open(raw, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.wrap(VmdkTestImages.filled(1024 * 1024, 0x5a)), 0);
            file.truncate(8L * 1024 * 1024);
            file.write(ByteBuffer.wrap(new byte[1]), 8L * 1024 * 1024 - 1);
        }
        Path vmdk = ovaflowVmdk(raw, dir.resolve("zeros.vmdk"));
        // grain 100 (past the data) named by its table, pointing at grain 0's marker: the stream has nothing there
        long table = firstTable(vmdk);
        int grain0 = ByteBuffer.wrap(Files.readAllBytes(vmdk), (int) (table * SECTOR), 4)
                .order(ByteOrder.LITTLE_ENDIAN).getInt();
        VmdkTestImages.patchInt(vmdk, table * SECTOR + 100 * 4, grain0);

        Path qcow2 = assertPlannedSameDisk(qemu, raw, vmdk);
        // 16 grains of data and the named one: 17 data clusters besides the header, tables and refcounts
        assertThat(Files.size(qcow2)).isEqualTo((17 + 5) * (long) GRAIN);
    }

    @Test
    void dataTheTablesDoNotNameRefusesTheImage() throws Exception {
        Path raw = TestDisks.patterned(dir.resolve("in.raw"), 8L * 1024 * 1024, 4);
        Path vmdk = ovaflowVmdk(raw, dir.resolve("lying.vmdk"));
        // its first table's first entry cleared: the stream still holds grain 0
        VmdkTestImages.patchInt(vmdk, firstTable(vmdk) * SECTOR, 0);

        assertThatThrownBy(() -> convertPlanned(vmdk, dir.resolve("lying.qcow2"), new Recording(dir.resolve("x"))))
                .isInstanceOf(InvalidDiskImageException.class)
                .satisfies(e -> assertThat(((InvalidDiskImageException) e).check()).isEqualTo("disk.vmdk.grain-table"))
                .hasMessageContaining("lying.vmdk holds data at byte 0 of the disk, where its tables allocate nothing");
    }

    @Test
    void aSourceReadOnlyForwardGivesNoMap() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path raw = TestDisks.patterned(dir.resolve("in.raw"), 4L * 1024 * 1024, 6);
        Path vmdk = dir.resolve("in.vmdk");
        qemu.convert(raw, "raw", vmdk, "vmdk", "-o", "subformat=streamOptimized");
        Path gz = VmdkTestImages.gzip(vmdk, dir.resolve("in.vmdk.gz"));

        try (ImageSource source = new FileImageSource(gz);
             DiskImageReader reader = DiskImages.open(source, ReadOptions.defaults())) {
            assertThat(reader.allocation()).isEmpty();
        }
        try (ImageSource source = new FileImageSource(vmdk);
             DiskImageReader reader = DiskImages.open(source, ReadOptions.defaults())) {
            assertThat(reader.allocation()).isPresent();
        }
        try (ImageSource source = new GzipImageSource(new FileImageSource(gz));
             DiskImageReader reader = DiskImages.open(source, ReadOptions.defaults())) {
            assertThat(reader.allocation()).isEmpty();
        }
    }

    @Test
    void tablesThatAllocateNothingGiveNoPlanNotARefusal() throws Exception {
        Path raw = TestDisks.patterned(dir.resolve("in.raw"), 4L * 1024 * 1024, 8);
        Path vmdk = ovaflowVmdk(raw, dir.resolve("unfilled.vmdk"));
        // the directory in the head left as a writer that meant to fill it later would: all zeros
        long directory = 21L * SECTOR;
        VmdkTestImages.patch(vmdk, directory, new byte[SECTOR]);

        try (ImageSource source = new FileImageSource(vmdk);
             DiskImageReader reader = DiskImages.open(source, ReadOptions.defaults())) {
            assertThat(reader.allocation()).isEmpty();
        }
    }

    /** Converts {@code vmdk} to a planned qcow2 and checks it against {@code raw} with qemu-img; returns it. */
    private Path assertPlannedSameDisk(QemuImg qemu, Path raw, Path vmdk) throws IOException {
        Path qcow2 = dir.resolve(vmdk.getFileName() + ".qcow2");
        Recording sink = new Recording(qcow2);
        convertPlanned(vmdk, qcow2, sink);
        qemu.check(qcow2, "qcow2");
        qemu.assertSameContent(raw, "raw", qcow2, "qcow2");
        assertThat(sink.announced).isEqualTo(Files.size(qcow2));
        assertThat(sink.patched).isFalse();
        return qcow2;
    }

    private static void convertPlanned(Path vmdk, Path qcow2, Recording sink) throws IOException {
        try (ImageSource source = new FileImageSource(vmdk);
             DiskImageReader reader = DiskImages.open(source, ReadOptions.defaults())) {
            Optional<AllocationMap> allocation = reader.allocation();
            assertThat(allocation).as("the grain tables of " + vmdk.getFileName()).isPresent();
            try (var writer = DiskImages.writer(TargetFormat.QCOW2, reader.virtualSize(), sink, false,
                    qcow2.getFileName().toString(), allocation.get())) {
                Conversion.copy(reader, List.of(writer));
            }
        }
    }

    private static Path ovaflowVmdk(Path raw, Path vmdk) throws IOException {
        try (FileImageSource source = new FileImageSource(raw);
             RawReader reader = RawReader.open(source, ReadOptions.defaults());
             StreamOptimizedWriter writer = new StreamOptimizedWriter(reader.virtualSize(), new FileImageSink(vmdk))) {
            Conversion.copy(reader, List.of(writer));
        }
        return vmdk;
    }

    /** The sector of the first grain table: the first entry of the directory, which ovaflow puts at sector 21. */
    private static long firstTable(Path vmdk) throws IOException {
        return Integer.toUnsignedLong(ByteBuffer.wrap(Files.readAllBytes(vmdk), 21 * SECTOR, 4)
                .order(ByteOrder.LITTLE_ENDIAN).getInt());
    }

    /** A local file that records what the writer told it and whether it patched. */
    private static final class Recording extends ForwardingSink {
        long announced = -1;
        boolean patched;

        Recording(Path path) throws IOException {
            super(new FileImageSink(path));
        }

        @Override
        public void announceLength(long length) {
            announced = length;
        }

        @Override
        public void patch(long offset, byte[] bytes, int from, int length) throws IOException {
            patched = true;
            super.patch(offset, bytes, from, length);
        }
    }
}
