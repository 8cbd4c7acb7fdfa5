package org.ovaflow.validate.disk;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Disk images made by qemu-img, for tests of the probe against the real thing. Without qemu-img on the PATH the
 * tests using it are skipped, loudly; with {@code CI=true} they fail instead, so CI cannot pass without them.
 */
public final class QemuImages {

    private static final boolean AVAILABLE = probe();

    private QemuImages() {
    }

    /** Skips the calling test when qemu-img is absent (fails it under CI=true). */
    public static void require() {
        if (AVAILABLE) {
            return;
        }
        String message = "qemu-img is not on the PATH (install qemu-utils): the probe is not tested on real images";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + ", and CI=true requires it");
        }
        System.err.println("SKIPPED: " + message);
        Assumptions.abort(message);
    }

    /** {@code qemu-img create -f format [-o options] file size}, in {@code dir}. */
    public static Path create(Path dir, String name, String format, String size, String... options)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", format));
        for (String option : options) {
            command.add(option);
        }
        command.add(name);
        if (size != null) {
            command.add(size);
        }
        run(dir, command);
        return dir.resolve(name);
    }

    /** {@code qemu-img convert -O format [-o options] source target}, in {@code dir}. */
    public static Path convert(Path dir, String source, String target, String format, String... options)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("qemu-img", "convert", "-O", format));
        command.addAll(List.of(options));
        command.add(source);
        command.add(target);
        run(dir, command);
        return dir.resolve(target);
    }

    /** The virtual size qemu-img info reports. */
    public static long virtualSize(Path image, String format) throws IOException, InterruptedException {
        String json = run(image.getParent(), List.of("qemu-img", "info", "-U", "--output=json", "-f", format,
                image.getFileName().toString()));
        Matcher size = Pattern.compile("\"virtual-size\":\\s*(\\d+)").matcher(json);
        Assertions.assertTrue(size.find(), "qemu-img info gave no virtual size: " + json);
        return Long.parseLong(size.group(1));
    }

    private static String run(Path dir, List<String> command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("qemu-img", ".out");
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                Assertions.fail(String.join(" ", command) + " did not finish in 60 s");
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            Assertions.assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + text);
            return text;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static boolean probe() {
        try {
            Process process = new ProcessBuilder("qemu-img", "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
