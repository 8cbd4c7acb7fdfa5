package org.ovaflow.app.demo;

import org.ovaflow.core.sample.SampleAppliance;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The OVAs the demo imports, written into a folder: two good ones (SHA-256 and SHA-1 manifests) and three bad
 * ones (a wrong digest, a file that is not a tar, a truncated download), with the outcome each must have.
 */
public final class DemoSamples {

    /** A sample file and whether the pipeline must publish it. */
    public record Sample(Path file, boolean good, String why) {
    }

    private DemoSamples() {
    }

    public static List<Sample> writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path widget = write(dir.resolve("acme-widget-1.0.ova"),
                SampleAppliance.ova("Acme Corp", "Widget Server", "1.0", 3 << 20, 1).toBytes());
        Path router = write(dir.resolve("globex-router-2.3.ova"),
                SampleAppliance.ova("Globex", "Edge Router", "2.3.1", 2 << 20, 2).manifestAlgorithm("SHA1").toBytes());
        Path corrupt = write(dir.resolve("initech-tps-4.2-corrupt.ova"),
                SampleAppliance.ova("Initech", "TPS Reports", "4.2", 1 << 20, 3).spoilDigestOf("disk1.img").toBytes());
        Path notTar = write(dir.resolve("notes-not-an-ova.ova"),
                "These are meeting notes, renamed to .ova by mistake.\n".repeat(64).getBytes(StandardCharsets.UTF_8));
        byte[] whole = SampleAppliance.ova("Hooli", "Nucleus", "9.0", 1 << 20, 4).toBytes();
        Path truncated = write(dir.resolve("hooli-nucleus-9.0-truncated.ova"), Arrays.copyOf(whole, whole.length / 2));
        return List.of(
                new Sample(widget, true, "good, SHA-256 manifest"),
                new Sample(router, true, "good, SHA-1 manifest"),
                new Sample(corrupt, false, "wrong digest of disk1.img in the manifest"),
                new Sample(notTar, false, "not a tar archive"),
                new Sample(truncated, false, "download cut in half"));
    }

    private static Path write(Path file, byte[] content) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(content);
        }
        return file;
    }
}
