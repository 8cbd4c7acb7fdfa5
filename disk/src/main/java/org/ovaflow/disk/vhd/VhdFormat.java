package org.ovaflow.disk.vhd;

import java.nio.charset.StandardCharsets;

/**
 * The numbers of Microsoft's "Virtual Hard Disk Image Format Specification" (all fields big-endian) and the
 * limits ovaflow and qemu put on them.
 */
final class VhdFormat {

    static final int SECTOR = 512;
    static final int FOOTER_SIZE = 512;
    static final int DYNAMIC_HEADER_SIZE = 1024;

    static final byte[] FOOTER_COOKIE = "conectix".getBytes(StandardCharsets.US_ASCII);
    static final byte[] DYNAMIC_HEADER_COOKIE = "cxsparse".getBytes(StandardCharsets.US_ASCII);

    static final int DISK_TYPE_FIXED = 2;
    static final int DISK_TYPE_DYNAMIC = 3;
    static final int DISK_TYPE_DIFFERENCING = 4;

    /** "No further structure": a fixed disk's data offset, a dynamic header's unused next-header offset. */
    static final long NO_OFFSET = 0xFFFF_FFFF_FFFF_FFFFL;
    /** A block allocation table entry for a block that holds no data (reads as zeros). */
    static final int UNALLOCATED = 0xFFFF_FFFF;

    /** 2040 GiB (0xFF000000 sectors): the largest disk the spec's 32-bit sector numbers allow, and qemu's limit. */
    static final long MAX_VIRTUAL_SIZE = 0xFF00_0000L * SECTOR;

    /** Seconds from the Unix epoch to 2000-01-01 00:00:00 UTC, where VHD timestamps start. */
    static final long TIMESTAMP_EPOCH = 946_684_800L;

    private VhdFormat() {
    }

    /** The one's complement of the byte sum of a footer or header, its checksum field counted as zeros. */
    static int checksum(byte[] structure, int checksumField) {
        int sum = 0;
        for (int i = 0; i < structure.length; i++) {
            if (i < checksumField || i >= checksumField + 4) {
                sum += structure[i] & 0xff;
            }
        }
        return ~sum;
    }

    static boolean startsWith(byte[] bytes, byte[] cookie) {
        if (bytes.length < cookie.length) {
            return false;
        }
        for (int i = 0; i < cookie.length; i++) {
            if (bytes[i] != cookie[i]) {
                return false;
            }
        }
        return true;
    }
}
