package org.ovaflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.ova.OvaBuilder;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.transform.disk.DiskImageReader;
import org.ovaflow.transform.disk.DiskImages;
import org.ovaflow.transform.disk.FileImageSource;
import org.ovaflow.transform.disk.InvalidDiskImageException;
import org.ovaflow.transform.disk.ReadOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ovaflow inspect} and the transcode stage give the same verdict on a disk: qemu-img's images of every
 * format ovaflow reads, good and with their tables or data pointing past the end of the file (which the header
 * probe of the checksum stage cannot see), each packed alone in an OVA. Inspect must reject exactly the ones the
 * stage's reader rejects, naming the reader's check; and pass the others with {@code disk.read}.
 */
class InspectDiskReadParityIT {

    private static final long VIRTUAL_SIZE = 4L * 1024 * 1024;

    @TempDir
    Path dir;

    /** How a hostile disk is made from qemu-img's good one, in place. */
    @FunctionalInterface
    private interface Spoil {
        void apply(Path image) throws IOException;
    }

    /** qemu-img's image as it is. */
    private static final Spoil GOOD = image -> { };

    static Stream<Arguments> disks() {
        List<Arguments> all = new ArrayList<>();
        Spoil none = GOOD;
        all.add(Arguments.of("vmdk-streamOptimized", "vmdk", "subformat=streamOptimized", none));
        all.add(Arguments.of("vmdk-monolithicSparse", "vmdk", "subformat=monolithicSparse", none));
        all.add(Arguments.of("qcow2", "qcow2", "compat=1.1", none));
        all.add(Arguments.of("vhd-dynamic", "vpc", "subformat=dynamic,force_size=on", none));
        // the first grain directory entry: its grain table far past the end
        all.add(Arguments.of("vmdk-grain-table-past-the-end", "vmdk", "subformat=monolithicSparse",
                (Spoil) image -> putLe32(image, le64(image, 56) * 512, 0x7ffffff0)));
        // the first grain table's first grain far past the end
        all.add(Arguments.of("vmdk-grain-past-the-end", "vmdk", "subformat=monolithicSparse",
                (Spoil) image -> putLe32(image, le32(image, le64(image, 56) * 512) * 512L, 0x7fff0000)));
        // the first L1 entry: an L2 table at 1 TiB
        all.add(Arguments.of("qcow2-l2-past-the-end", "qcow2", "compat=1.1",
                (Spoil) image -> putBe64(image, be64(image, 40), 0x8000_0100_0000_0000L)));
        // the first L2 entry: a data cluster at 1 TiB
        all.add(Arguments.of("qcow2-cluster-past-the-end", "qcow2", "compat=1.1",
                (Spoil) image -> putBe64(image, be64(image, be64(image, 40)) & 0x00ff_ffff_ffff_fe00L,
                        0x8000_0100_0000_0000L)));
        // the first block allocation table entry: a block far past the end
        all.add(Arguments.of("vhd-block-past-the-end", "vpc", "subformat=dynamic,force_size=on",
                (Spoil) image -> putBe32(image, be64(image, be64(image, 16) + 16), 0x7fff_fff0)));
        // a streamOptimized grain marker announcing more compressed bytes than a grain can take
        all.add(Arguments.of("vmdk-grain-size-absurd", "vmdk", "subformat=streamOptimized",
                (Spoil) image -> putLe32(image, le64(image, 64) * 512 + 8, 0x7fff_ffff)));
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("disks")
    void inspectRejectsWhatTheTranscodeStagesReaderRejects(String name, String qemuFormat, String options,
                                                           Spoil spoil) throws Exception {
        QemuImg qemu = QemuImg.require();
        Path source = Files.write(dir.resolve("source.raw"), SampleAppliance.disk((int) VIRTUAL_SIZE, 7));
        Path image = dir.resolve(name + ".img");
        qemu.convert(source, "raw", image, qemuFormat, "-o", options);
        spoil.apply(image);

        String readersVerdict = transcodeVerdict(image);
        assertThat(readersVerdict == null).as("the reader's verdict on " + name + ": " + readersVerdict)
                .isEqualTo(spoil == GOOD);
        byte[] bytes = Files.readAllBytes(image);
        String descriptor = SampleAppliance.descriptor("Acme", "Widget", "1.0", "disk1.img", bytes.length)
                .replaceFirst("ovf:capacity=\"\\d+\"", "ovf:capacity=\"" + (VIRTUAL_SIZE >> 20) + "\"");
        Path ova = Files.write(dir.resolve(name + ".ova"), new OvaBuilder("widget.ovf", descriptor)
                .file("disk1.img", bytes).toBytes());

        CommandRun run = CommandRun.of("inspect", "--json", ova.toString());
        JsonNode report = EventCodec.JSON.readTree(run.out());
        List<String> failed = new ArrayList<>();
        report.path("failed").forEach(f -> failed.add(f.path("id").asText()));
        List<String> passed = new ArrayList<>();
        report.path("checks").forEach(c -> {
            if (c.path("status").asText().equals("PASS")) {
                passed.add(c.path("id").asText());
            }
        });
        if (readersVerdict == null) {
            assertThat(run.exit()).as(run.out() + run.err()).isZero();
            assertThat(passed).contains("disk.read");
        } else {
            assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(Ovaflow.REJECTED);
            assertThat(failed).as(run.out()).contains(readersVerdict);
            assertThat(passed).doesNotContain("disk.read");
        }
    }

    /** The check id the transcode stage's reader refuses {@code image} with, null when it reads to the end. */
    private static String transcodeVerdict(Path image) throws IOException {
        try (FileImageSource file = new FileImageSource(image);
             DiskImageReader reader = DiskImages.open(file, ReadOptions.defaults())) {
            while (reader.next() != null) {
                // read to the end, as the stage does while it writes
            }
            return null;
        } catch (InvalidDiskImageException e) {
            return e.check();
        }
    }

    private static long le64(Path file, long at) throws IOException {
        return read(file, at, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static long le32(Path file, long at) throws IOException {
        return Integer.toUnsignedLong(read(file, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
    }

    private static long be64(Path file, long at) throws IOException {
        return read(file, at, 8).getLong();
    }

    private static void putLe32(Path file, long at, int value) throws IOException {
        write(file, at, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).flip());
    }

    private static void putBe32(Path file, long at, int value) throws IOException {
        write(file, at, ByteBuffer.allocate(4).putInt(value).flip());
    }

    private static void putBe64(Path file, long at, long value) throws IOException {
        write(file, at, ByteBuffer.allocate(8).putLong(value).flip());
    }

    private static ByteBuffer read(Path file, long at, int length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(length);
            channel.read(buffer, at);
            return buffer.flip();
        }
    }

    private static void write(Path file, long at, ByteBuffer bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(bytes, at);
        }
    }
}
