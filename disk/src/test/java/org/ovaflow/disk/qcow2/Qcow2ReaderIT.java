package org.ovaflow.disk.qcow2;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.disk.Conversion;
import org.ovaflow.disk.DiskImageReader;
import org.ovaflow.disk.FileImageSink;
import org.ovaflow.disk.FileImageSource;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.raw.RawReader;
import org.ovaflow.disk.raw.RawWriter;
import org.ovaflow.disk.testing.CountingSource;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.disk.testing.TestDisks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Real images written by qemu-img, read back byte for byte. */
class Qcow2ReaderIT {

    @TempDir
    Path dir;

    @Test
    void version2() throws Exception {
        assertReadsLikeQemu("v2.qcow2", "-o", "compat=0.10");
    }

    @Test
    void version3() throws Exception {
        assertReadsLikeQemu("v3.qcow2", "-o", "compat=1.1");
    }

    @Test
    void compressed() throws Exception {
        assertReadsLikeQemu("compressed.qcow2", "-c");
    }

    @Test
    void compressedVersion2() throws Exception {
        assertReadsLikeQemu("compressed-v2.qcow2", "-c", "-o", "compat=0.10");
    }

    @Test
    void compressedWithTheSmallestAndLargestClusters() throws Exception {
        // the compressed descriptor's offset/size split moves with cluster_bits
        assertReadsLikeQemu("compressed-512.qcow2", "-c", "-o", "cluster_size=512");
        assertReadsLikeQemu("compressed-2m.qcow2", "-c", "-o", "cluster_size=2M");
    }

    @Test
    void clusters4KiB() throws Exception {
        assertReadsLikeQemu("c4k.qcow2", "-o", "cluster_size=4096");
    }

    @Test
    void clusters2MiB() throws Exception {
        assertReadsLikeQemu("c2m.qcow2", "-o", "cluster_size=2M");
    }

