package org.ovaflow.disk.qcow2;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.disk.Conversion;
import org.ovaflow.disk.FileImageSink;
import org.ovaflow.disk.FileImageSource;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.raw.RawReader;
import org.ovaflow.disk.raw.RawWriter;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.disk.testing.TestDisks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Images Qcow2Writer writes: checked and compared by qemu-img, and read back by Qcow2Reader. */
class Qcow2WriterIT {

    private static final long MIB = 1024 * 1024;
    private static final int CLUSTER = Qcow2Writer.CLUSTER_SIZE;

    @TempDir
    Path dir;

    @Test
    void qemuFindsNoErrorsNoLeaksAndTheSameDisk() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path in = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 21);
        Path out = writeFromRaw(in);
        qemu.check(out, "qcow2");
        qemu.assertSameContent(in, "raw", out, "qcow2");
        assertThat(qemu.virtualSize(out, "qcow2")).isEqualTo(TestDisks.ODD_SIZE);
    }

    @Test
    void anEmptyDiskIsHeaderTablesAndRefcountsOnly() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path in = TestDisks.empty(dir.resolve("empty.raw"), TestDisks.ODD_SIZE);
        Path out = writeFromRaw(in);
        qemu.check(out, "qcow2");
        qemu.assertSameContent(in, "raw", out, "qcow2");
        // header, L1 table, refcount table, one refcount block
        assertThat(Files.size(out)).isEqualTo(4L * CLUSTER);
    }

    @Test
    void dataAcrossSeveralL2RegionsAndInTheLastSector() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path in = sparseDiskOverRegions(dir.resolve("regions.raw"));
        Path out = writeFromRaw(in);
        qemu.check(out, "qcow2");
        qemu.assertSameContent(in, "raw", out, "qcow2");
    }

    @Test
    void moreThanOneRefcountBlock() throws Exception {
        // a refcount block counts 32768 clusters, 2 GiB of file: just over that needs two
        QemuImg qemu = QemuImg.require();
        long size = 2048 * MIB + MIB + 512;
        Path out = dir.resolve("big.qcow2");
        byte[] stamp = new byte[8];
        try (Qcow2Writer writer = new Qcow2Writer(size, new FileImageSink(out))) {
            for (long at = 0; at < size; at += CLUSTER) {
                ByteBuffer.wrap(stamp).putLong(0, at + 1);
                writer.write(at, stamp, 0, 8);
            }
            writer.finish();
        }
        assertThat(Files.size(out)).isGreaterThan(2048 * MIB);
        // the refcounts are what this is about: every cluster counted once, the second block included
        qemu.check(out, "qcow2");
    }

    @Test
    void roundTripWithoutQemu() throws Exception {
        Path in = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 22);
        assertThat(Files.mismatch(in, readToRaw(writeFromRaw(in)))).isEqualTo(-1);
        Path regions = sparseDiskOverRegions(dir.resolve("regions.raw"));
        assertThat(Files.mismatch(regions, readToRaw(writeFromRaw(regions)))).isEqualTo(-1);
    }

    @Test
    void zeroClustersStayUnallocated() throws Exception {
        Path out = dir.resolve("zeros.qcow2");
        try (Qcow2Writer writer = new Qcow2Writer(8 * MIB, new FileImageSink(out))) {
            writer.write(0, new byte[4 * (int) MIB], 0, 4 * (int) MIB);
            byte[] one = new byte[1000];
            one[999] = 7;
            writer.write(5 * MIB + 10, one, 0, one.length);
            writer.finish();
        }
        // header, L1, one data cluster, one L2 table, refcount table and block
        assertThat(Files.size(out)).isEqualTo(6L * CLUSTER);
        try (FileImageSource source = new FileImageSource(out);
             Qcow2Reader reader = Qcow2Reader.open(source, ReadOptions.defaults())) {
            var chunk = reader.next();
            assertThat(chunk.offset()).isEqualTo(5 * MIB);
            assertThat(chunk.length()).isEqualTo(CLUSTER);
            assertThat(chunk.data()[10 + 999]).isEqualTo((byte) 7);
            assertThat(reader.next()).isNull();
        }
    }

    @Test
    void aSizeThatIsNotAWholeSectorIsKeptExactly() throws Exception {
        long size = MIB + 100;
        Path out = dir.resolve("odd.qcow2");
        byte[] tail = new byte[100];
        new Random(5).nextBytes(tail);
        try (Qcow2Writer writer = new Qcow2Writer(size, new FileImageSink(out))) {
            writer.write(MIB, tail, 0, tail.length);
            writer.finish();
        }
        try (FileImageSource source = new FileImageSource(out);
             Qcow2Reader reader = Qcow2Reader.open(source, ReadOptions.defaults())) {
            assertThat(reader.virtualSize()).isEqualTo(size);
            var chunk = reader.next();
            assertThat(chunk.offset()).isEqualTo(MIB);
            assertThat(chunk.length()).isEqualTo(100);
            assertThat(java.util.Arrays.copyOf(chunk.data(), 100)).isEqualTo(tail);
        }
        // what qemu makes of it (documented in Qcow2Writer): the size rounded down to a whole sector
        QemuImg qemu = QemuImg.require();
        qemu.check(out, "qcow2");
        assertThat(qemu.virtualSize(out, "qcow2")).isEqualTo(MIB);
    }

    @Test
    void anUnfinishedImageLeavesNoFile() throws Exception {
        Path out = dir.resolve("abandoned.qcow2");
        try (Qcow2Writer writer = new Qcow2Writer(8 * MIB, new FileImageSink(out))) {
            writer.write(0, new byte[] {1, 2, 3}, 0, 3);
        }
        assertThat(Files.exists(out)).isFalse();
        assertThat(Files.exists(dir.resolve("abandoned.qcow2.partial"))).isFalse();
    }

    @Test
    void writesMustAscend() throws Exception {
        try (Qcow2Writer writer = new Qcow2Writer(8 * MIB, new FileImageSink(dir.resolve("x.qcow2")))) {
            writer.write(MIB, new byte[10], 0, 10);
            assertThatThrownBy(() -> writer.write(0, new byte[10], 0, 10)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> writer.write(8 * MIB, new byte[10], 0, 10))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** 1 GiB + 2 sectors (three L2 regions), data across the first 512 MiB boundary and in the last sector. */
    private static Path sparseDiskOverRegions(Path file) throws IOException {
        long size = 1024 * MIB + 1024;
        Random random = new Random(3);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            for (long at : new long[] {0, 512 * MIB - 3000, 1024 * MIB - 70_000, size - 512}) {
                byte[] bytes = new byte[(int) Math.min(200_000, size - at)];
                random.nextBytes(bytes);
                out.write(ByteBuffer.wrap(bytes), at);
            }
            out.truncate(size);
        }
        return file;
    }

    private Path writeFromRaw(Path raw) throws IOException {
        Path out = dir.resolve(raw.getFileName() + ".qcow2");
        try (FileImageSource source = new FileImageSource(raw);
             RawReader reader = RawReader.open(source, ReadOptions.defaults());
             Qcow2Writer writer = new Qcow2Writer(reader.virtualSize(), new FileImageSink(out))) {
            Conversion.copy(reader, List.of(writer));
        }
        return out;
    }

    private Path readToRaw(Path image) throws IOException {
        Path out = dir.resolve(image.getFileName() + ".out.raw");
        try (FileImageSource source = new FileImageSource(image);
             Qcow2Reader reader = Qcow2Reader.open(source, ReadOptions.defaults());
             RawWriter writer = new RawWriter(reader.virtualSize(), new FileImageSink(out))) {
            Conversion.copy(reader, List.of(writer));
        }
        return out;
    }
}
