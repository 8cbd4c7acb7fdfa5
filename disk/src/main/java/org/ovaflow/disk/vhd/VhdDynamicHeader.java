package org.ovaflow.disk.vhd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 1024-byte dynamic disk header a dynamic VHD's footer points at: where the block allocation table is,
 * how many entries it has and how large a block is. Parent fields (differencing disks) are not modelled:
 * those disks are refused.
 *
 * @param cookieMatches whether it starts with "cxsparse"
 */
record VhdDynamicHeader(boolean cookieMatches, long tableOffset, int headerVersion, long maxTableEntries,
                        long blockSize, int storedChecksum, boolean checksumMatches) {

    static final int CHECKSUM_FIELD = 36;
    static final int HEADER_VERSION = 0x0001_0000;

    static VhdDynamicHeader parse(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        int checksum = in.getInt(CHECKSUM_FIELD);
        return new VhdDynamicHeader(VhdFormat.startsWith(bytes, VhdFormat.DYNAMIC_HEADER_COOKIE), in.getLong(16),
                in.getInt(24), Integer.toUnsignedLong(in.getInt(28)), Integer.toUnsignedLong(in.getInt(32)), checksum,
                VhdFormat.checksum(bytes, CHECKSUM_FIELD) == checksum);
    }

    /** The header's 1024 bytes for a disk without a parent, checksum computed. */
    static byte[] encode(long tableOffset, int maxTableEntries, int blockSize) {
        byte[] bytes = new byte[VhdFormat.DYNAMIC_HEADER_SIZE];
        ByteBuffer out = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        out.put(0, VhdFormat.DYNAMIC_HEADER_COOKIE);
        out.putLong(8, VhdFormat.NO_OFFSET);
        out.putLong(16, tableOffset);
        out.putInt(24, HEADER_VERSION);
        out.putInt(28, maxTableEntries);
        out.putInt(32, blockSize);
        // parent id, time stamp, name and locators stay zero: the disk has no parent
        out.putInt(CHECKSUM_FIELD, VhdFormat.checksum(bytes, CHECKSUM_FIELD));
        return bytes;
    }

    /**
     * The bytes of a block's sector bitmap: a bit for each sector, padded to a whole sector. For block sizes
     * of 4 KiB and more this is also what qemu computes.
     */
    static int bitmapSize(long blockSize) {
        long bits = blockSize / VhdFormat.SECTOR;
        long bytes = (bits + 7) / 8;
        return (int) ((bytes + VhdFormat.SECTOR - 1) / VhdFormat.SECTOR * VhdFormat.SECTOR);
    }
}
