package org.ovaflow.core.testing;

import org.ovaflow.core.testing.ExternalTool.Result;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * qemu-img, the oracle of the disk tests: it writes the inputs of other tools' making (for the codecs and the
 * header probe), checks what ovaflow writes and compares it with the input. Where it is missing the tests are skipped with a message, except
 * under {@code CI=true}, where a missing qemu-img fails the run (.ci/run installs qemu-utils).
 */
public final class QemuImg {

    private final String executable;

    private QemuImg(String executable) {
        this.executable = executable;
    }

    /** qemu-img, or the test aborted (skipped) with the reason; a failure under CI=true. */
    public static QemuImg require() {
        return new QemuImg(ExternalTool.require("qemu-img", "qemu-utils", "the qemu-img oracle tests"));
    }

    /** {@code qemu-img convert -f inFormat -O outFormat [options] in out}. */
    public void convert(Path in, String inFormat, Path out, String outFormat, String... options) {
        List<String> args = new ArrayList<>(List.of("convert", "-f", inFormat, "-O", outFormat));
        args.addAll(List.of(options));
        args.add(in.toString());
        args.add(out.toString());
        run(args).assertSuccess();
    }

    /**
     * {@code qemu-img create -f format [options] name [size]} in {@code dir}, where a relative backing file name
     * resolves as qemu resolves it; {@code size} as qemu takes it ({@code 4M}), null to take the backing file's.
     */
    public Path create(Path dir, String name, String format, String size, String... options) {
        List<String> args = new ArrayList<>(List.of("create", "-q", "-f", format));
        args.addAll(List.of(options));
        args.add(name);
        if (size != null) {
            args.add(size);
        }
        run(dir, args).assertSuccess();
        return dir.resolve(name);
    }

    /** {@code qemu-img create -f format [options] file size}. */
    public void create(Path file, String format, long size, String... options) {
        List<String> args = new ArrayList<>(List.of("create", "-f", format));
        args.addAll(List.of(options));
        args.add(file.toString());
        args.add(Long.toString(size));
        run(args).assertSuccess();
    }

    /**
     * {@code qemu-img check}: no corruption, no leaks. Formats qemu cannot check (raw, vpc) pass when
     * qemu-img can at least open them ({@code info}).
     */
    public void check(Path file, String format) {
        Result result = run(List.of("check", "-f", format, file.toString()));
        if (result.exitCode() == 63) { // "This image format does not support checks"
            info(file, format);
            return;
        }
        result.assertSuccess();
    }

    /** {@code qemu-img compare}: the two images have the same guest content (a longer one only zeros beyond). */
    public void assertSameContent(Path a, String formatA, Path b, String formatB) {
        run(List.of("compare", "-f", formatA, "-F", formatB, a.toString(), b.toString())).assertSuccess();
    }

    /** {@code qemu-img compare} exit code: 0 identical, 1 different, 2+ error. */
    public int compare(Path a, String formatA, Path b, String formatB) {
        return run(List.of("compare", "-f", formatA, "-F", formatB, a.toString(), b.toString())).exitCode();
    }

    /** {@code qemu-img info --output=json}. */
    public String info(Path file, String format) {
        Result result = run(List.of("info", "--output=json", "-f", format, file.toString()));
        result.assertSuccess();
        return result.output();
    }

    public long virtualSize(Path file, String format) {
        Matcher m = Pattern.compile("\"virtual-size\":\\s*(\\d+)").matcher(info(file, format));
        if (!m.find()) {
            throw new AssertionError("no virtual-size in qemu-img info of " + file);
        }
        return Long.parseLong(m.group(1));
    }

    public Result run(List<String> args) {
        return run(null, args);
    }

    private Result run(Path dir, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(executable);
        command.addAll(args);
        return ExternalTool.run(dir, command, Duration.ofMinutes(10));
    }
}
