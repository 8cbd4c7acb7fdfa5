package org.ovaflow.disk.vhd;

import org.ovaflow.disk.DiskFormat;
import org.ovaflow.disk.DiskHeaders;
import org.ovaflow.disk.HeaderText;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The 1024-byte dynamic disk header a dynamic VHD's footer points at: where the block allocation table is,
 * how many entries it has and how large a block is. Of the parent fields (differencing disks, which are
 * refused) only the header probe reads the parent's name and locators ({@link #parentOf}), to name it.
 *
 * @param cookieMatches whether it starts with "cxsparse"
 */
record VhdDynamicHeader(boolean cookieMatches, long tableOffset, int headerVersion, long maxTableEntries,
                        long blockSize, int storedChecksum, boolean checksumMatches) {

    static final int CHECKSUM_FIELD = 36;
    static final int HEADER_VERSION = 0x0001_0000;

    private static final int PARENT_NAME = 64;
    private static final int PARENT_NAME_BYTES = 512;
    private static final int LOCATORS = 576;
    private static final int LOCATOR_COUNT = 8;
    private static final int LOCATOR_SIZE = 24;
    private static final int MAX_LOCATOR_BYTES = 1024;

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

    /**
     * The parent's name and locators from the dynamic header at {@code offset} of {@code head[0, length)}, as
     * printable text; when the header is not within the head, where it is.
     */
    static String parentOf(byte[] head, int length, long offset) {
        if (offset < VhdFormat.FOOTER_SIZE || offset > length - VhdFormat.DYNAMIC_HEADER_SIZE
                || !DiskFormat.startsWithAt(head, (int) offset, length, VhdFormat.DYNAMIC_HEADER_COOKIE)) {
            return "(named in a dynamic header at byte " + Long.toUnsignedString(offset) + ", not within the first "
                    + DiskHeaders.HEAD_BYTES / 1024 + " KiB)";
        }
        int at = (int) offset;
        String name = HeaderText.ofUtf16(head, at + PARENT_NAME, at + PARENT_NAME + PARENT_NAME_BYTES,
                StandardCharsets.UTF_16BE);
        List<String> locators = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(head, 0, length);
        for (int i = 0; i < LOCATOR_COUNT; i++) {
            int entry = at + LOCATORS + LOCATOR_SIZE * i;
            String platform = new String(head, entry, 4, StandardCharsets.US_ASCII);
            long size = Integer.toUnsignedLong(b.getInt(entry + 8));
            long dataOffset = b.getLong(entry + 16);
            if (b.getInt(entry) == 0 || size == 0 || size > MAX_LOCATOR_BYTES || dataOffset < 0
                    || dataOffset > length - size) {
                continue;
            }
            int from = (int) dataOffset;
            int to = (int) (dataOffset + size);
            // Windows locators are UTF-16LE paths, Mac ones UTF-8 (MacX: a file URL)
            locators.add(platform.startsWith("W")
                    ? HeaderText.ofUtf16(head, from, to, StandardCharsets.UTF_16LE)
                    : HeaderText.of(head, from, to, StandardCharsets.UTF_8));
        }
        return (name.isEmpty() ? "(unnamed)" : name) + (locators.isEmpty() ? "" : " (locators: "
                + String.join(", ", locators) + ")");
    }
}
