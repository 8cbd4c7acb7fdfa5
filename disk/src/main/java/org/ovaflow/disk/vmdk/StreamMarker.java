package org.ovaflow.disk.vmdk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The markers of a streamOptimized extent (Virtual Disk Format 5.0 §4.3): every grain and every table
 * past the header starts on a sector with one, so the file can be read and written strictly forward.
 * A grain marker is {@code lba (u64), size (u32)} followed by the deflated grain; a metadata marker has
 * size 0, the number of sectors that follow it in place of the lba, and its type at byte 12.
 */
final class StreamMarker {

    /** lba + size: where a grain's compressed data starts within its first sector. */
    static final int GRAIN_HEADER = 12;

    static final int TYPE_END_OF_STREAM = 0;
    static final int TYPE_GRAIN_TABLE = 1;
    static final int TYPE_GRAIN_DIRECTORY = 2;
    static final int TYPE_FOOTER = 3;

    private StreamMarker() {
    }

    /** A metadata marker, one whole sector. */
    static byte[] metadata(long sectorsFollowing, int type) {
        ByteBuffer b = ByteBuffer.allocate(SparseExtentHeader.SECTOR).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(sectorsFollowing).putInt(0).putInt(type);
        return b.array();
    }

    static String typeName(int type) {
        return switch (type) {
            case TYPE_END_OF_STREAM -> "end-of-stream";
            case TYPE_GRAIN_TABLE -> "grain table";
            case TYPE_GRAIN_DIRECTORY -> "grain directory";
            case TYPE_FOOTER -> "footer";
            default -> "unknown (" + Integer.toUnsignedString(type) + ")";
        };
    }
}
