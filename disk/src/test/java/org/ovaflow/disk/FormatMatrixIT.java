package org.ovaflow.disk;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.disk.testing.TestDisks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Every format ovaflow reads, as qemu-img writes it, converted through {@link DiskImages} (detection and
 * dispatch, as the transcode stage and {@code ovaflow convert} use them) into every format it writes; qemu-img
 * then checks each output and compares it with the source. The disk has the patterns that break codecs
 * ({@link TestDisks#patterned}): random and compressible data, zero runs, data in the last sector, a size no
 * cluster, grain or block size divides.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FormatMatrixIT {

    /** An input: how qemu-img makes it from the raw disk, and the name qemu knows its format by. */
    private record Input(String name, String qemuFormat, String... options) {
    }

    private static final List<Input> INPUTS = List.of(
            new Input("raw", "raw"),
            new Input("vmdk-streamOptimized", "vmdk", "-o", "subformat=streamOptimized"),
            new Input("vmdk-monolithicSparse", "vmdk", "-o", "subformat=monolithicSparse"),
            new Input("vmdk-monolithicFlat", "vmdk", "-o", "subformat=monolithicFlat"),
            new Input("qcow2-v2", "qcow2", "-o", "compat=0.10"),
            new Input("qcow2-v3-compressed", "qcow2", "-o", "compat=1.1", "-c"),
            new Input("vhd-dynamic", "vpc", "-o", "subformat=dynamic,force_size=on"),
            new Input("vhd-fixed", "vpc", "-o", "subformat=fixed,force_size=on"));

    private Path dir;
    private Path source;
    private QemuImg qemu;

    @BeforeAll
    void makeInputs() throws IOException {
        qemu = QemuImg.require();
        dir = Files.createTempDirectory("ovaflow-matrix");
        source = TestDisks.patterned(dir.resolve("source.raw"), TestDisks.ODD_SIZE, 42);
        for (Input input : INPUTS) {
            if (!input.name().equals("raw")) {
                qemu.convert(source, "raw", inputFile(input), input.qemuFormat(), input.options());
            }
        }
        // what ovftool --compress makes: a streamOptimized VMDK, gzip-compressed as a whole
        try (OutputStream gzip = new GZIPOutputStream(Files.newOutputStream(dir.resolve("vmdk-gzip.in")))) {
            Files.copy(inputFile(INPUTS.get(1)), gzip);
        }
    }

    @AfterAll
    void removeFiles() throws IOException {
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    Stream<Arguments> conversions() {
        List<Arguments> all = new ArrayList<>();
        List<String> inputs = new ArrayList<>(INPUTS.stream().map(Input::name).toList());
        inputs.add("vmdk-gzip");
        for (String input : inputs) {
            for (TargetFormat target : TargetFormat.values()) {
                all.add(Arguments.of(input, target));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} to {1}")
    @MethodSource("conversions")
    void qemuImgChecksTheOutputAndFindsItEqualToTheSource(String input, TargetFormat target) throws IOException {
        Path in = input.equals("raw") ? source : dir.resolve(input + ".in");
        Path out = dir.resolve(input + "." + target.id());
        ReadOptions options = ReadOptions.defaults().withSiblings(this::besideTheInputs);
        try (FileImageSource file = new FileImageSource(in);
             DiskImageReader reader = DiskImages.open(file, options);
             DiskImageWriter writer = DiskImages.writer(target, reader.virtualSize(), new FileImageSink(out), false,
                     out.getFileName().toString())) {
            Conversion.copy(reader, List.of(writer));
        }
        String format = qemuName(target);
        qemu.check(out, format);
        qemu.assertSameContent(source, "raw", out, format);
        Files.delete(out);
    }

    private Path inputFile(Input input) {
        return dir.resolve(input.name() + ".in");
    }

    /** The flat extent qemu wrote beside its monolithicFlat descriptor (named after the descriptor's file). */
    private Optional<ImageSource> besideTheInputs(String name) throws IOException {
        Path file = dir.resolve(name);
        return Files.isRegularFile(file) ? Optional.of(new FileImageSource(file)) : Optional.empty();
    }

    private static String qemuName(TargetFormat target) {
        return switch (target) {
            case QCOW2 -> "qcow2";
            case VHD, VHD_FIXED -> "vpc";
            case RAW -> "raw";
            case VMDK -> "vmdk";
        };
    }
}
