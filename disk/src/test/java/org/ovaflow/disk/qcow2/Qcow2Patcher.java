package org.ovaflow.disk.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.LongPredicate;

/**
 * A copy of a good qcow2 image, read and patched field by field to make the hostile images of the tests.
 * Offsets are those of qcow2.txt; values big-endian.
 */
final class Qcow2Patcher {

    private final Path file;

    private Qcow2Patcher(Path file) {
        this.file = file;
    }

    /** Copies {@code good} to {@code copy} and opens the copy for patching. */
    static Qcow2Patcher copy(Path good, Path copy) throws IOException {
        Files.copy(good, copy, StandardCopyOption.REPLACE_EXISTING);
        return new Qcow2Patcher(copy);
    }

    Path file() {
        return file;
    }

    long size() throws IOException {
        return Files.size(file);
    }

    int clusterSize() throws IOException {
        return 1 << readInt(20);
    }

    long l1TableOffset() throws IOException {
        return readLong(40);
    }

    long refcountTableOffset() throws IOException {
        return readLong(48);
    }

    long l1Entry(int index) throws IOException {
        return readLong(l1TableOffset() + 8L * index);
    }

    /** The L2 table offset of L1 entry {@code index}. */
    long l2Table(int index) throws IOException {
        return l1Entry(index) & 0x00ff_ffff_ffff_fe00L;
    }

    /** Where in the file the first L2 entry (of any allocated L2 table, in guest order) matching lives. */
    long findL2Entry(LongPredicate matching) throws IOException {
        int l1Size = readInt(36);
        int entries = clusterSize() / 8;
        for (int i = 0; i < l1Size; i++) {
            long table = l2Table(i);
            if (table == 0) {
                continue;
            }
            for (int j = 0; j < entries; j++) {
                long at = table + 8L * j;
                if (matching.test(readLong(at))) {
                    return at;
                }
            }
        }
        throw new AssertionError("no L2 entry in " + file + " matches");
    }

    long firstStandardEntry() throws IOException {
        return findL2Entry(e -> (e & (1L << 62)) == 0 && (e & 1) == 0 && (e & 0x00ff_ffff_ffff_fe00L) != 0);
    }

    long firstCompressedEntry() throws IOException {
        return findL2Entry(e -> (e & (1L << 62)) != 0);
    }

    long readLong(long at) throws IOException {
        return read(at, 8).getLong();
    }

    int readInt(long at) throws IOException {
        return read(at, 4).getInt();
    }

    Qcow2Patcher putLong(long at, long value) throws IOException {
        return write(at, ByteBuffer.allocate(8).putLong(0, value));
    }

    Qcow2Patcher putInt(long at, int value) throws IOException {
        return write(at, ByteBuffer.allocate(4).putInt(0, value));
    }

    Qcow2Patcher putBytes(long at, byte[] bytes) throws IOException {
        return write(at, ByteBuffer.wrap(bytes));
    }

    Qcow2Patcher truncate(long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
        return this;
    }

    private ByteBuffer read(long at, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, at + buffer.position()) < 0) {
                    throw new AssertionError(file + " ends before " + (at + length));
                }
            }
        }
        return buffer.flip();
    }

    private Qcow2Patcher write(long at, ByteBuffer buffer) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            while (buffer.hasRemaining()) {
                channel.write(buffer, at + buffer.position());
            }
        }
        return this;
    }
}
