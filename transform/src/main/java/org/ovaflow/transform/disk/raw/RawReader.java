package org.ovaflow.transform.disk.raw;

import org.ovaflow.transform.disk.DiskImageReader;
import org.ovaflow.transform.disk.ImageSource;
import org.ovaflow.transform.disk.InvalidDiskImageException;
import org.ovaflow.transform.disk.ReadOptions;
import org.ovaflow.transform.disk.SourceCursor;
import org.ovaflow.transform.disk.Zeros;

import java.io.IOException;

/**
 * A raw image: the file is the disk. Read forward in one stream; blocks of zeros are not handed on, so a
 * raw source converts to sparse targets without allocating its empty space.
 */
public final class RawReader implements DiskImageReader {

    static final int BLOCK = 1024 * 1024;

    private final SourceCursor cursor;
    private final long virtualSize;
    private final byte[] block = new byte[BLOCK];
    private long offset;

    private RawReader(ImageSource source, long virtualSize) {
        this.cursor = new SourceCursor(source);
        this.virtualSize = virtualSize;
    }

    /** A raw reader over the whole of {@code source}, whose size must be known. */
    public static RawReader open(ImageSource source, ReadOptions options) throws InvalidDiskImageException {
        if (source.size() < 0) {
            throw new InvalidDiskImageException("disk.random-access", source.name()
                    + " is a compressed raw image whose size is unknown until its end; raw disks must be stored "
                    + "uncompressed");
        }
        options.checkVirtualSize("raw", source.name(), source.size());
        return new RawReader(source, source.size());
    }

    @Override
    public long virtualSize() {
        return virtualSize;
    }

    @Override
    public Chunk next() throws IOException {
        while (offset < virtualSize) {
            int length = (int) Math.min(BLOCK, virtualSize - offset);
            cursor.read(offset, block, 0, length);
            long at = offset;
            offset += length;
            if (!Zeros.allZero(block, 0, length)) {
                return new Chunk(at, block, length);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        cursor.close();
    }
}
