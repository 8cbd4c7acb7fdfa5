package org.ovaflow.disk.raw;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.disk.Conversion;
import org.ovaflow.disk.FileImageSink;
import org.ovaflow.disk.FileImageSource;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.disk.testing.TestDisks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RawCodecIT {

    @TempDir
    Path dir;

    @Test
    void rawToRawKeepsEveryByteAndLeavesHoles() throws Exception {
        Path in = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 1);
        Path out = dir.resolve("out.raw");
        try (FileImageSource source = new FileImageSource(in);
             RawReader reader = RawReader.open(source, ReadOptions.defaults());
             RawWriter writer = new RawWriter(reader.virtualSize(), new FileImageSink(out))) {
            Conversion.copy(reader, List.of(writer));
        }
        assertThat(Files.mismatch(in, out)).isEqualTo(-1);
        assertThat(Files.exists(dir.resolve("out.raw.partial"))).isFalse();
    }

    @Test
    void qemuImgSeesTheSameDisk() throws Exception {
        QemuImg qemu = QemuImg.require();
        Path in = TestDisks.patterned(dir.resolve("in.raw"), TestDisks.ODD_SIZE, 2);
        Path out = dir.resolve("out.raw");
        try (FileImageSource source = new FileImageSource(in);
             RawReader reader = RawReader.open(source, ReadOptions.defaults());
             RawWriter writer = new RawWriter(reader.virtualSize(), new FileImageSink(out))) {
            Conversion.copy(reader, List.of(writer));
        }
        qemu.assertSameContent(in, "raw", out, "raw");
    }

    @Test
    void aDiskOverTheLimitIsRefusedBeforeAnyRead() throws Exception {
        Path in = TestDisks.empty(dir.resolve("big.raw"), 8L * 1024 * 1024);
        try (FileImageSource source = new FileImageSource(in)) {
            assertThatThrownBy(() -> RawReader.open(source, new ReadOptions(1024 * 1024, name -> Optional.empty())))
                    .isInstanceOfSatisfying(InvalidDiskImageException.class,
                            e -> assertThat(e.check()).isEqualTo("disk.raw.virtual-size"));
        }
    }
}
