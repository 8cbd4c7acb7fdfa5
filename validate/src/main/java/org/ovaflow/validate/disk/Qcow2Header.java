package org.ovaflow.validate.disk;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A qcow2 header (qemu's docs/interop/qcow2.txt, big-endian) as far as it says how large the disk is and
 * which other files it needs: a backing file, an external data file.
 */
final class Qcow2Header {

    static final int MAGIC = 0x514649fb;

    private static final int HEADER_V2 = 72;
    private static final int HEADER_V3_MIN = 104;
    /** qemu refuses longer backing file names. */
    private static final int MAX_BACKING_NAME = 1023;
    private static final long INCOMPATIBLE_EXTERNAL_DATA_FILE = 1L << 2;
    private static final int EXTENSION_END = 0;
    private static final int EXTENSION_DATA_FILE = 0x44415441;

    private Qcow2Header() {
    }

    static DiskHeader probe(byte[] head, int length) {
        if (length < HEADER_V2) {
            return truncated(length, HEADER_V2);
        }
        ByteBuffer b = ByteBuffer.wrap(head, 0, length);
        int version = b.getInt(4);
        if (version != 2 && version != 3) {
            return defective("a qcow2 header of version " + Integer.toUnsignedString(version)
                    + "; versions 2 and 3 exist");
        }
        int clusterBits = b.getInt(20);
        if (clusterBits < 9 || clusterBits > 21) {
            return defective("a qcow2 header declaring cluster_bits " + clusterBits + "; 9 to 21 are valid");
        }
        long size = b.getLong(24);
        if (size < 0) {
            return defective("a qcow2 header declaring a virtual size of " + Long.toUnsignedString(size) + " bytes");
        }
        long incompatible = 0;
        long extensionsAt = HEADER_V2;
        if (version == 3) {
            if (length < HEADER_V3_MIN) {
                return truncated(length, HEADER_V3_MIN);
            }
            incompatible = b.getLong(72);
            extensionsAt = Integer.toUnsignedLong(b.getInt(100));
            if (extensionsAt < HEADER_V3_MIN || extensionsAt % 8 != 0 || extensionsAt > DiskImageProbe.HEAD_BYTES) {
                return defective("a qcow2 header declaring a header length of " + extensionsAt
                        + " bytes; a multiple of 8 from " + HEADER_V3_MIN + " is valid");
            }
            if (extensionsAt > length) {
                return truncated(length, (int) extensionsAt);
            }
        }
        List<DiskReference> references = new ArrayList<>();
        long backingOffset = b.getLong(8);
        if (backingOffset != 0) {
            references.add(new DiskReference(DiskReference.Kind.QCOW2_BACKING_FILE,
                    backingName(head, length, backingOffset, Integer.toUnsignedLong(b.getInt(16))), false));
        }
        String dataFile = dataFileName(head, length, (int) extensionsAt);
        if ((incompatible & INCOMPATIBLE_EXTERNAL_DATA_FILE) != 0 || dataFile != null) {
            references.add(new DiskReference(DiskReference.Kind.QCOW2_DATA_FILE,
                    dataFile != null ? dataFile : "(incompatible feature bit 2; its name is given when the image "
                            + "is opened)", false));
        }
        return new DiskHeader(DiskFormat.QCOW2, size, false, references, null);
    }

    private static String backingName(byte[] head, int length, long offset, long size) {
        if (size < 1 || size > MAX_BACKING_NAME) {
            return "(a name of " + size + " bytes at byte " + Long.toUnsignedString(offset) + ")";
        }
        if (offset < 0 || offset > length - size) {
            return "(its name, at byte " + Long.toUnsignedString(offset) + ", is past the first "
                    + DiskImageProbe.HEAD_BYTES / 1024 + " KiB that are checked)";
        }
        return HeaderText.of(head, (int) offset, (int) (offset + size), StandardCharsets.UTF_8);
    }

    /** The external data file header extension's name, null when the extensions within reach hold none. */
    private static String dataFileName(byte[] head, int length, int at) {
        ByteBuffer b = ByteBuffer.wrap(head, 0, length);
        int position = at;
        while (position <= length - 8) {
            int type = b.getInt(position);
            long size = Integer.toUnsignedLong(b.getInt(position + 4));
            if (type == EXTENSION_END || size > length - position - 8) {
                return null;
            }
            if (type == EXTENSION_DATA_FILE) {
                return HeaderText.of(head, position + 8, (int) (position + 8 + size), StandardCharsets.UTF_8);
            }
            // each extension's data is padded to 8 bytes; every step moves forward, so the walk ends
            position += 8 + (int) ((size + 7) & ~7L);
        }
        return null;
    }

    private static DiskHeader truncated(int length, int needed) {
        return defective("a qcow2 header cut short: " + length + " bytes of at least " + needed);
    }

    private static DiskHeader defective(String defect) {
        return DiskHeader.defective(DiskFormat.QCOW2, defect);
    }
}
