package org.ovaflow.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.core.sample.SampleAppliance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ovaflow convert}: offline, no servers; exit 0 converted, 1 the image was refused, 2 usage. */
class ConvertCommandTest {

    @TempDir
    Path dir;

    @Test
    void aDiskGoesThroughEveryFormatAndComesBackTheSame() throws Exception {
        byte[] disk = SampleAppliance.disk(3 * 1024 * 1024, 31);
        Path raw = Files.write(dir.resolve("disk.raw"), disk);
        Path previous = raw;
        for (String format : new String[] {"vmdk", "qcow2", "vhd", "vhd-fixed", "raw"}) {
            Path next = dir.resolve("disk." + format);
            CommandRun run = CommandRun.of("convert", previous.toString(), next.toString(), "--to", format);
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).contains("disk." + format, "3145728 bytes virtual");
            previous = next;
        }
        assertThat(Files.readAllBytes(previous)).isEqualTo(disk);
        assertThat(GuestContent.of(dir.resolve("disk.qcow2"))).isEqualTo(disk);
    }

    @Test
    void aRefusedImageExitsOneWithItsCheckAndLeavesNoOutput() throws Exception {
        byte[] vhdx = Arrays.copyOf("vhdxfile".getBytes(StandardCharsets.US_ASCII), 1024 * 1024);
        Path in = Files.write(dir.resolve("disk.vhdx"), vhdx);
        Path out = dir.resolve("out.qcow2");

        CommandRun run = CommandRun.of("convert", in.toString(), out.toString(), "--to", "qcow2");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("disk.vhdx", "disk.format.unsupported", "VHDX");
        assertThat(dir.toFile().list()).containsExactly("disk.vhdx");
    }

    @Test
    void anUnknownFormatOrAMissingInputIsAUsageError() throws Exception {
        Path raw = Files.write(dir.resolve("disk.raw"), new byte[4096]);

        assertThat(CommandRun.of("convert", raw.toString(), dir.resolve("x").toString(), "--to",
                "vdi").exit()).isEqualTo(2);
        assertThat(CommandRun.of("convert", dir.resolve("none").toString(), dir.resolve("x").toString(), "--to",
                "raw").exit())
                .isEqualTo(2);
    }
}
