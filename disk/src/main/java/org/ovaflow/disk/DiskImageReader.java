package org.ovaflow.disk;

import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;

/**
 * A disk image read as its guest sees it: a virtual size and the runs of data the image holds, in ascending
 * virtual order. Every byte no chunk covers reads as zero (unallocated in the source), so a sparse source
 * stays sparse through a conversion.
 *
 * <p>Readers are pulled ({@link #next()}) so a conversion runs at the pace of its slowest writer and holds no
 * more than the chunks in flight; decoding (inflate) may run ahead on other threads, in bounded number.
 */
public interface DiskImageReader extends Closeable {

    /** The size of the disk the guest sees, in bytes. */
    long virtualSize();

    /**
     * The next run of data, at a virtual offset past the end of the previous chunk, or null at the end of
     * the image. The chunk's array is the reader's: valid until the next call, not to be kept.
     *
     * @throws InvalidDiskImageException when the image is corrupt or hostile (a named rejection)
     */
    Chunk next() throws IOException;

    /**
     * Where the image's data may be, as its own tables say, read before its data (call it before {@link #next()}):
     * what lets a writer lay out its file up front. Empty when the format or the source does not tell (the default).
     */
    default Optional<AllocationMap> allocation() throws IOException {
        return Optional.empty();
    }

    /**
     * Whether any bytes of the image's length are a valid image of its format (a whole-file raw image): reading
     * its data can refuse nothing the opening did not, so a reader that only judges the image need not read it.
     */
    default boolean anyDataIsValid() {
        return false;
    }

    /** {@code length} bytes of guest data at virtual {@code offset}, held in {@code data[from, from + length)}. */
    record Chunk(long offset, byte[] data, int from, int length) {

        /** A chunk held at the start of {@code data}. */
        public Chunk(long offset, byte[] data, int length) {
            this(offset, data, 0, length);
        }

        public long end() {
            return offset + length;
        }
    }
}
