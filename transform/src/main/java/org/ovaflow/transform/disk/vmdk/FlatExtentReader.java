package org.ovaflow.transform.disk.vmdk;

import org.ovaflow.transform.disk.DiskImageReader;
import org.ovaflow.transform.disk.InvalidDiskImageException;
import org.ovaflow.transform.disk.SourceCursor;
import org.ovaflow.transform.disk.Zeros;

import java.io.EOFException;
import java.io.IOException;

/**
 * A FLAT or VMFS extent: {@code length} bytes of guest data stored as they are in a file of the package,
 * from byte {@code start}. Read forward in one stream, 1 MiB at a time; blocks of zeros are not handed on.
 */
final class FlatExtentReader implements DiskImageReader {

    private static final int BLOCK = 1024 * 1024;

    private final SourceCursor cursor;
    private final long start;
    private final long length;
    private final byte[] block = new byte[BLOCK];
    private long offset;

    FlatExtentReader(SourceCursor cursor, long start, long length) {
        this.cursor = cursor;
        this.start = start;
        this.length = length;
    }

    @Override
    public long virtualSize() {
        return length;
    }

    @Override
    public Chunk next() throws IOException {
        try {
            while (offset < length) {
                int n = (int) Math.min(BLOCK, length - offset);
                cursor.read(start + offset, block, 0, n);
                long at = offset;
                offset += n;
                if (!Zeros.allZero(block, 0, n)) {
                    return new Chunk(at, block, n);
                }
            }
            return null;
        } catch (EOFException e) {
            throw new InvalidDiskImageException("disk.vmdk.truncated", e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        cursor.close();
    }
}
