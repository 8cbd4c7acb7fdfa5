package org.ovaflow.disk.vhd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.ovaflow.disk.FileImageSink;
import org.ovaflow.disk.FileImageSource;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.Zeros;
import org.ovaflow.disk.testing.CountingSource;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.disk.testing.TestDisks;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ovaflow.disk.vhd.VhdTestFiles.readVhd;
import static org.ovaflow.disk.vhd.VhdTestFiles.writeVhd;

/** The VHD reader on images qemu-img wrote, the writer checked by qemu-img, and round trips without it. */
class VhdCodecIT {

    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "subformat={0}, force_size={1}")
    @CsvSource({"dynamic, off", "dynamic, on", "fixed, off", "fixed, on"})
    void readsWhatQemuImgWrote(String subformat, String forceSize) throws Exception {
        QemuImg qemu = QemuImg.require();
        Path in = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 11);
        Path vhd = dir.resolve("in.vhd");
        qemu.convert(in, "raw", vhd, "vpc", "-o", "subformat=" + subformat + ",force_size=" + forceSize);
        Path out = dir.resolve("out.raw");

        long virtualSize = readVhd(vhd, out);

        // without force_size qemu rounds the size up to a CHS geometry; the reader must see the size qemu sees
        assertThat(virtualSize).isEqualTo(qemu.virtualSize(vhd, "vpc"));
        if (forceSize.equals("on")) {
            assertThat(virtualSize).isEqualTo(TestDisks.ODD_SIZE);
        }
        qemu.assertSameContent(in, "raw", out, "raw");
        qemu.assertSameContent(vhd, "vpc", out, "raw");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dynamic", "fixed"})
    void readsAnEmptyDiskQemuImgWroteAsNoData(String subformat) throws Exception {
        QemuImg qemu = QemuImg.require();
        Path in = TestDisks.empty(dir.resolve("empty.raw"), 64 * MIB);
        Path vhd = dir.resolve("empty.vhd");
        qemu.convert(in, "raw", vhd, "vpc", "-o", "subformat=" + subformat);

        try (FileImageSource source = new FileImageSource(vhd);
             VhdReader reader = VhdReader.open(source, ReadOptions.defaults())) {
            assertThat(reader.virtualSize()).isEqualTo(qemu.virtualSize(vhd, "vpc"));
            assertThat(reader.next()).isNull();
        }
    }

    @Test
    void readsTheBlocksOfADynamicDiskWithOneDataStream() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path in = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 12);
        Path vhd = dir.resolve("in.vhd");
        qemu.convert(in, "raw", vhd, "vpc", "-o", "subformat=dynamic,force_size=on");

        try (CountingSource source = new CountingSource(new FileImageSource(vhd))) {
            readVhd(source, dir.resolve("out.raw"));
            // footer at the end, footer copy, dynamic header, BAT, then the blocks in one forward stream
            assertThat(source.opens).isEqualTo(5);
        }
    }

    @ParameterizedTest(name = "dynamic={0}, roundToMiB={1}")
    @CsvSource({"true, false", "true, true", "false, false", "false, true"})
    void qemuImgReadsWhatTheWriterWrote(boolean dynamic, boolean roundToMiB) throws Exception {
        QemuImg qemu = QemuImg.require();
        Path in = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 13);
        Path vhd = dir.resolve("out.vhd");

        long declared = writeVhd(in, vhd, dynamic, roundToMiB);

        qemu.check(vhd, "vpc");
        long expected = roundToMiB ? (TestDisks.ODD_SIZE + MIB - 1) / MIB * MIB : TestDisks.ODD_SIZE;
        assertThat(declared).isEqualTo(expected);
        assertThat(qemu.virtualSize(vhd, "vpc")).isEqualTo(expected);
        if (roundToMiB) {
            assertThat(expected % MIB).isZero();
        }
        if (!dynamic) {
            assertThat(Files.size(vhd)).isEqualTo(expected + 512);
        }
        // the tail added by rounding reads as zeros, which compare accepts beyond the shorter image
        qemu.assertSameContent(in, "raw", vhd, "vpc");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anEmptyDiskIsWrittenWithoutBlocks(boolean dynamic) throws Exception {
        QemuImg qemu = QemuImg.require();
        Path in = TestDisks.empty(dir.resolve("empty.raw"), 64 * MIB);
        Path vhd = dir.resolve("empty.vhd");

        writeVhd(in, vhd, dynamic, false);

        qemu.check(vhd, "vpc");
        qemu.assertSameContent(in, "raw", vhd, "vpc");
        // dynamic: footer copy, header, a 32-entry BAT padded to a sector, footer; fixed: the data and a footer
        assertThat(Files.size(vhd)).isEqualTo(dynamic ? 512 + 1024 + 512 + 512 : 64 * MIB + 512);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void dataInTheVeryLastSectorOfAPartialBlockSurvives(boolean dynamic) throws Exception {
        QemuImg qemu = QemuImg.require();
        long size = 3 * MIB + 512;
        Path in = TestDisks.empty(dir.resolve("last.raw"), size);
        byte[] last = new byte[512];
        new Random(14).nextBytes(last);
        VhdTestFiles.put(in, size - 512, last);
        Path vhd = dir.resolve("last.vhd");

        writeVhd(in, vhd, dynamic, false);

        qemu.check(vhd, "vpc");
        assertThat(qemu.virtualSize(vhd, "vpc")).isEqualTo(size);
        qemu.assertSameContent(in, "raw", vhd, "vpc");
        Path back = dir.resolve("back.raw");
        readVhd(vhd, back);
        assertThat(Files.mismatch(in, back)).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void roundTripsWithoutQemuImg(boolean dynamic) throws Exception {
        Path in = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 15);
        Path vhd = dir.resolve("rt.vhd");
        Path out = dir.resolve("out.raw");

        writeVhd(in, vhd, dynamic, false);
        long virtualSize = readVhd(vhd, out);

        assertThat(virtualSize).isEqualTo(TestDisks.ODD_SIZE);
        assertThat(Files.mismatch(in, out)).isEqualTo(-1);
        if (dynamic) {
            // footer copy, header, a 21-entry BAT in one sector, a block for each 2 MiB holding data, footer
            long blockSize = 2 * MIB;
            assertThat(Files.size(vhd)).isEqualTo(512 + 1024 + 512 + blocksWithData(in, blockSize) * (blockSize + 512)
                    + 512);
        }
    }

    @Test
    void aBlockIsOpenedByItsFirstNonZeroWriteAndWrittenWhole() throws Exception {
        Path vhd = dir.resolve("streamed.vhd");
        Path expected = writeBlocksPiecemeal(vhd);
        Path back = dir.resolve("back.raw");

        readVhd(vhd, back);

        assertThat(Files.mismatch(expected, back)).isEqualTo(-1);
        // footer copy, header, a BAT of one sector, blocks 0 and 2 (block 1 held only zeros), footer
        assertThat(Files.size(vhd)).isEqualTo(512 + 1024 + 512 + 2 * (2 * MIB + 512) + 512);
    }

    @Test
    void qemuImgReadsBlocksWrittenPiecemeal() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path vhd = dir.resolve("streamed.vhd");
        Path expected = writeBlocksPiecemeal(vhd);

        qemu.check(vhd, "vpc");
        qemu.assertSameContent(expected, "raw", vhd, "vpc");
    }

    /**
     * Three blocks, the last one partial, written in pieces: block 0 a zero write, then data after a gap; block 1
     * only zeros, in the write that goes on into block 2's data; block 2 also its very last sector. A write
     * before the end of the previous one is refused. Returns the raw image that was written.
     */
    private Path writeBlocksPiecemeal(Path vhd) throws Exception {
        long size = 5 * MIB + 4096;
        int random = 2 * (int) MIB; // data[0, random) zeros, data[random, 2 * random) random bytes
        byte[] data = new byte[2 * random];
        new Random(17).nextBytes(data);
        Arrays.fill(data, 0, random, (byte) 0);
        try (VhdWriter writer = VhdWriter.dynamic(size, new FileImageSink(vhd), false)) {
            writer.write(0, data, 0, 4096);
            writer.write(MIB, data, random, 4096);
            writer.write(2 * MIB + 512, data, 512, random - 512 + 4096);
            assertThatThrownBy(() -> writer.write(MIB, data, random, 512)).isInstanceOf(IllegalArgumentException.class);
            writer.write(size - 512, data, random, 512);
            writer.finish();
        }
        Path expected = TestDisks.empty(dir.resolve("expected.raw"), size);
        VhdTestFiles.put(expected, MIB, Arrays.copyOfRange(data, random, random + 4096));
        VhdTestFiles.put(expected, 4 * MIB, Arrays.copyOfRange(data, random, random + 4096));
        VhdTestFiles.put(expected, size - 512, Arrays.copyOfRange(data, random, random + 512));
        return expected;
    }

    private static long blocksWithData(Path raw, long blockSize) throws Exception {
        long count = 0;
        try (FileChannel channel = FileChannel.open(raw, StandardOpenOption.READ)) {
            ByteBuffer block = ByteBuffer.allocate((int) blockSize);
            for (long at = 0; at < channel.size(); at += blockSize) {
                block.clear();
                channel.read(block, at);
                if (!Zeros.allZero(block.array(), 0, block.position())) {
                    count++;
                }
            }
        }
        return count;
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void roundingToMiBOnlyAddsZerosAtTheEnd(boolean dynamic) throws Exception {
        Path in = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 16);
        Path vhd = dir.resolve("rt.vhd");
        Path out = dir.resolve("out.raw");

        writeVhd(in, vhd, dynamic, true);
        long virtualSize = readVhd(vhd, out);

        assertThat(virtualSize).isEqualTo(41 * MIB);
        assertThat(Files.size(out)).isEqualTo(41 * MIB);
        assertThat(Files.mismatch(in, out)).isEqualTo(TestDisks.ODD_SIZE);
        try (FileChannel channel = FileChannel.open(out, StandardOpenOption.READ)) {
            ByteBuffer tail = ByteBuffer.allocate((int) (41 * MIB - TestDisks.ODD_SIZE));
            channel.read(tail, TestDisks.ODD_SIZE);
            assertThat(tail.array()).containsOnly((byte) 0);
        }
    }

    @Test
    void theSizeRuleIsQemusCreatorTable() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path in = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 17);
        Path vhd = dir.resolve("vpc.vhd");
        writeVhd(in, vhd, true, false);
        VhdGeometry geometry = VhdGeometry.of(TestDisks.ODD_SIZE / 512);
        assertThat(geometry.sectors() * 512).isLessThan(TestDisks.ODD_SIZE);

        // Virtual PC's creator: qemu takes the geometry, which rounds this size down
        VhdTestFiles.patchFooters(vhd, 28, "vpc ".getBytes(StandardCharsets.US_ASCII));
        Path out = dir.resolve("out.raw");
        assertThat(readVhd(vhd, out)).isEqualTo(geometry.sectors() * 512).isEqualTo(qemu.virtualSize(vhd, "vpc"));
        qemu.assertSameContent(vhd, "vpc", out, "raw");

        // Hyper-V's creator: the current size
        VhdTestFiles.patchFooters(vhd, 28, "win ".getBytes(StandardCharsets.US_ASCII));
        assertThat(readVhd(vhd, dir.resolve("out2.raw"))).isEqualTo(TestDisks.ODD_SIZE)
                .isEqualTo(qemu.virtualSize(vhd, "vpc"));

        // an untrusted creator with the largest geometry: the current size, too
        VhdTestFiles.patchFooters(vhd, 28, "vpc ".getBytes(StandardCharsets.US_ASCII));
        VhdTestFiles.patchFooters(vhd, 56, VhdTestFiles.intBytes(0xffff10ff));
        assertThat(readVhd(vhd, dir.resolve("out3.raw"))).isEqualTo(TestDisks.ODD_SIZE)
                .isEqualTo(qemu.virtualSize(vhd, "vpc"));
    }

    @Test
    void theGeometryIsTheSpecsAlgorithm() {
        // values of the spec's algorithm: small disks use 17 sectors a track, larger ones 31 or 63, then 255
        assertThat(VhdGeometry.of(40 * 2048)).isEqualTo(new VhdGeometry(963, 5, 17));
        assertThat(VhdGeometry.of(127L * 1024 * 2048)).isEqualTo(new VhdGeometry(65278, 16, 255));
        assertThat(VhdGeometry.of(2040L * 1024 * 2048)).isEqualTo(new VhdGeometry(65535, 16, 255));
        assertThat(VhdGeometry.of(4L * 1024 * 2048)).isEqualTo(new VhdGeometry(8322, 16, 63));
    }
}
