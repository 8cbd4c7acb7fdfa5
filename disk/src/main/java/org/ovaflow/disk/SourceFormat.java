package org.ovaflow.disk;

import java.io.IOException;
import java.io.InputStream;

/**
 * The reader an image needs, by the format its own bytes show ({@link DiskFormat#detect}, the detector the
 * header probe uses too): never by its name or what the descriptor claims. Formats ovaflow does not read are
 * refused by name (a VHDX, a VDI), not taken for a raw disk; a COWD or seSparse VMDK goes to the VMDK reader,
 * which refuses it by name.
 */
public enum SourceFormat {
    VMDK, QCOW2, VHD, RAW, GZIP;

    private static final int HEAD = DiskHeaders.TAIL_BYTES;

    public static SourceFormat detect(ImageSource source) throws IOException {
        byte[] head = new byte[HEAD];
        int length;
        try (InputStream in = source.open(0, HEAD)) {
            length = in.readNBytes(head, 0, HEAD);
        }
        if (DiskFormat.gzip(head, length)) {
            return GZIP;
        }
        DiskFormat format = DiskFormat.detect(head, length, null);
        if (format == DiskFormat.RAW && source.size() >= HEAD && source.randomAccess()) {
            // a fixed VHD: the disk, then a footer; read only when nothing at the start said what the file is
            format = DiskFormat.detect(head, length, source.readFully(source.size() - HEAD, HEAD));
        }
        return switch (format) {
            case VMDK_STREAM_OPTIMIZED, VMDK_MONOLITHIC_SPARSE, VMDK_DESCRIPTOR, VMDK_COWD, VMDK_SESPARSE -> VMDK;
            case QCOW2 -> QCOW2;
            case VHD_FIXED, VHD_DYNAMIC, VHD_DIFFERENCING -> VHD;
            case VHDX -> throw unsupported(source, "VHDX");
            case VDI -> throw unsupported(source, "VDI");
            // an ISO is read as the raw data it is
            case ISO, RAW -> RAW;
        };
    }

    private static InvalidDiskImageException unsupported(ImageSource source, String format) {
        return new InvalidDiskImageException("disk.format.unsupported", source.name() + " is a " + format
                + " image, which ovaflow does not read (it reads VMDK, qcow2, VHD and raw)");
    }
}
