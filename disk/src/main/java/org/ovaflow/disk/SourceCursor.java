package org.ovaflow.disk;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads an {@link ImageSource} forward with as few requests as it can: one open stream that later reads
 * continue, gaps up to {@link #SKIP_LIMIT} read through rather than re-requested, a new range opened only
 * when the reader jumps back or far ahead. Images written in order (what every tool writes) are so read
 * with a single GET.
 */
public final class SourceCursor implements AutoCloseable {

    /** Gaps shorter than this are read and dropped: cheaper than a new request. */
    static final long SKIP_LIMIT = 4L * 1024 * 1024;

    private final ImageSource source;
    private InputStream stream;
    private long position = -1;

    public SourceCursor(ImageSource source) {
        this.source = source;
    }

    public ImageSource source() {
        return source;
    }

    /** The offset the next sequential read starts at. */
    public long position() {
        return position;
    }

    /** Reads exactly {@code length} bytes at {@code offset} into {@code into[from, from+length)}. */
    public void read(long offset, byte[] into, int from, int length) throws IOException {
        seek(offset);
        int read = stream.readNBytes(into, from, length);
        position += read;
        if (read < length) {
            throw new EOFException(source.name() + " ends at " + position + ", " + length + " bytes were expected at "
                    + offset);
        }
    }

    public byte[] read(long offset, int length) throws IOException {
        byte[] bytes = new byte[length];
        read(offset, bytes, 0, length);
        return bytes;
    }

    /**
     * Up to {@code length} bytes at {@code offset}, fewer only where the file ends: the number read.
     * For sources whose size is unknown (gzip), where the end is found by reading.
     */
    public int readUpTo(long offset, byte[] into, int from, int length) throws IOException {
        seek(offset);
        int read = stream.readNBytes(into, from, length);
        position += read;
        return read;
    }

    private void seek(long offset) throws IOException {
        if (stream != null && offset >= position && offset - position <= SKIP_LIMIT) {
            stream.skipNBytes(offset - position);
            position = offset;
            return;
        }
        if (stream != null && offset >= position && !source.randomAccess()) {
            stream.skipNBytes(offset - position);
            position = offset;
            return;
        }
        if (stream != null && !source.randomAccess()) {
            throw new InvalidDiskImageException("disk.random-access", source.name()
                    + " is compressed as a whole and can only be read forward, its format needs to go back to "
                    + offset);
        }
        close();
        long size = source.size();
        stream = source.open(offset, size < 0 ? Long.MAX_VALUE - offset : Math.max(0, size - offset));
        position = offset;
    }

    @Override
    public void close() throws IOException {
        if (stream != null) {
            stream.close();
            stream = null;
        }
    }
}
