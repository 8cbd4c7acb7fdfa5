package org.ovaflow.disk;

import org.ovaflow.disk.qcow2.Qcow2Reader;
import org.ovaflow.disk.qcow2.Qcow2Writer;
import org.ovaflow.disk.raw.RawReader;
import org.ovaflow.disk.raw.RawWriter;
import org.ovaflow.disk.vhd.VhdReader;
import org.ovaflow.disk.vhd.VhdWriter;
import org.ovaflow.disk.vmdk.StreamOptimizedWriter;
import org.ovaflow.disk.vmdk.VmdkReader;

import java.io.IOException;

/** The codecs by format: a reader for whatever an image is, a writer for each target. */
public final class DiskImages {

    private DiskImages() {
    }

    /**
     * A reader for {@code source}, by the format its bytes show ({@link SourceFormat}); a gzip-compressed
     * image is decompressed on the way and must be of a format read forward (streamOptimized VMDK).
     */
    public static DiskImageReader open(ImageSource source, ReadOptions options) throws IOException {
        SourceFormat format = SourceFormat.detect(source);
        if (format == SourceFormat.GZIP) {
            ImageSource inflated = new GzipImageSource(source);
            format = SourceFormat.detect(inflated);
            if (format == SourceFormat.GZIP) {
                throw new InvalidDiskImageException("disk.gzip.nested", source.name() + " is gzip inside gzip");
            }
            return open(format, inflated, options);
        }
        return open(format, source, options);
    }

    private static DiskImageReader open(SourceFormat format, ImageSource source, ReadOptions options)
            throws IOException {
        return switch (format) {
            case VMDK -> VmdkReader.open(source, options);
            case QCOW2 -> Qcow2Reader.open(source, options);
            case VHD -> VhdReader.open(source, options);
            case RAW -> RawReader.open(source, options);
            case GZIP -> throw new IllegalStateException("gzip is unwrapped before");
        };
    }

    /**
     * A writer of {@code target} for a disk of {@code virtualSize} bytes into {@code sink}.
     *
     * @param roundVhdToMiB VHD only: round the size up to a whole MiB (what Azure demands)
     * @param fileName      the name the image is published under (a VMDK names itself in its descriptor)
     */
    public static DiskImageWriter writer(TargetFormat target, long virtualSize, ImageSink sink, boolean roundVhdToMiB,
                                         String fileName) throws InvalidDiskImageException {
        return writer(target, virtualSize, sink, roundVhdToMiB, fileName, null);
    }

    /**
     * {@link #writer(TargetFormat, long, ImageSink, boolean, String)}, told where the source's data may be (its
     * reader's {@link DiskImageReader#allocation()}, null when unknown): a qcow2 file is then planned before the
     * data, written front to back without patching its head, its length announced to the sink.
     */
    public static DiskImageWriter writer(TargetFormat target, long virtualSize, ImageSink sink, boolean roundVhdToMiB,
                                         String fileName, AllocationMap allocation) throws InvalidDiskImageException {
        if ((target == TargetFormat.VHD || target == TargetFormat.VHD_FIXED)
                && outputVirtualSize(target, virtualSize, roundVhdToMiB) > VhdWriter.MAX_VIRTUAL_SIZE) {
            throw new InvalidDiskImageException("disk.vhd.too-large", "a disk of " + virtualSize
                    + " bytes is larger than VHD can hold (" + VhdWriter.MAX_VIRTUAL_SIZE + "); publish it as qcow2, "
                    + "VMDK or raw");
        }
        return switch (target) {
            // qemu reads a qcow2 size to whole sectors, rounding down: round up, as qemu-img create does
            case QCOW2 -> new Qcow2Writer(outputVirtualSize(target, virtualSize, roundVhdToMiB), sink, allocation);
            case VHD -> VhdWriter.dynamic(virtualSize, sink, roundVhdToMiB);
            case VHD_FIXED -> VhdWriter.fixed(virtualSize, sink, roundVhdToMiB);
            case RAW -> new RawWriter(virtualSize, sink);
            case VMDK -> new StreamOptimizedWriter(virtualSize, sink, fileName);
        };
    }

    /**
     * The virtual size of the disk {@code target}'s writer makes of one of {@code virtualSize} bytes: all but raw
     * count whole sectors, VHD whole MiB when asked.
     */
    public static long outputVirtualSize(TargetFormat target, long virtualSize, boolean roundVhdToMiB) {
        return switch (target) {
            case VHD, VHD_FIXED -> roundUp(virtualSize, roundVhdToMiB ? 1024 * 1024 : 512);
            case VMDK, QCOW2 -> roundUp(virtualSize, 512);
            case RAW -> virtualSize;
        };
    }

    private static long roundUp(long value, long unit) {
        return (value + unit - 1) / unit * unit;
    }

    /** Whether {@code target}'s writer fills in its first bytes at the end (its sink must hold them back). */
    public static boolean patchesHead(TargetFormat target) {
        return target == TargetFormat.QCOW2 || target == TargetFormat.VHD || target == TargetFormat.VMDK;
    }
}
