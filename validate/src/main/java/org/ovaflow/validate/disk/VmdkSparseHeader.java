package org.ovaflow.validate.disk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The 512-byte header of a hosted sparse VMDK extent ("KDMV", little-endian, sizes in sectors): monolithicSparse,
 * or streamOptimized when its grains are compressed; and the descriptor it embeds.
 */
final class VmdkSparseHeader {

    static final int MAGIC = 0x564d444b;
    static final int MAGIC_COWD = 0x44574f43;
    static final int MAGIC_SESPARSE = 0xcafebabe;

    private static final int SECTOR = 512;
    private static final int FLAG_COMPRESSED_GRAINS = 1 << 16;
    /** VMware caps an embedded descriptor well below this; so does ovaflow's reader. */
    private static final long MAX_DESCRIPTOR_SECTORS = 128;

    private VmdkSparseHeader() {
    }

    static DiskHeader probe(byte[] head, int length) {
        if (length < SECTOR) {
            return DiskHeader.defective(DiskFormat.VMDK_MONOLITHIC_SPARSE, "a sparse VMDK header (KDMV) cut short: "
                    + length + " bytes of 512");
        }
        ByteBuffer b = ByteBuffer.wrap(head, 0, length).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.getInt(4);
        int flags = b.getInt(8);
        long capacity = b.getLong(12);
        long descriptorOffset = b.getLong(28);
        long descriptorSize = b.getLong(36);
        int compression = Short.toUnsignedInt(b.getShort(77));
        DiskFormat format = (flags & FLAG_COMPRESSED_GRAINS) != 0 || compression != 0
                ? DiskFormat.VMDK_STREAM_OPTIMIZED : DiskFormat.VMDK_MONOLITHIC_SPARSE;
        if (version < 1 || version > 3) {
            return DiskHeader.defective(format, "a sparse VMDK header of version " + Integer.toUnsignedString(version)
                    + "; VMware writes versions 1 to 3");
        }
        if (capacity <= 0 || capacity > Long.MAX_VALUE / SECTOR) {
            return DiskHeader.defective(format, "a sparse VMDK header declaring a capacity of "
                    + Long.toUnsignedString(capacity) + " sectors");
        }
        if (descriptorOffset == 0) {
            return DiskHeader.of(format, capacity * SECTOR);
        }
        if (descriptorSize < 1 || descriptorSize > MAX_DESCRIPTOR_SECTORS) {
            return DiskHeader.defective(format, "a sparse VMDK header declaring an embedded descriptor of "
                    + Long.toUnsignedString(descriptorSize) + " sectors; at most " + MAX_DESCRIPTOR_SECTORS + " are valid");
        }
        if (descriptorOffset < 1 || descriptorOffset > (DiskImageProbe.HEAD_BYTES / SECTOR) - descriptorSize) {
            return DiskHeader.defective(format, "a sparse VMDK header placing its embedded descriptor at sector "
                    + Long.toUnsignedString(descriptorOffset) + ", past the first "
                    + DiskImageProbe.HEAD_BYTES / 1024 + " KiB that are checked (VMware writes it at sector 1)");
        }
        int from = (int) (descriptorOffset * SECTOR);
        int to = (int) (from + descriptorSize * SECTOR);
        if (to > length) {
            return DiskHeader.defective(format, "a sparse VMDK that ends (at byte " + length
                    + ") before its embedded descriptor does (byte " + to + ")");
        }
        VmdkDescriptor descriptor = VmdkDescriptor.parse(head, from, to, true);
        if (descriptor.defect() != null) {
            return DiskHeader.defective(format, "a sparse VMDK whose embedded descriptor is unreadable: "
                    + descriptor.defect());
        }
        return new DiskHeader(format, capacity * SECTOR, false, descriptor.references(), null);
    }

    /** The older sparse variants, which ovaflow does not read; their capacity is not needed to refuse them. */
    static DiskHeader probeOther(byte[] head, int length) {
        int magic = ByteBuffer.wrap(head, 0, length).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        return new DiskHeader(magic == MAGIC_COWD ? DiskFormat.VMDK_COWD : DiskFormat.VMDK_SESPARSE, null, false,
                List.of(), null);
    }
}
