package org.ovaflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.sample.SampleAppliance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ovaflow inspect} on compressed OVAs and on unpacked packages' descriptors, offline. */
class InspectTolerantInputTest {

    @TempDir
    Path dir;

    @Test
    void compressedOvasAreInspectedAsThePlainOvaTheyHold() throws Exception {
        byte[] ova = SampleAppliance.ova("Acme Corp", "Zipped", "1.0", 40_000, 3).toBytes();
        Path gz = Files.write(dir.resolve("zipped.ova.gz"), compress(ova, true));
        Path xz = Files.write(dir.resolve("zipped.ova.xz"), compress(ova, false));

        for (Path file : new Path[]{gz, xz}) {
            CommandRun run = CommandRun.of("inspect", file.toString());
            assertThat(run.exit()).as(run.out() + run.err()).isZero();
            assertThat(run.out()).contains(file.getFileName() + ": valid", "Zipped 1.0 by Acme Corp");
        }
    }

    @Test
    void aTruncatedCompressedOvaIsRejectedAsPackageCompression() throws Exception {
        byte[] ova = SampleAppliance.ova("Acme Corp", "Cut", "1.0", 40_000, 4).toBytes();
        for (boolean gzip : new boolean[]{true, false}) {
            byte[] compressed = compress(ova, gzip);
            String name = gzip ? "cut.ova.gz" : "cut.ova.xz";
            Path file = Files.write(dir.resolve(name), Arrays.copyOf(compressed, compressed.length / 2));

            CommandRun run = CommandRun.of("inspect", file.toString());
            CommandRun json = CommandRun.of("inspect", "--json", file.toString());

            assertThat(run.exit()).isEqualTo(Ovaflow.REJECTED);
            assertThat(run.out()).contains(name + ": REJECTED", "FAIL package.compression [" + name + "]");
            JsonNode failed = EventCodec.JSON.readTree(json.out()).path("failed").get(0);
            assertThat(failed.path("id").asText()).isEqualTo("package.compression");
            // the JDK's EOFException has no message of its own: never ": null", but what was found and where
            assertThat(failed.path("message").asText()).as(name).doesNotContain("null")
                    .contains("corrupt or truncated", "ends early", "compressed byte(s) read");
        }
    }

    @Test
    void anUnpackedPackageIsInspectedWithTheFilesOfItsFolder() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("loose"));
        for (Map.Entry<String, byte[]> file : SampleAppliance.ova("Acme Corp", "Loose", "1.0", 40_000, 5)
                .unpackedFiles().entrySet()) {
            Files.write(folder.resolve(file.getKey()), file.getValue());
        }

        CommandRun valid = CommandRun.of("inspect", folder.resolve("loose.ovf").toString());
        assertThat(valid.exit()).as(valid.out() + valid.err()).isZero();
        assertThat(valid.out()).contains("loose.ovf: valid", "Loose 1.0 by Acme Corp");

        Files.delete(folder.resolve("disk1.img"));
        CommandRun missing = CommandRun.of("inspect", folder.resolve("loose.ovf").toString());
        assertThat(missing.exit()).isEqualTo(Ovaflow.REJECTED);
        assertThat(missing.out()).contains("FAIL manifest.entry-missing", "disk1.img");
    }

    @Test
    void filesOutsideThePackagesFolderAreNeverRead() throws Exception {
        Files.writeString(dir.resolve("secret.img"), "12345");
        Path folder = Files.createDirectory(dir.resolve("evil"));
        Files.writeString(folder.resolve("escape.ovf"), SampleAppliance.descriptor("Evil", "Escape", "1.0",
                "../secret.img", 5), StandardCharsets.UTF_8);
        // and a link leaving the folder under a plain name
        Files.createSymbolicLink(folder.resolve("linked.img"), dir.resolve("secret.img"));
        Path linked = Files.createDirectory(dir.resolve("linked"));
        Files.writeString(linked.resolve("linked.ovf"), SampleAppliance.descriptor("Evil", "Linked", "1.0",
                "linked.img", 5), StandardCharsets.UTF_8);
        Files.createSymbolicLink(linked.resolve("linked.img"), dir.resolve("secret.img"));

        CommandRun escape = CommandRun.of("inspect", folder.resolve("escape.ovf").toString());
        CommandRun link = CommandRun.of("inspect", linked.resolve("linked.ovf").toString());

        assertThat(escape.exit()).isEqualTo(Ovaflow.REJECTED);
        assertThat(escape.out()).contains("FAIL ovf.href-remote");
        assertThat(link.exit()).isEqualTo(Ovaflow.REJECTED);
        assertThat(link.out()).contains("FAIL ovf.file-present");
    }

    private static byte[] compress(byte[] data, boolean gzip) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream compressed = gzip ? new GzipCompressorOutputStream(out) : new XZCompressorOutputStream(out)) {
            compressed.write(data);
        }
        return out.toByteArray();
    }
}
