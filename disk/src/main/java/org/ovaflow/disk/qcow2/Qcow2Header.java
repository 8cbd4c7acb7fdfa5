package org.ovaflow.disk.qcow2;

import org.ovaflow.disk.DiskFormat;
import org.ovaflow.disk.DiskHeader;
import org.ovaflow.disk.DiskHeaders;
import org.ovaflow.disk.DiskReference;
import org.ovaflow.disk.HeaderText;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.ReadOptions;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.ovaflow.disk.qcow2.Qcow2Format.*;

/**
 * What a qcow2 header says, checked field by field against what ovaflow can read: the active layer of a
 * self-contained, unencrypted image whose clusters are plain or deflate-compressed. Header extensions are
 * not read: the ones that matter (backing format, external data file name, encryption header) belong to
 * features refused here by their header fields, the others (feature names, bitmaps) change nothing in the
 * guest's data; only the header probe ({@link #probe}) walks them, for the name of an external data file.
 */
public record Qcow2Header(int version, int clusterBits, long virtualSize, long l1Size, long l1TableOffset,
                   long refcountTableOffset, long refcountTableClusters, long incompatibleFeatures) {

    /** Enough to hold every field this reader looks at (the compression type byte of version 3). */
    static final int READ_LENGTH = HEADER_LENGTH_V3;

    int clusterSize() {
        return 1 << clusterBits;
    }

    /** Entries of one L2 table (and so guest clusters one L1 entry maps). */
    int l2Entries() {
        return clusterSize() / Long.BYTES;
    }

    /** The guest clusters of the disk, the last one possibly cut short by the virtual size. */
    long guestClusters() {
        return ceilDiv(virtualSize, clusterSize());
    }

    /** The L1 entries the virtual size needs; entries past them (a shrunk image) map nothing visible. */
    long l1EntriesNeeded() {
        return ceilDiv(virtualSize, (long) clusterSize() * l2Entries());
    }

    /**
     * Parses and checks {@code head}, the first {@link #READ_LENGTH} bytes of the file (fewer when the file
     * is shorter).
     */
    static Qcow2Header parse(byte[] head, String file, ReadOptions options) throws InvalidDiskImageException {
        if (head.length < HEADER_LENGTH_V2) {
            throw new InvalidDiskImageException("disk.qcow2.truncated", file + " is " + head.length
                    + " bytes long, shorter than a qcow2 header");
        }
        ByteBuffer header = ByteBuffer.wrap(head).order(ByteOrder.BIG_ENDIAN);
        if (header.getInt(OFFSET_MAGIC) != MAGIC) {
            throw new InvalidDiskImageException("disk.qcow2.magic", file + " does not start with the qcow2 magic QFI\\xfb");
        }
        int version = header.getInt(OFFSET_VERSION);
        if (version != 2 && version != 3) {
            throw new InvalidDiskImageException("disk.qcow2.version", file + " is qcow2 version " + version
                    + "; versions 2 and 3 are read");
        }
        long incompatible = 0;
        int compressionType = COMPRESSION_ZLIB;
        if (version == 3) {
            if (head.length < HEADER_LENGTH_V3_MIN) {
                throw new InvalidDiskImageException("disk.qcow2.truncated", file + " ends inside its version 3 header");
            }
            long headerLength = header.getInt(OFFSET_HEADER_LENGTH) & 0xffff_ffffL;
            if (headerLength < HEADER_LENGTH_V3_MIN || headerLength % 8 != 0) {
                throw new InvalidDiskImageException("disk.qcow2.header", file + " declares a header length of "
                        + headerLength + " bytes; version 3 needs a multiple of 8, at least " + HEADER_LENGTH_V3_MIN);
            }
            incompatible = header.getLong(OFFSET_INCOMPATIBLE_FEATURES);
            if (headerLength > OFFSET_COMPRESSION_TYPE && head.length > OFFSET_COMPRESSION_TYPE) {
                compressionType = head[OFFSET_COMPRESSION_TYPE] & 0xff;
            }
            int refcountOrder = header.getInt(OFFSET_REFCOUNT_ORDER);
            if (refcountOrder < 0 || refcountOrder > MAX_REFCOUNT_ORDER) {
                throw new InvalidDiskImageException("disk.qcow2.header", file + " declares refcount_order "
                        + refcountOrder + "; at most " + MAX_REFCOUNT_ORDER + " is valid");
            }
        }
        if (header.getLong(OFFSET_BACKING_FILE_OFFSET) != 0) {
            throw new InvalidDiskImageException("disk.qcow2.backing-file", file + " is an overlay on a backing file: "
                    + "its data is incomplete without it; flatten it first (qemu-img convert -O qcow2)");
        }
        int cryptMethod = header.getInt(OFFSET_CRYPT_METHOD);
        if (cryptMethod != 0) {
            throw new InvalidDiskImageException("disk.qcow2.encrypted", file + " is encrypted (crypt_method "
                    + cryptMethod + "); encrypted disks cannot be converted");
        }
        checkIncompatibleFeatures(incompatible, compressionType, file);
        int clusterBits = header.getInt(OFFSET_CLUSTER_BITS);
        if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
            throw new InvalidDiskImageException("disk.qcow2.cluster-bits", file + " declares cluster_bits "
                    + clusterBits + "; " + MIN_CLUSTER_BITS + " to " + MAX_CLUSTER_BITS + " (512 B to 2 MiB) are valid");
        }
        long virtualSize = header.getLong(OFFSET_SIZE);
        options.checkVirtualSize("qcow2", file, virtualSize);
        Qcow2Header parsed = new Qcow2Header(version, clusterBits, virtualSize,
                header.getInt(OFFSET_L1_SIZE) & 0xffff_ffffL, header.getLong(OFFSET_L1_TABLE_OFFSET),
                header.getLong(OFFSET_REFCOUNT_TABLE_OFFSET), header.getInt(OFFSET_REFCOUNT_TABLE_CLUSTERS) & 0xffff_ffffL,
                incompatible);
        parsed.checkL1Size(file);
        return parsed;
    }

    private static void checkIncompatibleFeatures(long incompatible, int compressionType, String file)
            throws InvalidDiskImageException {
        if ((incompatible & INCOMPATIBLE_CORRUPT) != 0) {
            throw new InvalidDiskImageException("disk.qcow2.corrupt", file + " is marked corrupt by qemu (incompatible "
                    + "feature bit 1); repair it with qemu-img check -r all first");
        }
        if ((incompatible & INCOMPATIBLE_EXTERNAL_DATA_FILE) != 0) {
            throw new InvalidDiskImageException("disk.qcow2.external-data-file", file + " keeps its data in an external "
                    + "data file, which is not part of the image; convert it to a self-contained image first");
        }
        if ((incompatible & INCOMPATIBLE_EXTENDED_L2) != 0) {
            throw new InvalidDiskImageException("disk.qcow2.extended-l2", file + " uses extended L2 entries "
                    + "(subclusters), which are not supported");
        }
        if ((incompatible & INCOMPATIBLE_COMPRESSION_TYPE) != 0 || compressionType != COMPRESSION_ZLIB) {
            throw new InvalidDiskImageException("disk.qcow2.compression-type", file + " compresses its clusters with "
                    + (compressionType == 1 ? "zstd" : "compression type " + compressionType)
                    + "; only zlib (deflate) is supported");
        }
        long unknown = incompatible & ~INCOMPATIBLE_KNOWN;
        if (unknown != 0) {
            throw new InvalidDiskImageException("disk.qcow2.incompatible-feature", file + " sets incompatible feature "
                    + "bit(s) 0x" + Long.toHexString(unknown) + " this reader does not know; it must not read the image");
        }
    }

    private void checkL1Size(String file) throws InvalidDiskImageException {
        long needed = l1EntriesNeeded();
        if (needed > MAX_L1_ENTRIES) {
            throw new InvalidDiskImageException("disk.qcow2.l1-size", file + " needs " + needed + " L1 entries for "
                    + virtualSize + " bytes with " + clusterSize() + "-byte clusters; qemu allows at most " + MAX_L1_ENTRIES);
        }
        if (l1Size < needed) {
            throw new InvalidDiskImageException("disk.qcow2.l1-size", file + " has an L1 table of " + l1Size
                    + " entries, too small for its virtual size (" + needed + " needed)");
        }
        if (l1Size > MAX_L1_ENTRIES) {
            throw new InvalidDiskImageException("disk.qcow2.l1-size", file + " declares an L1 table of " + l1Size
                    + " entries; qemu allows at most " + MAX_L1_ENTRIES + " (32 MiB)");
        }
    }

    /**
     * The header probe's reading of {@code head[0, length)}: the disk's size and the other files the image needs
     * (a backing file, an external data file), named so the checksum stage can refuse them before any reader
     * runs; a defect for what cannot be trusted. Lenient where the reader is strict: what it does not refuse here
     * ({@link #parse} does) the reader refuses with its own check id.
     */
    public static DiskHeader probe(byte[] head, int length) {
        if (length < HEADER_LENGTH_V2) {
            return truncated(length, HEADER_LENGTH_V2);
        }
        ByteBuffer b = ByteBuffer.wrap(head, 0, length);
        int version = b.getInt(OFFSET_VERSION);
        if (version != 2 && version != 3) {
            return defective("a qcow2 header of version " + Integer.toUnsignedString(version)
                    + "; versions 2 and 3 exist");
        }
        int clusterBits = b.getInt(OFFSET_CLUSTER_BITS);
        if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
            return defective("a qcow2 header declaring cluster_bits " + clusterBits + "; " + MIN_CLUSTER_BITS + " to "
                    + MAX_CLUSTER_BITS + " are valid");
        }
        long size = b.getLong(OFFSET_SIZE);
        if (size < 0) {
            return defective("a qcow2 header declaring a virtual size of " + Long.toUnsignedString(size) + " bytes");
        }
        long incompatible = 0;
        long extensionsAt = HEADER_LENGTH_V2;
        if (version == 3) {
            if (length < HEADER_LENGTH_V3_MIN) {
                return truncated(length, HEADER_LENGTH_V3_MIN);
            }
            incompatible = b.getLong(OFFSET_INCOMPATIBLE_FEATURES);
            extensionsAt = Integer.toUnsignedLong(b.getInt(OFFSET_HEADER_LENGTH));
            if (extensionsAt < HEADER_LENGTH_V3_MIN || extensionsAt % 8 != 0 || extensionsAt > DiskHeaders.HEAD_BYTES) {
                return defective("a qcow2 header declaring a header length of " + extensionsAt
                        + " bytes; a multiple of 8 from " + HEADER_LENGTH_V3_MIN + " is valid");
            }
            if (extensionsAt > length) {
                return truncated(length, (int) extensionsAt);
            }
        }
        List<DiskReference> references = new ArrayList<>();
        long backingOffset = b.getLong(OFFSET_BACKING_FILE_OFFSET);
        if (backingOffset != 0) {
            references.add(new DiskReference(DiskReference.Kind.QCOW2_BACKING_FILE, backingName(head, length,
                    backingOffset, Integer.toUnsignedLong(b.getInt(OFFSET_BACKING_FILE_SIZE))), false));
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
        if (size < 1 || size > MAX_BACKING_FILE_NAME) {
            return "(a name of " + size + " bytes at byte " + Long.toUnsignedString(offset) + ")";
        }
        if (offset < 0 || offset > length - size) {
            return "(its name, at byte " + Long.toUnsignedString(offset) + ", is past the first "
                    + DiskHeaders.HEAD_BYTES / 1024 + " KiB that are checked)";
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
