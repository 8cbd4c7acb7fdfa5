package org.ovaflow.disk.raw;

import org.ovaflow.disk.DiskImageReader;
import org.ovaflow.disk.ImageSource;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.SourceCursor;
import org.ovaflow.disk.Zeros;

import java.io.EOFException;
import java.io.IOException;

/**
 * Guest data stored as it is: a raw image (the whole file is the disk), or a stretch of a file that holds a
 * disk's bytes verbatim (a VMDK's FLAT extent). Read forward in one stream; blocks of zeros are not handed on,
 * so a raw source converts to sparse targets without allocating its empty space.
 */
public final class RawReader implements DiskImageReader {

    static final int BLOCK = 1024 * 1024;

    private final SourceCursor cursor;
    private final long start;
    private final long virtualSize;
    private final String truncatedCheck;
    /** The whole source is the disk, its size the source's: no read can find it short. */
    private final boolean wholeSource;
    private final byte[] block = new byte[BLOCK];
    private long offset;

    private RawReader(SourceCursor cursor, long start, long length, String truncatedCheck, boolean wholeSource) {
        this.cursor = cursor;
        this.start = start;
        this.virtualSize = length;
        this.truncatedCheck = truncatedCheck;
        this.wholeSource = wholeSource;
    }

    /** A raw reader over the whole of {@code source}, whose size must be known. */
    public static RawReader open(ImageSource source, ReadOptions options) throws InvalidDiskImageException {
        if (source.size() < 0) {
            throw new InvalidDiskImageException("disk.random-access", source.name()
                    + " is a compressed raw image whose size is unknown until its end; raw disks must be stored "
                    + "uncompressed");
        }
        options.checkVirtualSize("raw", source.name(), source.size());
        return new RawReader(new SourceCursor(source), 0, source.size(), "disk.raw.truncated", true);
    }

    /**
     * {@code length} bytes of guest data stored verbatim in {@code cursor}'s file from byte {@code start}; a file
     * that ends before is refused with {@code truncatedCheck}.
     */
    public static RawReader extent(SourceCursor cursor, long start, long length, String truncatedCheck) {
        return new RawReader(cursor, start, length, truncatedCheck, false);
    }

    @Override
    public long virtualSize() {
        return virtualSize;
    }

    /** A whole-file raw image; an extent's file may end before the extent does, which only a read finds. */
    @Override
    public boolean anyDataIsValid() {
        return wholeSource;
    }

    @Override
    public Chunk next() throws IOException {
        try {
            while (offset < virtualSize) {
                int length = (int) Math.min(BLOCK, virtualSize - offset);
                cursor.read(start + offset, block, 0, length);
                long at = offset;
                offset += length;
                if (!Zeros.allZero(block, 0, length)) {
                    return new Chunk(at, block, length);
                }
            }
            return null;
        } catch (EOFException e) {
            throw new InvalidDiskImageException(truncatedCheck, e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        cursor.close();
    }
}
