package org.ovaflow.disk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.ovaflow.disk.Conversion;
import org.ovaflow.disk.DiskImageReader;
import org.ovaflow.disk.DiskImages;
import org.ovaflow.disk.ImageSink;
import org.ovaflow.disk.ImageSource;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.raw.RawWriter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzz target (Jazzer) of the transcode stage's disk readers: whatever the bytes (VMDK
 * streamOptimized or monolithicSparse, a VMDK descriptor, qcow2, VHD, raw, any of them gzip-compressed), the image
 * is opened by its magic and read through to its end into a sink that only counts, or refused with
 * {@link InvalidDiskImageException}. Anything else thrown, a hang, or allocating more than the limit is a finding.
 * Seeds and kept findings are in {@code DiskReaderFuzzTestInputs/readWholeImage/} of the test resources.
 */
class DiskReaderFuzzTest {

    /** Small, so that a fuzzed header declaring terabytes is refused rather than read as zeros. */
    private static final long MAX_VIRTUAL_SIZE = 64L << 20;

    /** A reader's tables and buffers for a disk of at most 64 MiB; the inflate threads' own are not counted. */
    private static final long MAX_ALLOCATED = 256L << 20;

    /** What a descriptor's extents resolve to: any name, so that fuzzed descriptors reach the extent readers. */
    private static final byte[] SIBLING = pattern(128 * 1024);

    @FuzzTest
    void readWholeImage(byte[] image) throws IOException {
        ReadOptions options = new ReadOptions(MAX_VIRTUAL_SIZE, name -> Optional.of(new MemorySource(name, SIBLING)));
        long before = allocatedBytes();
        CountingSink sink = new CountingSink();
        try (DiskImageReader reader = DiskImages.open(new MemorySource("fuzz.img", image), options)) {
            assertThat(reader.virtualSize()).isBetween(1L, MAX_VIRTUAL_SIZE);
            long data = Conversion.copy(reader, List.of(new RawWriter(reader.virtualSize(), sink)));
            assertThat(data).isBetween(0L, reader.virtualSize());
            assertThat(sink.position()).isEqualTo(reader.virtualSize());
        } catch (InvalidDiskImageException e) {
            assertThat(e.check()).startsWith("disk.");
            assertThat(e.getMessage()).isNotBlank();
        }
        assertThat(allocatedBytes() - before).as("bytes allocated").isLessThan(MAX_ALLOCATED);
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + (i >> 9));
        }
        return bytes;
    }

    /** An image held in memory, random access, as a local file or a ranged GET would serve it. */
    private record MemorySource(String name, byte[] bytes) implements ImageSource {

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public InputStream open(long offset, long length) {
            if (offset < 0 || length < 0) {
                throw new IllegalArgumentException("a read of " + length + " bytes at " + offset);
            }
            int from = (int) Math.min(offset, bytes.length);
            return new ByteArrayInputStream(bytes, from, (int) Math.min(length, bytes.length - from));
        }
    }

    /** Keeps nothing: counts what a writer puts, as the end of the image. */
    private static final class CountingSink implements ImageSink {
        private long position;

        @Override
        public void write(byte[] bytes, int from, int length) {
            Objects.checkFromIndexSize(from, length, bytes.length);
            position += length;
        }

        @Override
        public void writeZeros(long count) {
            if (count < 0) {
                throw new IllegalArgumentException("negative zeros: " + count);
            }
            position += count;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public long patchableHead() {
            return 0;
        }

        @Override
        public void patch(long offset, byte[] bytes, int from, int length) {
            throw new IllegalStateException("a raw writer patches nothing");
        }

        @Override
        public void finish() {
        }

        @Override
        public void close() {
        }
    }
}
