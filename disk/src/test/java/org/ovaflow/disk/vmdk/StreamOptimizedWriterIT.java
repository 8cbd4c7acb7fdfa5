package org.ovaflow.disk.vmdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.disk.Conversion;
import org.ovaflow.disk.FileImageSink;
import org.ovaflow.disk.FileImageSource;
import org.ovaflow.disk.GzipImageSource;
import org.ovaflow.disk.ImageSink;
import org.ovaflow.disk.ImageSource;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.raw.RawReader;
import org.ovaflow.core.testing.ExternalTool;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.disk.testing.ForwardingSink;
import org.ovaflow.disk.testing.TestDisks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ovaflow.disk.vmdk.VmdkTestImages.gzip;
import static org.ovaflow.disk.vmdk.VmdkTestImages.patch;
import static org.ovaflow.disk.vmdk.VmdkTestImages.toRaw;

/** The streamOptimized writer, judged by qemu-img and by reading its output back. */
class StreamOptimizedWriterIT {

    @TempDir
    Path dir;

    @Test
    void qemuChecksAndComparesAPatternedDiskOfAnOddSize() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path in = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 21);
        Path out = write(in, dir.resolve("out.vmdk"));
        qemu.check(out, "vmdk");
        qemu.assertSameContent(in, "raw", out, "vmdk");
        assertThat(qemu.virtualSize(out, "vmdk")).isEqualTo(TestDisks.ODD_SIZE);
        assertThat(qemu.info(out, "vmdk")).contains("streamOptimized");
    }

    @Test
    void qemuReadsAnEmptyDisk() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path in = TestDisks.empty(dir.resolve("in.raw"), 64L * 1024 * 1024);
        Path out = write(in, dir.resolve("out.vmdk"));
        qemu.check(out, "vmdk");
        qemu.assertSameContent(in, "raw", out, "vmdk");
        // header, descriptor, the directory in the head and at the end, footer: no grain, no table
        assertThat(Files.size(out)).isLessThan(70 * 1024);
    }

    @Test
    void qemuReadsDataInTheVeryLastSector() throws Exception {
        QemuImg qemu = QemuImg.require();
        long size = 10L * 1024 * 1024 + 512;
        Path in = TestDisks.empty(dir.resolve("in.raw"), size);
        patch(in, size - 512, "the last sector".getBytes(StandardCharsets.US_ASCII));
        Path out = write(in, dir.resolve("out.vmdk"));
        qemu.check(out, "vmdk");
        qemu.assertSameContent(in, "raw", out, "vmdk");
    }

    /**
     * 500 GiB: a grain directory of 125 sectors in the head, which moves the first grain to sector 256. qemu-io
     * reads the sectors back (a qemu-img compare of 500 GiB takes half a minute).
     */
    @Test
    void qemuReadsADiskWhoseDirectoryPushesTheGrainsPastTheFirst64KiB() throws Exception {
        QemuImg qemu = QemuImg.require();
        String qemuIo = ExternalTool.require("qemu-io", "qemu-utils", "the qemu-io reads");
        long size = 500L * 1024 * 1024 * 1024;
        byte[] first = new byte[512];
        byte[] last = new byte[512];
        Arrays.fill(first, (byte) 0x5a);
        Arrays.fill(last, (byte) 0xa5);
        Path out = dir.resolve("out.vmdk");
        try (StreamOptimizedWriter writer = new StreamOptimizedWriter(size, new FileImageSink(out))) {
            writer.write(0, first, 0, 512);
            writer.write(size - 512, last, 0, 512);
            writer.finish();
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getLong(64)).isEqualTo(256);
        qemu.check(out, "vmdk");
        assertThat(qemu.virtualSize(out, "vmdk")).isEqualTo(size);
        String read = ExternalTool.run(null, List.of(qemuIo, "-r", "-f", "vmdk",
                "-c", "read -P 0x5a 0 512", "-c", "read -P 0 512 64M",
                "-c", "read -P 0 " + (size - 64 * 1024 * 1024) + " " + (64 * 1024 * 1024 - 512),
                "-c", "read -P 0xa5 " + (size - 512) + " 512", out.toString()), Duration.ofMinutes(1))
                .assertSuccess().output();
        assertThat(read).doesNotContain("fail").contains("read 512/512 bytes at offset " + (size - 512));
    }

    @Test
    void aSizeThatIsNoWholeNumberOfSectorsIsRoundedUp() throws Exception {
        Path out = dir.resolve("out.vmdk");
        try (StreamOptimizedWriter writer = new StreamOptimizedWriter(1000, new FileImageSink(out))) {
            writer.write(990, new byte[] {1, 2, 3}, 0, 3);
            writer.finish();
        }
        Path raw = dir.resolve("out.raw");
        try (ImageSource source = new FileImageSource(out)) {
            toRaw(source, ReadOptions.defaults(), raw);
        }
        byte[] expected = new byte[1024];
        expected[990] = 1;
        expected[991] = 2;
        expected[992] = 3;
        assertThat(Files.readAllBytes(raw)).isEqualTo(expected);
    }

    /** Runs without qemu-img: writer, then reader, byte for byte, from a file and from its gzip. */
    @Test
    void pureJavaRoundTrip() throws Exception {
        Path in = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 22);
        Path vmdk = write(in, dir.resolve("out.vmdk"));
        Path raw = dir.resolve("back.raw");
        try (ImageSource source = new FileImageSource(vmdk)) {
            toRaw(source, ReadOptions.defaults(), raw);
        }
        assertThat(Files.mismatch(in, raw)).isEqualTo(-1);

        Path fromGzip = dir.resolve("back-gz.raw");
        try (ImageSource source = new GzipImageSource(new FileImageSource(gzip(vmdk, dir.resolve("out.vmdk.gz"))))) {
            toRaw(source, ReadOptions.defaults(), fromGzip);
        }
        assertThat(Files.mismatch(in, fromGzip)).isEqualTo(-1);
    }

    /**
     * A grain whose Adler-32 is wrong is refused, unless a manifest digest verified the file's bytes: then the
     * weaker per-grain checksum is not computed again (the deflate data itself is still decoded and bounded).
     */
    @Test
    void aGrainsAdler32IsCheckedUnlessAManifestDigestVouchesForTheFile() throws Exception {
        Path in = TestDisks.patterned(dir.resolve("in.raw"), 4L * 1024 * 1024, 24);
        Path vmdk = write(in, dir.resolve("out.vmdk"));
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(vmdk)).order(ByteOrder.LITTLE_ENDIAN);
        long firstGrain = b.getLong(64) * 512; // overHead: where the first marker is
        int compressed = b.getInt((int) firstGrain + 8);
        long adler32 = firstGrain + 12 + compressed - 4;
        patch(vmdk, adler32, new byte[] {(byte) ~b.get((int) adler32)});

        try (ImageSource source = new FileImageSource(vmdk)) {
            assertThatThrownBy(() -> toRaw(source, ReadOptions.defaults(), dir.resolve("refused.raw")))
                    .isInstanceOfSatisfying(InvalidDiskImageException.class,
                            e -> assertThat(e.check()).isEqualTo("disk.vmdk.grain-data"));
        }
        Path raw = dir.resolve("back.raw");
        try (ImageSource source = new FileImageSource(vmdk)) {
            toRaw(source, ReadOptions.defaults().withDigestVerified(true), raw);
        }
        assertThat(Files.mismatch(in, raw)).isEqualTo(-1);
    }

    /**
     * The header names the grain directory in the head (Glance refuses "at the end"), filled in by the end; the
     * tail is VMware's: the directory again behind its marker, the footer naming it, the end-of-stream marker.
     */
    @Test
    void headerNamesTheDirectoryInTheHeadAndTheTailIsVmwares() throws Exception {
        Path in = TestDisks.patterned(dir.resolve("in.raw"), 40L * 1024 * 1024, 23);
        Path vmdk = write(in, dir.resolve("out.vmdk"));
        byte[] bytes = Files.readAllBytes(vmdk);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0)).isEqualTo(SparseExtentHeader.MAGIC);
        assertThat(b.getInt(4)).isEqualTo(3);
        assertThat(b.getInt(8)).isEqualTo(0x30001);
        assertThat(b.getLong(56)).isEqualTo(21);
        assertThat(b.getLong(64)).isEqualTo(128);
        assertThat(b.getShort(77)).isEqualTo((short) 1);
        assertThat(new String(bytes, 512, 400, StandardCharsets.US_ASCII))
                .contains("createType=\"streamOptimized\"", "ddb.adapterType = \"lsilogic\"", "parentCID=ffffffff");
        int end = bytes.length;
        assertThat(bytes.length % 512).isZero();
        // footer marker, footer (a header whose gdOffset is the tail's directory), end-of-stream marker
        assertThat(b.getLong(end - 1536)).isEqualTo(1);
        assertThat(b.getInt(end - 1536 + 12)).isEqualTo(StreamMarker.TYPE_FOOTER);
        assertThat(b.getInt(end - 1024)).isEqualTo(SparseExtentHeader.MAGIC);
        long gd = b.getLong(end - 1024 + 56);
        assertThat(b.getInt((int) (gd - 1) * 512 + 12)).isEqualTo(StreamMarker.TYPE_GRAIN_DIRECTORY);
        assertThat(Long.valueOf(b.getLong(end - 512)).intValue() | b.getInt(end - 512 + 8) | b.getInt(end - 512 + 12))
                .isZero();
        // 40 MiB: two grain tables, both written; the head's directory is the tail's, byte for byte
        assertThat(b.getInt(21 * 512)).isPositive();
        assertThat(b.getInt(21 * 512 + 4)).isPositive();
        assertThat(Arrays.copyOfRange(bytes, 21 * 512, 22 * 512))
                .isEqualTo(Arrays.copyOfRange(bytes, (int) gd * 512, (int) gd * 512 + 512));
        int table = b.getInt(21 * 512);
        assertThat(b.getInt((table - 1) * 512 + 12)).isEqualTo(StreamMarker.TYPE_GRAIN_TABLE);
    }

    /** An upload holds back its first part to patch; a sink that cannot patch the directory is refused up front. */
    @Test
    void aSinkThatCannotPatchTheDirectoryIsRefused() throws Exception {
        Path out = dir.resolve("out.vmdk");
        try (FileImageSink sink = new FileImageSink(out)) {
            ImageSink unpatchable = new ForwardOnly(sink);
            assertThatThrownBy(() -> new StreamOptimizedWriter(1L << 30, unpatchable))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("patchable");
        }
    }

    /** A file sink that says it can patch nothing, as a sink written strictly forward would. */
    private static final class ForwardOnly extends ForwardingSink {
        ForwardOnly(ImageSink sink) {
            super(sink);
        }

        @Override
        public long patchableHead() {
            return 0;
        }

        @Override
        public void patch(long offset, byte[] bytes, int from, int length) {
            throw new IllegalStateException("forward only");
        }
    }

    private Path write(Path raw, Path vmdk) throws IOException {
        try (FileImageSource source = new FileImageSource(raw);
             RawReader reader = RawReader.open(source, ReadOptions.defaults());
             StreamOptimizedWriter writer = new StreamOptimizedWriter(reader.virtualSize(), new FileImageSink(vmdk))) {
            Conversion.copy(reader, List.of(writer));
        }
        return vmdk;
    }
}
