package org.ovaflow.disk.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * Raw disk images with the data patterns that break codecs: random (incompressible) blocks, compressible
 * text, runs of zeros that are and are not cluster-aligned, a block that is all zeros but written, data in
 * the very last bytes of the disk, and a size that is not a multiple of any cluster or grain size.
 */
public final class TestDisks {

    /** 40 MiB + 3 sectors: no format's cluster (64 KiB), grain (64 KiB) or block (2 MiB) divides it. */
    public static final long ODD_SIZE = 40L * 1024 * 1024 + 3 * 512;

    private TestDisks() {
    }

    /** Writes a sparse raw image of {@code size} bytes (a multiple of 512) with the patterns, seeded. */
    public static Path patterned(Path file, long size, long seed) throws IOException {
        Random random = new Random(seed);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            // the first 64 KiB: a boot sector's worth of random bytes, then text
            put(out, 0, randomBytes(random, 512));
            put(out, 512, text(64 * 1024 - 512));
            // 1 MiB of incompressible data not aligned to anything
            put(out, 3 * 1024 * 1024 + 4608, randomBytes(random, 1024 * 1024));
            // a written run of zeros: allocated in the source, all zero
            put(out, 8L * 1024 * 1024, new byte[256 * 1024]);
            // scattered 4 KiB blocks across the disk
            for (int i = 0; i < 64; i++) {
                long at = (Math.floorMod(random.nextLong(), size - 8192) / 512) * 512;
                put(out, at, randomBytes(random, 4096));
            }
            // compressible data spanning a 2 MiB block boundary
            put(out, 16L * 1024 * 1024 - 100 * 1024, text(300 * 1024));
            // the very end of the disk
            put(out, size - 1536, randomBytes(random, 1536));
            out.truncate(size);
            if (out.size() < size) {
                out.write(ByteBuffer.allocate(1), size - 1);
            }
        }
        return file;
    }

    /** An image of {@code size} bytes with nothing but zeros (entirely sparse). */
    public static Path empty(Path file, long size) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.allocate(1), size - 1);
        }
        return file;
    }

    private static void put(FileChannel out, long at, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long position = at;
        while (buffer.hasRemaining()) {
            position += out.write(buffer, position);
        }
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] text(int length) {
        byte[] line = "ovaflow test data: the quick brown fox jumps over the lazy dog 0123456789\n".getBytes();
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = line[i % line.length];
        }
        return bytes;
    }
}
