package org.ovaflow.validate.disk;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The 512-byte VHD footer ("conectix", big-endian): at the end of every VHD, with a copy at offset 0 of a dynamic
 * or differencing one; and, for a differencing disk, the parent its dynamic header names.
 */
final class VhdFooter {

    static final byte[] COOKIE = "conectix".getBytes(StandardCharsets.US_ASCII);
    static final int SIZE = 512;

    private static final byte[] DYNAMIC_COOKIE = "cxsparse".getBytes(StandardCharsets.US_ASCII);
    private static final int DYNAMIC_HEADER_SIZE = 1024;
    private static final int CHECKSUM_FIELD = 64;
    private static final int TYPE_FIXED = 2;
    private static final int TYPE_DYNAMIC = 3;
    private static final int TYPE_DIFFERENCING = 4;
    private static final int PARENT_NAME = 64;
    private static final int PARENT_NAME_BYTES = 512;
    private static final int LOCATORS = 576;
    private static final int LOCATOR_COUNT = 8;
    private static final int MAX_LOCATOR_BYTES = 1024;

    private VhdFooter() {
    }

    /** A VHD whose first 512 bytes are its footer's copy: dynamic or differencing. */
    static DiskHeader probeHead(byte[] head, int length) {
        if (length < SIZE) {
            return DiskHeader.defective(DiskFormat.VHD_DYNAMIC, "a VHD footer (conectix) cut short: " + length
                    + " bytes of 512");
        }
        String defect = checksumDefect(head, 0);
        if (defect != null) {
            return DiskHeader.defective(DiskFormat.VHD_DYNAMIC, defect);
        }
        ByteBuffer b = ByteBuffer.wrap(head, 0, length);
        int type = b.getInt(60);
        long currentSize = b.getLong(48);
        DiskFormat format = switch (type) {
            case TYPE_FIXED -> DiskFormat.VHD_FIXED;
            case TYPE_DYNAMIC -> DiskFormat.VHD_DYNAMIC;
            case TYPE_DIFFERENCING -> DiskFormat.VHD_DIFFERENCING;
            default -> null;
        };
        if (format == null) {
            return DiskHeader.defective(DiskFormat.VHD_DYNAMIC, "a VHD footer of disk type "
                    + Integer.toUnsignedString(type) + "; 2 (fixed), 3 (dynamic) and 4 (differencing) exist");
        }
        if (currentSize < 0) {
            return DiskHeader.defective(format, "a VHD footer declaring a size of " + Long.toUnsignedString(currentSize)
                    + " bytes");
        }
        List<DiskReference> references = type == TYPE_DIFFERENCING
                ? List.of(new DiskReference(DiskReference.Kind.VHD_PARENT, parent(head, length, b.getLong(16)), false))
                : List.of();
        return new DiskHeader(format, currentSize, false, references, null);
    }

    /** A file that ends with a VHD footer and does not start with one: a fixed VHD. */
    static DiskHeader probeTail(byte[] tail) {
        String defect = checksumDefect(tail, 0);
        if (defect != null) {
            return DiskHeader.defective(DiskFormat.VHD_FIXED, defect);
        }
        ByteBuffer b = ByteBuffer.wrap(tail);
        int type = b.getInt(60);
        long currentSize = b.getLong(48);
        if (type != TYPE_FIXED) {
            return DiskHeader.defective(DiskFormat.VHD_FIXED, "a VHD footer of disk type "
                    + Integer.toUnsignedString(type) + " at the end, without its copy at the start that a dynamic "
                    + "VHD has");
        }
        if (currentSize < 0) {
            return DiskHeader.defective(DiskFormat.VHD_FIXED, "a VHD footer declaring a size of "
                    + Long.toUnsignedString(currentSize) + " bytes");
        }
        return DiskHeader.of(DiskFormat.VHD_FIXED, currentSize);
    }

    static boolean startsWithCookie(byte[] bytes, int at, int length) {
        return startsWith(bytes, at, length, COOKIE);
    }

    /** The one's complement of the byte sum, the checksum field counted as zeros. */
    private static String checksumDefect(byte[] bytes, int at) {
        int sum = 0;
        for (int i = 0; i < SIZE; i++) {
            if (i < CHECKSUM_FIELD || i >= CHECKSUM_FIELD + 4) {
                sum += bytes[at + i] & 0xff;
            }
        }
        int stored = ByteBuffer.wrap(bytes, at, SIZE).getInt(at + CHECKSUM_FIELD);
        return ~sum == stored ? null : "a VHD footer whose checksum (0x" + Integer.toHexString(stored)
                + ") is not its bytes' (0x" + Integer.toHexString(~sum) + "): corrupt";
    }

    /** The parent's name and locators from the dynamic header at {@code offset}, when it lies within the head. */
    private static String parent(byte[] head, int length, long offset) {
        if (offset < SIZE || offset > length - DYNAMIC_HEADER_SIZE || !startsWith(head, (int) offset, length,
                DYNAMIC_COOKIE)) {
            return "(named in a dynamic header at byte " + Long.toUnsignedString(offset) + ", not within the first "
                    + DiskImageProbe.HEAD_BYTES / 1024 + " KiB)";
        }
        int at = (int) offset;
        String name = HeaderText.ofUtf16(head, at + PARENT_NAME, at + PARENT_NAME + PARENT_NAME_BYTES,
                StandardCharsets.UTF_16BE);
        List<String> locators = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(head, 0, length);
        for (int i = 0; i < LOCATOR_COUNT; i++) {
            int entry = at + LOCATORS + 24 * i;
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

    private static boolean startsWith(byte[] bytes, int at, int length, byte[] prefix) {
        if (at < 0 || length - at < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
