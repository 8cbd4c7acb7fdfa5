package org.ovaflow.disk.qcow2;

/** The numbers of the qcow2 format (qemu's docs/interop/qcow2.txt); every field is big-endian. */
final class Qcow2Format {

    /** "QFI\xfb". */
    static final int MAGIC = 0x514649fb;

    /** Header field offsets. */
    static final int OFFSET_MAGIC = 0;
    static final int OFFSET_VERSION = 4;
    static final int OFFSET_BACKING_FILE_OFFSET = 8;
    static final int OFFSET_BACKING_FILE_SIZE = 16;
    static final int OFFSET_CLUSTER_BITS = 20;
    static final int OFFSET_SIZE = 24;
    static final int OFFSET_CRYPT_METHOD = 32;
    static final int OFFSET_L1_SIZE = 36;
    static final int OFFSET_L1_TABLE_OFFSET = 40;
    static final int OFFSET_REFCOUNT_TABLE_OFFSET = 48;
    static final int OFFSET_REFCOUNT_TABLE_CLUSTERS = 56;
    static final int OFFSET_NB_SNAPSHOTS = 60;
    static final int OFFSET_SNAPSHOTS_OFFSET = 64;
    static final int OFFSET_INCOMPATIBLE_FEATURES = 72;
    static final int OFFSET_COMPATIBLE_FEATURES = 80;
    static final int OFFSET_AUTOCLEAR_FEATURES = 88;
    static final int OFFSET_REFCOUNT_ORDER = 96;
    static final int OFFSET_HEADER_LENGTH = 100;
    static final int OFFSET_COMPRESSION_TYPE = 104;

    /** Version 2 headers end before the feature bitmaps; version 3 ones are at least this long. */
    static final int HEADER_LENGTH_V2 = 72;
    static final int HEADER_LENGTH_V3_MIN = 104;
    /** What qemu writes today: up to the compression type, padded to 8 bytes. */
    static final int HEADER_LENGTH_V3 = 112;

    /** qemu's limits, which real images therefore respect. */
    static final int MIN_CLUSTER_BITS = 9;
    static final int MAX_CLUSTER_BITS = 21;
    /** The active L1 table is at most 32 MiB. */
    static final long MAX_L1_ENTRIES = (32L << 20) / Long.BYTES;
    /** The refcount table is at most 8 MiB. */
    static final long MAX_REFCOUNT_TABLE_BYTES = 8L << 20;
    static final int MAX_REFCOUNT_ORDER = 6;

    /** Incompatible feature bits. */
    static final long INCOMPATIBLE_DIRTY = 1L;
    static final long INCOMPATIBLE_CORRUPT = 1L << 1;
    static final long INCOMPATIBLE_EXTERNAL_DATA_FILE = 1L << 2;
    static final long INCOMPATIBLE_COMPRESSION_TYPE = 1L << 3;
    static final long INCOMPATIBLE_EXTENDED_L2 = 1L << 4;
    static final long INCOMPATIBLE_KNOWN = INCOMPATIBLE_DIRTY | INCOMPATIBLE_CORRUPT | INCOMPATIBLE_EXTERNAL_DATA_FILE
            | INCOMPATIBLE_COMPRESSION_TYPE | INCOMPATIBLE_EXTENDED_L2;

    static final int COMPRESSION_ZLIB = 0;

    /** qemu refuses longer backing file names. */
    static final int MAX_BACKING_FILE_NAME = 1023;
    /** Header extensions (version 3, after the header): the end marker, the external data file's name. */
    static final int EXTENSION_END = 0;
    static final int EXTENSION_DATA_FILE = 0x44415441;

    /** L1 and L2 entries: bits 9-55 hold a host offset; bit 63 says the refcount is exactly one. */
    static final long ENTRY_OFFSET_MASK = 0x00ff_ffff_ffff_fe00L;
    static final long ENTRY_COPIED = 1L << 63;
    /** L2 entries: bit 62 marks a compressed cluster, bit 0 of a standard one a cluster reading as zeros. */
    static final long L2_COMPRESSED = 1L << 62;
    static final long L2_ZERO = 1L;

    /** Compressed clusters are sized in 512-byte sectors. */
    static final int COMPRESSED_SECTOR = 512;

    private Qcow2Format() {
    }

    /** Bits of a compressed cluster descriptor holding the host offset: 62 - (cluster_bits - 8). */
    static int compressedOffsetBits(int clusterBits) {
        return 62 - (clusterBits - 8);
    }

    static long ceilDiv(long value, long divisor) {
        return value / divisor + (value % divisor == 0 ? 0 : 1);
    }
}
