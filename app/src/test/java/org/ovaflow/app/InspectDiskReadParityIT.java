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
import org.ovaflow.disk.DiskImageReader;
import org.ovaflow.disk.DiskImages;
import org.ovaflow.disk.FileImageSource;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.ReadOptions;

import java.io.ByteArrayOutputStream;
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
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ovaflow inspect} and the transcode stage give the same verdict on a disk: qemu-img's images of every
 * format ovaflow reads, good and with their tables or data pointing past the end of the file (which the header
 * probe of the checksum stage cannot see), each packed alone in an OVA. Inspect must reject exactly the ones the
 * stage's reader rejects, naming the reader's check; and pass the others with {@code disk.read}.
 *
 * <p>Every disk in a plain OVA and as an unpacked package; streamOptimized VMDKs, read in the streaming pass, and
 * one qcow2 also in a {@code .ova.gz}, where a qcow2 cannot be read to its end ({@code disk.read} WARN).
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

    /** How the package holding the disk is laid out. */
    enum Form { PLAIN, GZIP, UNPACKED }

    static Stream<Arguments> packages() {
        List<Arguments> all = new ArrayList<>();
        disks().forEach(disk -> {
            String name = (String) disk.get()[0];
            List<Form> forms = name.startsWith("vmdk-stream") || name.startsWith("vmdk-grain-size")
                    || name.startsWith("qcow2-cluster") ? List.of(Form.values()) : List.of(Form.PLAIN, Form.UNPACKED);
            for (Form form : forms) {
                Object[] args = disk.get();
                all.add(Arguments.of(args[0], args[1], args[2], args[3], form));
            }
        });
        return all.stream();
    }

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
        // a streamOptimized grain whose deflate data is spoiled after its zlib header
        all.add(Arguments.of("vmdk-streamOptimized-grain-data", "vmdk", "subformat=streamOptimized",
                (Spoil) image -> putBe64(image, le64(image, 64) * 512 + 12 + 2, 0xffff_ffff_ffff_ffffL)));
        return all.stream();
    }

    @ParameterizedTest(name = "{0} in {4}")
    @MethodSource("packages")
    void inspectRejectsWhatTheTranscodeStagesReaderRejects(String name, String qemuFormat, String options,
                                                           Spoil spoil, Form form) throws Exception {
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
        Path inspected = switch (form) {
            case PLAIN -> Files.write(dir.resolve(name + ".ova"), new OvaBuilder("widget.ovf", descriptor)
                    .file("disk1.img", bytes).toBytes());
            case GZIP -> Files.write(dir.resolve(name + ".ova.gz"), gzip(new OvaBuilder("widget.ovf", descriptor)
                    .file("disk1.img", bytes).toBytes()));
            case UNPACKED -> {
                Path folder = Files.createDirectories(dir.resolve(name));
                Files.write(folder.resolve("disk1.img"), bytes);
                yield Files.writeString(folder.resolve("widget.ovf"), descriptor);
            }
        };

        CommandRun run = CommandRun.of("inspect", "--json", inspected.toString());
        JsonNode report = EventCodec.JSON.readTree(run.out());
        List<String> failed = new ArrayList<>();
        report.path("failed").forEach(f -> failed.add(f.path("id").asText()));
        List<String> passed = new ArrayList<>();
        report.path("checks").forEach(c -> {
            if (c.path("status").asText().equals("PASS")) {
                passed.add(c.path("id").asText());
            }
        });
        if (form == Form.GZIP && !qemuFormat.equals("vmdk")) {
            // read by going back to its tables: not from a package compressed as a whole, and inspect says so
            List<String> warned = new ArrayList<>();
            report.path("checks").forEach(c -> {
                if (c.path("status").asText().equals("WARN")) {
                    warned.add(c.path("id").asText());
                }
            });
            assertThat(warned).as(run.out()).contains("disk.read");
            assertThat(failed).as(run.out()).doesNotContain(String.valueOf(readersVerdict));
        } else if (readersVerdict == null) {
            assertThat(run.exit()).as(run.out() + run.err()).isZero();
            assertThat(passed).contains("disk.read");
            List<String> how = new ArrayList<>();
            report.path("checks").forEach(c -> {
                if (c.path("id").asText().equals("disk.read")) {
                    how.add(c.path("message").asText());
                }
            });
            // a streamOptimized VMDK is read once, in the pass that hashes the package; the others after it
            assertThat(how).as(run.out()).singleElement().asString().contains(options.contains("streamOptimized")
                    ? "in the streaming pass" : "after the streaming pass, by ranges");
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

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
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
