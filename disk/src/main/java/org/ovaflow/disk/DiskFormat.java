package org.ovaflow.disk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The format of a file as its own bytes say, by the id that goes into events and messages; {@link #detect} is
 * the one format detector, which the checksum stage's header probe and the readers' {@link SourceFormat} share.
 * Formats are told by their magic, never by name or by what a descriptor claims; formats ovaflow does not read
 * are recognised too, so that a VHDX or VDI is refused by name instead of being taken for a raw disk.
 */
public enum DiskFormat {
    VMDK_STREAM_OPTIMIZED("vmdk-stream-optimized", "a streamOptimized VMDK", true),
    VMDK_MONOLITHIC_SPARSE("vmdk-monolithic-sparse", "a monolithicSparse VMDK", true),
    VMDK_DESCRIPTOR("vmdk-descriptor", "a VMDK descriptor file", true),
    VMDK_COWD("vmdk-cowd", "a COWD VMDK extent (VMware 3 or ESX vmfsSparse)", false),
    VMDK_SESPARSE("vmdk-sesparse", "a seSparse VMDK extent (ESXi snapshot)", false),
    QCOW2("qcow2", "a qcow2 image", true),
    VHD_DYNAMIC("vhd-dynamic", "a dynamic VHD", true),
    VHD_FIXED("vhd-fixed", "a fixed VHD", true),
    VHD_DIFFERENCING("vhd-differencing", "a differencing VHD", true),
    VHDX("vhdx", "a VHDX image", false),
    VDI("vdi", "a VirtualBox VDI image", false),
    ISO("iso", "an ISO 9660 image", true),
    /** No header ovaflow knows: a raw disk, or not a disk at all. */
    RAW("raw", "raw data", true);

    private final String id;
    private final String description;
    private final boolean importable;

    DiskFormat(String id, String description, boolean importable) {
        this.id = id;
        this.description = description;
        this.importable = importable;
    }

    public String id() {
        return id;
    }

    /** "a qcow2 image": for messages. */
    public String description() {
        return description;
    }

    /** Whether ovaflow's transcode stage reads this format at all (a differencing VHD is refused for its parent). */
    public boolean importable() {
        return importable;
    }

    public boolean isVmdk() {
        return this == VMDK_STREAM_OPTIMIZED || this == VMDK_MONOLITHIC_SPARSE || this == VMDK_DESCRIPTOR
                || this == VMDK_COWD || this == VMDK_SESPARSE;
    }

    public boolean isVhd() {
        return this == VHD_DYNAMIC || this == VHD_FIXED || this == VHD_DIFFERENCING;
    }

    /** The format of an id as {@link #id()} gives it, null for an unknown one. */
    public static DiskFormat of(String id) {
        for (DiskFormat format : values()) {
            if (format.id.equals(id)) {
                return format;
            }
        }
        return null;
    }

    private static final byte[] GZIP = {0x1f, (byte) 0x8b};
    private static final byte[] DESCRIPTOR = "# Disk DescriptorFile".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VHD_COOKIE = "conectix".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VHDX_SIGNATURE = "vhdxfile".getBytes(StandardCharsets.US_ASCII);
    /** "KDMV", "COWD" and seSparse's magic, read little-endian. */
    private static final int VMDK_SPARSE = 0x564d444b;
    private static final int VMDK_COWD_MAGIC = 0x44574f43;
    private static final int VMDK_SESPARSE_MAGIC = 0xcafebabe;
    /** A sparse VMDK's flags (bit 16: compressed grains) and compression algorithm. */
    private static final int VMDK_FLAGS = 8;
    private static final int VMDK_COMPRESSION = 77;
    private static final int VMDK_COMPRESSED_GRAINS = 1 << 16;
    private static final int QCOW2_MAGIC = 0x514649fb;
    private static final int VHD_DISK_TYPE = 60;
    private static final int VDI_MAGIC_AT = 64;
    private static final int VDI_MAGIC = 0xbeda107f;
    private static final int ISO_MAGIC_AT = 0x8001;
    private static final byte[] ISO_MAGIC = "CD001".getBytes(StandardCharsets.US_ASCII);

    /** Whether {@code head[0, length)} starts a gzip stream (whose inflated start is then what to detect). */
    public static boolean gzip(byte[] head, int length) {
        return startsWith(head, length, 0, GZIP);
    }

    /**
     * The format of a file whose first bytes are {@code head[0, length)} and whose last 512 bytes are {@code tail}
     * (null when they are not known or not the image's end: a fixed VHD is then taken for raw data). A VHD footer
     * at the start says by its disk type whether the disk is fixed, dynamic or differencing (dynamic when the type
     * is none of them); an ISO is told only from a head of more than 32 KiB.
     */
    public static DiskFormat detect(byte[] head, int length, byte[] tail) {
        int magicLe = length >= 4 ? ByteBuffer.wrap(head, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() : 0;
        int magicBe = length >= 4 ? ByteBuffer.wrap(head, 0, 4).getInt() : 0;
        if (magicLe == VMDK_SPARSE) {
            int flags = length >= VMDK_FLAGS + 4
                    ? ByteBuffer.wrap(head, 0, length).order(ByteOrder.LITTLE_ENDIAN).getInt(VMDK_FLAGS) : 0;
            int compression = length >= VMDK_COMPRESSION + 2
                    ? Short.toUnsignedInt(ByteBuffer.wrap(head, 0, length).order(ByteOrder.LITTLE_ENDIAN)
                    .getShort(VMDK_COMPRESSION)) : 0;
            return (flags & VMDK_COMPRESSED_GRAINS) != 0 || compression != 0 ? VMDK_STREAM_OPTIMIZED
                    : VMDK_MONOLITHIC_SPARSE;
        } else if (magicLe == VMDK_COWD_MAGIC) {
            return VMDK_COWD;
        } else if (magicLe == VMDK_SESPARSE_MAGIC) {
            return VMDK_SESPARSE;
        } else if (startsWith(head, length, 0, DESCRIPTOR)) {
            return VMDK_DESCRIPTOR;
        } else if (magicBe == QCOW2_MAGIC) {
            return QCOW2;
        } else if (startsWith(head, length, 0, VHD_COOKIE)) {
            int type = length >= VHD_DISK_TYPE + 4 ? ByteBuffer.wrap(head, 0, length).getInt(VHD_DISK_TYPE) : 0;
            return type == 2 ? VHD_FIXED : type == 4 ? VHD_DIFFERENCING : VHD_DYNAMIC;
        } else if (startsWith(head, length, 0, VHDX_SIGNATURE)) {
            return VHDX;
        } else if (length >= VDI_MAGIC_AT + 4
                && ByteBuffer.wrap(head, 0, length).order(ByteOrder.LITTLE_ENDIAN).getInt(VDI_MAGIC_AT) == VDI_MAGIC) {
            return VDI;
        } else if (startsWith(head, length, ISO_MAGIC_AT, ISO_MAGIC)) {
            return ISO;
        } else if (tail != null && startsWith(tail, tail.length, 0, VHD_COOKIE)) {
            return VHD_FIXED; // the disk, then a footer
        }
        return RAW;
    }

    /** Whether {@code bytes} has a VHD footer's cookie at {@code at}: a VHD has one at its start, its end or both. */
    public static boolean vhdCookieAt(byte[] bytes, int at, int length) {
        return startsWith(bytes, length, at, VHD_COOKIE);
    }

    /** Whether {@code bytes[at, length)} starts with {@code magic}; false for any {@code at} out of range. */
    public static boolean startsWithAt(byte[] bytes, int at, int length, byte[] magic) {
        return startsWith(bytes, length, at, magic);
    }

    private static boolean startsWith(byte[] bytes, int length, int at, byte[] magic) {
        return at >= 0 && length >= at + magic.length
                && Arrays.equals(bytes, at, at + magic.length, magic, 0, magic.length);
    }
}
