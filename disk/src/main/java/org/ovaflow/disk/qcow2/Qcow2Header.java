package org.ovaflow.disk.qcow2;

import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.ReadOptions;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.ovaflow.disk.qcow2.Qcow2Format.*;

/**
 * What a qcow2 header says, checked field by field against what ovaflow can read: the active layer of a
 * self-contained, unencrypted image whose clusters are plain or deflate-compressed. Header extensions are
 * not read: the ones that matter (backing format, external data file name, encryption header) belong to
 * features refused here by their header fields, the others (feature names, bitmaps) change nothing in the
 * guest's data.
 */
record Qcow2Header(int version, int clusterBits, long virtualSize, long l1Size, long l1TableOffset,
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
}
