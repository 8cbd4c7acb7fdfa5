package org.ovaflow.transform.disk.vmdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.transform.disk.Conversion;
import org.ovaflow.transform.disk.FileImageSink;
import org.ovaflow.transform.disk.FileImageSource;
import org.ovaflow.transform.disk.GzipImageSource;
import org.ovaflow.transform.disk.ImageSource;
import org.ovaflow.transform.disk.InvalidDiskImageException;
import org.ovaflow.transform.disk.ReadOptions;
import org.ovaflow.transform.disk.raw.RawReader;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.transform.disk.testing.TestDisks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ovaflow.transform.disk.vmdk.VmdkTestImages.gzip;
import static org.ovaflow.transform.disk.vmdk.VmdkTestImages.patch;
import static org.ovaflow.transform.disk.vmdk.VmdkTestImages.toRaw;

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
        // header, descriptor space, directory and footer: no grain, no table
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

    /** The layout VMware's readers expect: the header says "directory at the end", the footer says where. */
    @Test
    void headerAndFooterAreVmwares() throws Exception {
        Path in = TestDisks.patterned(dir.resolve("in.raw"), 8L * 1024 * 1024, 23);
        Path vmdk = write(in, dir.resolve("out.vmdk"));
        byte[] bytes = Files.readAllBytes(vmdk);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0)).isEqualTo(SparseExtentHeader.MAGIC);
        assertThat(b.getInt(4)).isEqualTo(3);
        assertThat(b.getInt(8)).isEqualTo(0x30001);
        assertThat(b.getLong(56)).isEqualTo(SparseExtentHeader.GD_AT_END);
        assertThat(b.getShort(77)).isEqualTo((short) 1);
        assertThat(new String(bytes, 512, 400, StandardCharsets.US_ASCII))
                .contains("createType=\"streamOptimized\"", "ddb.adapterType = \"lsilogic\"", "parentCID=ffffffff");
        int end = bytes.length;
        assertThat(bytes.length % 512).isZero();
        // footer marker, footer (a header whose gdOffset is real), end-of-stream marker
        assertThat(b.getLong(end - 1536)).isEqualTo(1);
        assertThat(b.getInt(end - 1536 + 12)).isEqualTo(StreamMarker.TYPE_FOOTER);
        assertThat(b.getInt(end - 1024)).isEqualTo(SparseExtentHeader.MAGIC);
        long gd = b.getLong(end - 1024 + 56);
        assertThat(b.getInt((int) (gd - 1) * 512 + 12)).isEqualTo(StreamMarker.TYPE_GRAIN_DIRECTORY);
        assertThat(Long.valueOf(b.getLong(end - 512)).intValue() | b.getInt(end - 512 + 8) | b.getInt(end - 512 + 12))
                .isZero();
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
