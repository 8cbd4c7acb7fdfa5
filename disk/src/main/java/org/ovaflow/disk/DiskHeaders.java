package org.ovaflow.disk;

import org.ovaflow.disk.qcow2.Qcow2Header;
import org.ovaflow.disk.vhd.VhdFooter;
import org.ovaflow.disk.vmdk.DescriptorFile;
import org.ovaflow.disk.vmdk.SparseExtentHeader;

/**
 * What a file's header says, from its first bytes and its last 512 alone: the format ({@link DiskFormat#detect}),
 * the disk's size, the files the header names outside the file (VMDK extents and parents, qcow2 backing and data
 * files, VHD parents), and why a header that looks like a disk's cannot be trusted. In the spirit of OpenStack
 * Glance's format inspector; each format's part is its header's {@code probe}, beside the reader's parser of the
 * same header. Hostile bytes give a defect, never an exception: every offset read is checked against the head.
 */
public final class DiskHeaders {

    /** The head a probe is given: a descriptor, a qcow2 header and its extensions, a VHD's dynamic header fit. */
    public static final int HEAD_BYTES = 64 * 1024;
    /** The tail a probe is given: a fixed VHD's footer. */
    public static final int TAIL_BYTES = 512;

    private DiskHeaders() {
    }

    /**
     * @param head   the file's first bytes, {@code head[0, length)}, at most {@link #HEAD_BYTES} of them
     * @param size   the file's size, -1 when it is not the image's (a gzip stream, a chunk of a file)
     * @param tail   its last {@link #TAIL_BYTES} bytes, null when they are not the image's end
     */
    public static DiskHeader probe(byte[] head, int length, long size, byte[] tail) {
        DiskFormat format = DiskFormat.detect(head, length, tail);
        return switch (format) {
            case VMDK_STREAM_OPTIMIZED, VMDK_MONOLITHIC_SPARSE -> SparseExtentHeader.probe(head, length);
            case VMDK_DESCRIPTOR -> DescriptorFile.probe(head, length, size);
            case QCOW2 -> Qcow2Header.probe(head, length);
            case VHD_FIXED, VHD_DYNAMIC, VHD_DIFFERENCING -> DiskFormat.vhdCookieAt(head, 0, length)
                    ? VhdFooter.probeHead(head, length) : VhdFooter.probeTail(tail);
            // formats ovaflow does not read: refused by their name, their capacity is not needed for that
            case VMDK_COWD, VMDK_SESPARSE, VHDX, VDI, ISO -> DiskHeader.of(format, null);
            case RAW -> DiskHeader.of(DiskFormat.RAW, size < 0 ? null : size);
        };
    }
}
