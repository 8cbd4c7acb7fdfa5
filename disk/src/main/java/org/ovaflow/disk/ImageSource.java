package org.ovaflow.disk;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The bytes of a disk image file: a local file, or one entry of an OVA in the store read by ranged GETs.
 * Each {@link #open} may be a request of its own, so readers read metadata with a few small ranges and the
 * data with long forward runs ({@link SourceCursor}).
 */
public interface ImageSource extends AutoCloseable {

    /** The file's length in bytes, or -1 when it is not known before the end (a gzip-compressed entry). */
    long size();

    /** Whether {@link #open} may go back before an earlier read; false for forward-only sources (gzip). */
    default boolean randomAccess() {
        return true;
    }

    /** A name for messages: the entry or file name. */
    String name();

    /** A stream of at most {@code length} bytes from {@code offset}. */
    InputStream open(long offset, long length) throws IOException;

    /** Exactly {@code length} bytes at {@code offset}; fails when the file ends before. */
    default byte[] readFully(long offset, int length) throws IOException {
        byte[] bytes = new byte[length];
        try (InputStream in = open(offset, length)) {
            int read = in.readNBytes(bytes, 0, length);
            if (read < length) {
                throw new EOFException(name() + " ends at " + (offset + read) + ", " + length + " bytes were expected at "
                        + offset);
            }
        }
        return bytes;
    }

    @Override
    default void close() throws IOException {
    }
}
