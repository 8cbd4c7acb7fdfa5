package org.ovaflow.disk.vhd;

import org.ovaflow.disk.DiskFormat;
import org.ovaflow.disk.DiskHeader;
import org.ovaflow.disk.DiskReference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The 512-byte hard disk footer: at the end of every VHD, and copied at offset 0 of a dynamic one. A value
 * of what it says; {@link #parse} does not judge, {@link VhdReader} does, and the header probe
 * ({@link #probeHead}, {@link #probeTail}) asks it what the disk is and which parent it names.
 *
 * @param creatorApplication four characters naming the tool that made the image ({@code "tap\0"} keeps its NUL)
 * @param storedChecksum     the checksum the footer carries
 * @param checksumMatches    whether it is the checksum of the footer's bytes
 */
public record VhdFooter(int features, int formatVersion, long dataOffset, int timestamp, String creatorApplication,
                 int creatorVersion, String creatorHostOs, long originalSize, long currentSize, VhdGeometry geometry,
                 int diskType, int storedChecksum, boolean checksumMatches, UUID uniqueId, boolean savedState) {

    static final int CHECKSUM_FIELD = 64;

    /** "Reserved, must be set to 1": the only feature bit a plain disk has. */
    static final int FEATURES_RESERVED = 0x0000_0002;
    static final int FORMAT_VERSION = 0x0001_0000;

    /**
     * The creator applications for which qemu's vpc driver takes the footer's current size as the disk's size;
     * for every other creator (Virtual PC's "vpc ", qemu's own "qemu" without force_size) it takes the CHS
     * geometry, unless the geometry is the largest one. Hyper-V, Azure and VirtualBox always take the
     * current size; only Virtual PC and qemu use the geometry.
     */
    static final Set<String> CURRENT_SIZE_CREATORS = Set.of("win ", "qem2", "d2v ", "CTXS", "tap\0");

    static VhdFooter parse(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        int features = in.getInt(8);
        int formatVersion = in.getInt(12);
        long dataOffset = in.getLong(16);
        int timestamp = in.getInt(24);
        String creatorApplication = new String(bytes, 28, 4, StandardCharsets.ISO_8859_1);
        int creatorVersion = in.getInt(32);
        String creatorHostOs = new String(bytes, 36, 4, StandardCharsets.ISO_8859_1);
        long originalSize = in.getLong(40);
        long currentSize = in.getLong(48);
        VhdGeometry geometry = new VhdGeometry(in.getShort(56) & 0xffff, bytes[58] & 0xff, bytes[59] & 0xff);
        int diskType = in.getInt(60);
        int checksum = in.getInt(CHECKSUM_FIELD);
        UUID uniqueId = new UUID(in.getLong(68), in.getLong(76));
        boolean savedState = bytes[84] != 0;
        return new VhdFooter(features, formatVersion, dataOffset, timestamp, creatorApplication, creatorVersion,
                creatorHostOs, originalSize, currentSize, geometry, diskType, checksum,
                VhdFormat.checksum(bytes, CHECKSUM_FIELD) == checksum, uniqueId, savedState);
    }

    /** The footer's 512 bytes, with its checksum computed (the stored one is ignored). */
    byte[] encode() {
        byte[] bytes = new byte[VhdFormat.FOOTER_SIZE];
        ByteBuffer out = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        out.put(0, VhdFormat.FOOTER_COOKIE);
        out.putInt(8, features);
        out.putInt(12, formatVersion);
        out.putLong(16, dataOffset);
        out.putInt(24, timestamp);
        out.put(28, creatorApplication.getBytes(StandardCharsets.ISO_8859_1), 0, 4);
        out.putInt(32, creatorVersion);
        out.put(36, creatorHostOs.getBytes(StandardCharsets.ISO_8859_1), 0, 4);
        out.putLong(40, originalSize);
        out.putLong(48, currentSize);
        out.putShort(56, (short) geometry.cylinders());
        bytes[58] = (byte) geometry.heads();
        bytes[59] = (byte) geometry.sectorsPerTrack();
        out.putInt(60, diskType);
        out.putLong(68, uniqueId.getMostSignificantBits());
        out.putLong(76, uniqueId.getLeastSignificantBits());
        bytes[84] = (byte) (savedState ? 1 : 0);
        out.putInt(CHECKSUM_FIELD, VhdFormat.checksum(bytes, CHECKSUM_FIELD));
        return bytes;
    }

    /** Whether qemu (and so {@code qemu-img compare}) takes the current size rather than the geometry. */
    boolean sizeFromCurrentSize() {
        return CURRENT_SIZE_CREATORS.contains(creatorApplication) || geometry.isMax();
    }

    /**
     * The disk's size as qemu 7.2's vpc driver reads it: the current size (in whole sectors) for the creators
     * of {@link #CURRENT_SIZE_CREATORS} and for the largest geometry, else cylinders x heads x sectors. Virtual
     * PC sizes a disk by its geometry and records a current size that is "too large usually" (qemu's words);
     * the newer tools record the exact size and a geometry that rounds it down.
     */
    long virtualSize() {
        if (sizeFromCurrentSize()) {
            // an unsigned size past 2^63 is absurd: reported as the largest, so the size check refuses it
            return currentSize < 0 ? Long.MAX_VALUE : currentSize / VhdFormat.SECTOR * VhdFormat.SECTOR;
        }
        return geometry.sectors() * VhdFormat.SECTOR;
    }

    /** A VHD whose first 512 bytes are its footer's copy: dynamic or differencing (the probe's verdict). */
    public static DiskHeader probeHead(byte[] head, int length) {
        if (length < VhdFormat.FOOTER_SIZE) {
            return DiskHeader.defective(DiskFormat.VHD_DYNAMIC, "a VHD footer (conectix) cut short: " + length
                    + " bytes of 512");
        }
        byte[] bytes = Arrays.copyOf(head, VhdFormat.FOOTER_SIZE);
        VhdFooter footer = parse(bytes);
        if (!footer.checksumMatches()) {
            return DiskHeader.defective(DiskFormat.VHD_DYNAMIC, checksumDefect(bytes, footer.storedChecksum()));
        }
        DiskFormat format = switch (footer.diskType()) {
            case VhdFormat.DISK_TYPE_FIXED -> DiskFormat.VHD_FIXED;
            case VhdFormat.DISK_TYPE_DYNAMIC -> DiskFormat.VHD_DYNAMIC;
            case VhdFormat.DISK_TYPE_DIFFERENCING -> DiskFormat.VHD_DIFFERENCING;
            default -> null;
        };
        if (format == null) {
            return DiskHeader.defective(DiskFormat.VHD_DYNAMIC, "a VHD footer of disk type "
                    + Integer.toUnsignedString(footer.diskType()) + "; 2 (fixed), 3 (dynamic) and 4 (differencing) exist");
        }
        if (footer.currentSize() < 0) {
            return DiskHeader.defective(format, "a VHD footer declaring a size of "
                    + Long.toUnsignedString(footer.currentSize()) + " bytes");
        }
        List<DiskReference> references = format == DiskFormat.VHD_DIFFERENCING
                ? List.of(new DiskReference(DiskReference.Kind.VHD_PARENT,
                VhdDynamicHeader.parentOf(head, length, footer.dataOffset()), false))
                : List.of();
        return new DiskHeader(format, footer.currentSize(), false, references, null);
    }

    /** A file that ends with a VHD footer and does not start with one: a fixed VHD (the probe's verdict). */
    public static DiskHeader probeTail(byte[] tail) {
        byte[] bytes = Arrays.copyOf(tail, VhdFormat.FOOTER_SIZE);
        VhdFooter footer = parse(bytes);
        if (!footer.checksumMatches()) {
            return DiskHeader.defective(DiskFormat.VHD_FIXED, checksumDefect(bytes, footer.storedChecksum()));
        }
        if (footer.diskType() != VhdFormat.DISK_TYPE_FIXED) {
            return DiskHeader.defective(DiskFormat.VHD_FIXED, "a VHD footer of disk type "
                    + Integer.toUnsignedString(footer.diskType()) + " at the end, without its copy at the start that "
                    + "a dynamic VHD has");
        }
        if (footer.currentSize() < 0) {
            return DiskHeader.defective(DiskFormat.VHD_FIXED, "a VHD footer declaring a size of "
                    + Long.toUnsignedString(footer.currentSize()) + " bytes");
        }
        return DiskHeader.of(DiskFormat.VHD_FIXED, footer.currentSize());
    }

    private static String checksumDefect(byte[] bytes, int stored) {
        return "a VHD footer whose checksum (0x" + Integer.toHexString(stored) + ") is not its bytes' (0x"
                + Integer.toHexString(VhdFormat.checksum(bytes, CHECKSUM_FIELD)) + "): corrupt";
    }
}
