package org.ovaflow.disk.vmdk;

import org.ovaflow.disk.DiskFormat;
import org.ovaflow.disk.DiskHeader;
import org.ovaflow.disk.DiskHeaders;
import org.ovaflow.disk.InvalidDiskImageException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 512-byte header of a hosted sparse extent ("KDMV", VMware Virtual Disk Format 5.0 §4.1): what a
 * monolithicSparse or streamOptimized file says of itself. All offsets and sizes are in 512-byte sectors.
 * {@link #parse} is the reader's, strict; {@link #probe} the header probe's, which names what the embedded
 * descriptor reaches for.
 */
public record SparseExtentHeader(int version, int flags, long capacity, long grainSize, long descriptorOffset,
                          long descriptorSize, int numGTEsPerGT, long rgdOffset, long gdOffset, long overHead,
                          int compressAlgorithm) {

    static final int SECTOR = 512;
    static final int SIZE = SECTOR;
    /** "KDMV" read little-endian. */
    static final int MAGIC = 0x564d444b;
    /** "COWD": the older hosted sparse (VMware Workstation 4) and ESX vmfsSparse extents. */
    static final int MAGIC_COWD = 0x44574f43;
    /** seSparse (ESXi space-efficient snapshots). */
    static final int MAGIC_SESPARSE = 0xcafebabe;

    static final int FLAG_VALID_NEWLINE_TEST = 1;
    static final int FLAG_REDUNDANT_GRAIN_TABLE = 1 << 1;
    /** GTE value 1 means "a grain of zeros" rather than a sector offset. */
    static final int FLAG_ZEROED_GRAIN_GTE = 1 << 2;
    static final int FLAG_COMPRESSED_GRAINS = 1 << 16;
    static final int FLAG_MARKERS = 1 << 17;

    static final int COMPRESSION_NONE = 0;
    static final int COMPRESSION_DEFLATE = 1;

    /** gdOffset of a streamOptimized header whose grain directory is found through the footer. */
    static final long GD_AT_END = -1L;

    /** The only grain table size VMware and qemu write; larger ones qemu refuses too. */
    static final int GTES_PER_GT = 512;
    static final int GT_BYTES = GTES_PER_GT * 4;
    static final long MIN_GRAIN_SECTORS = 8;
    /** 1 MiB: ESXi's largest; bounds every grain buffer. */
    static final long MAX_GRAIN_SECTORS = 2048;
    /** 64 KiB, as for a descriptor file of its own. */
    static final long MAX_DESCRIPTOR_SECTORS = 128;

    private static final int FIELDS_END = 79;

    /** Parses and validates the fields every sparse variant shares; {@code head} holds at least 512 bytes. */
    static SparseExtentHeader parse(byte[] head, String file) throws InvalidDiskImageException {
        if (ByteBuffer.wrap(head, 0, SIZE).order(ByteOrder.LITTLE_ENDIAN).getInt(0) != MAGIC) {
            throw new InvalidDiskImageException("disk.vmdk.magic", file + " is not a hosted sparse VMDK extent");
        }
        SparseExtentHeader header = fields(head);
        header.validate(file);
        return header;
    }

    /** The fields as the 512 bytes of {@code head} hold them, unchecked. */
    private static SparseExtentHeader fields(byte[] head) {
        ByteBuffer b = ByteBuffer.wrap(head, 0, SIZE).order(ByteOrder.LITTLE_ENDIAN);
        return new SparseExtentHeader(b.getInt(4), b.getInt(8), b.getLong(12), b.getLong(20), b.getLong(28),
                b.getLong(36), b.getInt(44), b.getLong(48), b.getLong(56), b.getLong(64),
                Short.toUnsignedInt(b.getShort(77)));
    }

    /**
     * The header probe's reading of a sparse extent whose first bytes are {@code head[0, length)}: its capacity,
     * and the files its embedded descriptor names (the extent itself, a parent); a defect for what cannot be
     * trusted. Lenient where {@link #parse} is strict: the reader refuses the rest with its own check ids.
     */
    public static DiskHeader probe(byte[] head, int length) {
        if (length < SIZE) {
            return DiskHeader.defective(DiskFormat.VMDK_MONOLITHIC_SPARSE, "a sparse VMDK header (KDMV) cut short: "
                    + length + " bytes of 512");
        }
        SparseExtentHeader header = fields(head);
        DiskFormat format = (header.flags & FLAG_COMPRESSED_GRAINS) != 0 || header.compressAlgorithm != 0
                ? DiskFormat.VMDK_STREAM_OPTIMIZED : DiskFormat.VMDK_MONOLITHIC_SPARSE;
        if (header.version < 1 || header.version > 3) {
            return DiskHeader.defective(format, "a sparse VMDK header of version "
                    + Integer.toUnsignedString(header.version) + "; VMware writes versions 1 to 3");
        }
        if (header.capacity <= 0 || header.capacity > Long.MAX_VALUE / SECTOR) {
            return DiskHeader.defective(format, "a sparse VMDK header declaring a capacity of "
                    + Long.toUnsignedString(header.capacity) + " sectors");
        }
        if (header.descriptorOffset == 0) {
            return DiskHeader.of(format, header.capacity * SECTOR);
        }
        if (header.descriptorSize < 1 || header.descriptorSize > MAX_DESCRIPTOR_SECTORS) {
            return DiskHeader.defective(format, "a sparse VMDK header declaring an embedded descriptor of "
                    + Long.toUnsignedString(header.descriptorSize) + " sectors; at most " + MAX_DESCRIPTOR_SECTORS
                    + " are valid");
        }
        if (header.descriptorOffset < 1
                || header.descriptorOffset > (DiskHeaders.HEAD_BYTES / SECTOR) - header.descriptorSize) {
            return DiskHeader.defective(format, "a sparse VMDK header placing its embedded descriptor at sector "
                    + Long.toUnsignedString(header.descriptorOffset) + ", past the first "
                    + DiskHeaders.HEAD_BYTES / 1024 + " KiB that are checked (VMware writes it at sector 1)");
        }
        int from = (int) (header.descriptorOffset * SECTOR);
        int to = (int) (from + header.descriptorSize * SECTOR);
        if (to > length) {
            return DiskHeader.defective(format, "a sparse VMDK that ends (at byte " + length
                    + ") before its embedded descriptor does (byte " + to + ")");
        }
        DescriptorFile descriptor;
        try {
            descriptor = DescriptorFile.parse(head, from, to, null);
        } catch (InvalidDiskImageException e) {
            return DiskHeader.defective(format, "a sparse VMDK whose embedded descriptor is unreadable: "
                    + e.getMessage());
        }
        return new DiskHeader(format, header.capacity * SECTOR, false, descriptor.references(true), null);
    }

    private void validate(String file) throws InvalidDiskImageException {
        if (version < 1 || version > 3) {
            throw new InvalidDiskImageException("disk.vmdk.unsupported", file + " is a sparse VMDK of version " + version
                    + "; versions 1 to 3 are supported");
        }
        if (grainSize < MIN_GRAIN_SECTORS || grainSize > MAX_GRAIN_SECTORS || Long.bitCount(grainSize) != 1) {
            throw new InvalidDiskImageException("disk.vmdk.grain-size", file + " declares grains of " + grainSize
                    + " sectors; accepted are powers of two from " + MIN_GRAIN_SECTORS + " to " + MAX_GRAIN_SECTORS);
        }
        if (numGTEsPerGT != GTES_PER_GT) {
            throw new InvalidDiskImageException("disk.vmdk.grain-table-entries", file + " declares "
                    + Integer.toUnsignedString(numGTEsPerGT) + " entries a grain table; the format has " + GTES_PER_GT);
        }
        if (capacity <= 0 || capacity > Long.MAX_VALUE / SECTOR) {
            throw new InvalidDiskImageException("disk.vmdk.virtual-size", file + " declares a capacity of "
                    + Long.toUnsignedString(capacity) + " sectors");
        }
        if (descriptorOffset != 0 && (descriptorOffset < 1 || descriptorSize < 1
                || descriptorSize > MAX_DESCRIPTOR_SECTORS || descriptorOffset > Integer.MAX_VALUE)) {
            throw new InvalidDiskImageException("disk.vmdk.descriptor", file + " declares an embedded descriptor of "
                    + descriptorSize + " sectors at sector " + descriptorOffset + "; accepted are 1 to "
                    + MAX_DESCRIPTOR_SECTORS + " sectors past the header");
        }
        boolean compressedFlag = (flags & FLAG_COMPRESSED_GRAINS) != 0;
        if (compressedFlag != (compressAlgorithm == COMPRESSION_DEFLATE)
                || (compressAlgorithm != COMPRESSION_NONE && compressAlgorithm != COMPRESSION_DEFLATE)) {
            throw new InvalidDiskImageException("disk.vmdk.unsupported", file + " has flags 0x"
                    + Integer.toHexString(flags) + " and compression algorithm " + compressAlgorithm
                    + "; supported are uncompressed grains and deflate-compressed ones");
        }
        if (compressedFlag && (flags & FLAG_MARKERS) == 0) {
            throw new InvalidDiskImageException("disk.vmdk.unsupported", file
                    + " has compressed grains without markers; only streamOptimized compresses its grains");
        }
    }

    /** Whether this is a streamOptimized extent: deflated grains, each behind a marker. */
    boolean streamOptimized() {
        return (flags & FLAG_COMPRESSED_GRAINS) != 0;
    }

    boolean zeroedGrainEntries() {
        return (flags & FLAG_ZEROED_GRAIN_GTE) != 0;
    }

    int grainBytes() {
        return (int) (grainSize * SECTOR);
    }

    long descriptorEnd() {
        return descriptorOffset == 0 ? 1 : descriptorOffset + descriptorSize;
    }

    /** The header as 512 bytes, with the newline-detection characters and zero padding. */
    byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(version).putInt(flags).putLong(capacity).putLong(grainSize).putLong(descriptorOffset)
                .putLong(descriptorSize).putInt(numGTEsPerGT).putLong(rgdOffset).putLong(gdOffset).putLong(overHead);
        b.put((byte) 0); // uncleanShutdown
        b.put((byte) '\n').put((byte) ' ').put((byte) '\r').put((byte) '\n');
        b.putShort((short) compressAlgorithm);
        if (b.position() != FIELDS_END) {
            throw new IllegalStateException("header layout is " + b.position() + " bytes");
        }
        return b.array();
    }
}