    @Test
    void anEmptyDiskGivesNoData() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path raw = TestDisks.empty(dir.resolve("empty.raw"), TestDisks.ODD_SIZE);
        Path image = dir.resolve("empty.qcow2");
        qemu.convert(raw, "raw", image, "qcow2");
        try (FileImageSource source = new FileImageSource(image);
             Qcow2Reader reader = Qcow2Reader.open(source, ReadOptions.defaults())) {
            assertThat(reader.virtualSize()).isEqualTo(TestDisks.ODD_SIZE);
            assertThat(reader.next()).isNull();
        }
        assertThat(Files.mismatch(raw, readToRaw(image))).isEqualTo(-1);
    }

    @Test
    void zeroFlaggedClustersReadAsZeros() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path raw = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 7);
        Path image = dir.resolve("zeroed.qcow2");
        qemu.convert(raw, "raw", image, "qcow2", "-o", "compat=1.1");
        // the first MiB holds data; zeroing it in place keeps the clusters allocated but flags them zero
        qemuIo(image, "write -z 0 1M");
        Qcow2Patcher layout = Qcow2Patcher.copy(image, dir.resolve("layout.qcow2"));
        assertThat(layout.readLong(layout.l2Table(0)) & 1).as("zero flag of guest cluster 0").isEqualTo(1);

        Path expected = dir.resolve("expected.raw");
        qemu.convert(image, "qcow2", expected, "raw");
        assertThat(Files.mismatch(expected, readToRaw(image))).isEqualTo(-1);
        assertThat(Files.mismatch(expected, raw)).as("the zeroing changed the disk").isNotEqualTo(-1);
    }

    @Test
    void anInternalSnapshotIsIgnoredAndTheActiveLayerRead() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path image = dir.resolve("snapshots.qcow2");
        qemu.create(image, "qcow2", 16L * 1024 * 1024);
        qemuIo(image, "write -P 0x11 0 3M");
        qemu.run(List.of("snapshot", "-c", "before", image.toString())).assertSuccess();
        // shared clusters (refcount 2) and clusters the snapshot keeps but the active layer no longer maps
        qemuIo(image, "write -P 0x22 1M 3M");
        assertReadsAsQemuDoes(qemu, image);
    }

    @Test
    void preallocatedMetadata() throws Exception {
        QemuImg qemu = QemuImg.require();
        for (String compat : List.of("0.10", "1.1")) {
            Path image = dir.resolve("prealloc-" + compat + ".qcow2");
            qemu.create(image, "qcow2", 16L * 1024 * 1024, "-o", "preallocation=metadata,compat=" + compat);
            qemuIo(image, "write -P 0x33 5M 100k");
            assertReadsAsQemuDoes(qemu, image);
        }
    }

    @Test
    void chunksAscendAndStayWithinTheChunkSize() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path raw = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 8);
        Path image = dir.resolve("mixed.qcow2");
        qemu.convert(raw, "raw", image, "qcow2", "-c");
        // a compressed image with plain clusters written over it: chunks of both kinds, interleaved
        qemuIo(image, "write -P 0x5a 2M 3M");
        long end = 0;
        long chunks = 0;
        try (FileImageSource source = new FileImageSource(image);
             Qcow2Reader reader = Qcow2Reader.open(source, ReadOptions.defaults())) {
            for (DiskImageReader.Chunk chunk = reader.next(); chunk != null; chunk = reader.next()) {
                assertThat(chunk.offset()).isGreaterThanOrEqualTo(end);
                assertThat(chunk.length()).isPositive().isLessThanOrEqualTo(Qcow2Reader.CHUNK_BYTES);
                end = chunk.end();
                chunks++;
            }
        }
        assertThat(end).isEqualTo(TestDisks.ODD_SIZE);
        assertThat(chunks).isGreaterThan(3);
        Path expected = dir.resolve("expected.raw");
        qemu.convert(image, "qcow2", expected, "raw");
        assertThat(Files.mismatch(expected, readToRaw(image))).isEqualTo(-1);
    }

    @Test
    void readsInAFewLongRequests() throws Exception {
        // what matters when the source is an object store: each open is a ranged GET
        QemuImg qemu = QemuImg.require();
        Path raw = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 9);
        Path small = dir.resolve("c4k.qcow2");
        qemu.convert(raw, "raw", small, "qcow2", "-o", "cluster_size=4096");
        Path ours = dir.resolve("ours.qcow2");
        try (FileImageSource source = new FileImageSource(raw);
             RawReader reader = RawReader.open(source, ReadOptions.defaults());
             Qcow2Writer writer = new Qcow2Writer(reader.virtualSize(), new FileImageSink(ours))) {
            Conversion.copy(reader, List.of(writer));
        }
        for (Path image : List.of(small, ours)) {
            try (FileImageSource file = new FileImageSource(image)) {
                CountingSource source = new CountingSource(file);
                try (Qcow2Reader reader = Qcow2Reader.open(source, ReadOptions.defaults())) {
                    while (reader.next() != null) {
                        // drain
                    }
                }
                // the header, the L1 table, the data (with qemu's L2 tables between), our L2 tables at the end
                assertThat(source.opens).as(image.getFileName() + " requests").isLessThanOrEqualTo(4);
                assertThat(source.bytesRead).as(image.getFileName() + " bytes transferred")
                        .isLessThanOrEqualTo(Files.size(image));
            }
        }
    }

    private void assertReadsAsQemuDoes(QemuImg qemu, Path image) throws IOException {
        Path expected = dir.resolve(image.getFileName() + ".qemu.raw");
        qemu.convert(image, "qcow2", expected, "raw");
        assertThat(Files.mismatch(expected, readToRaw(image))).as(image.getFileName().toString()).isEqualTo(-1);
    }

    private void assertReadsLikeQemu(String name, String... options) throws IOException {
        QemuImg qemu = QemuImg.require();
        Path raw = TestDisks.patterned(dir.resolve(name + ".raw"), TestDisks.ODD_SIZE, name.hashCode());
        Path image = dir.resolve(name);
        qemu.convert(raw, "raw", image, "qcow2", options);
        Path out = readToRaw(image);
        assertThat(Files.mismatch(raw, out)).as(name + " read back").isEqualTo(-1);
    }

    /** The image read by Qcow2Reader and written raw: what the guest would see. */
    private Path readToRaw(Path image) throws IOException {
        Path out = dir.resolve(image.getFileName() + ".out.raw");
        try (FileImageSource source = new FileImageSource(image);
             Qcow2Reader reader = Qcow2Reader.open(source, ReadOptions.defaults());
             RawWriter writer = new RawWriter(reader.virtualSize(), new FileImageSink(out))) {
            Conversion.copy(reader, List.of(writer));
        }
        return out;
    }

    /** {@code qemu-io -f qcow2 -c command image}, which crafts what qemu-img convert does not write. */
    static void qemuIo(Path image, String command) throws IOException, InterruptedException {
        Path executable = Path.of("/usr/bin/qemu-io");
        if (!Files.isExecutable(executable)) {
            Assumptions.abort("qemu-io is not installed");
        }
        List<String> args = new ArrayList<>(List.of(executable.toString(), "-f", "qcow2", "-c", command,
                image.toString()));
        Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", args) + ": " + output).isZero();
        assertThat(output).as(String.join(" ", args)).doesNotContain("failed");
    }
}
