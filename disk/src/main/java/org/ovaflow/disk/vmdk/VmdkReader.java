package org.ovaflow.disk.vmdk;

import org.ovaflow.disk.DiskImageReader;
import org.ovaflow.disk.ImageSource;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.SourceCursor;
import org.ovaflow.disk.raw.RawReader;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Opens a VMDK by what its file starts with: a sparse extent header ("KDMV": streamOptimized when its
 * grains are compressed, monolithicSparse otherwise) or a descriptor file naming extents (FLAT, VMFS, ZERO
 * or SPARSE), which are looked up among the other files of the same package only, never on the host.
 * Differencing disks, raw devices, the older COWD sparse format and seSparse are refused
 * ({@code disk.vmdk.parent}, {@code disk.vmdk.unsupported}).
 */
public final class VmdkReader {

    private static final int SECTOR = SparseExtentHeader.SECTOR;
    private static final byte[] SIGNATURE = DescriptorFile.SIGNATURE.getBytes(StandardCharsets.US_ASCII);

    private VmdkReader() {
    }

    /**
     * A reader of the VMDK in {@code source}; for a descriptor file, of the disk its extents make up. The
     * reader owns the extent files it opens through {@code options.siblings()}, not {@code source}.
     *
     * @throws InvalidDiskImageException when the file is no VMDK, a variant that is not supported, or
     *                                   corrupt in its header, descriptor or tables
     */
    public static DiskImageReader open(ImageSource source, ReadOptions options) throws IOException {
        SourceCursor cursor = new SourceCursor(source);
        try {
            byte[] head = new byte[DescriptorFile.MAX_BYTES + 1];
            int read = cursor.readUpTo(0, head, 0, SECTOR);
            if (read >= 4 && intAt(head, 0) == SparseExtentHeader.MAGIC) {
                return openSparse(cursor, head, read, options);
            }
            if (startsWith(head, read, SIGNATURE)) {
                read += cursor.readUpTo(read, head, read, head.length - read);
                if (read > DescriptorFile.MAX_BYTES) {
                    throw new InvalidDiskImageException("disk.vmdk.descriptor", source.name()
                            + " is a descriptor file larger than " + DescriptorFile.MAX_BYTES + " bytes");
                }
                cursor.close();
                return openDescriptor(source.name(), DescriptorFile.parse(head, read, source.name()), options);
            }
            if (read >= 4 && (intAt(head, 0) == SparseExtentHeader.MAGIC_COWD
                    || intAt(head, 0) == SparseExtentHeader.MAGIC_SESPARSE)) {
                throw new InvalidDiskImageException("disk.vmdk.unsupported", source.name() + " is a "
                        + (intAt(head, 0) == SparseExtentHeader.MAGIC_COWD ? "COWD (VMDK 3 or vmfsSparse)" : "seSparse")
                        + " extent, which is not supported");
            }
            throw new InvalidDiskImageException("disk.vmdk.magic", source.name()
                    + " is neither a sparse VMDK extent nor a VMDK descriptor file");
        } catch (IOException | RuntimeException e) {
            cursor.close();
            if (e instanceof EOFException) {
                throw InvalidDiskImageException.truncated("disk.vmdk.truncated", source.name(), (EOFException) e);
            }
            throw e;
        }
    }

    /** A sparse extent whose first {@code read} bytes are in {@code head}; takes over {@code cursor}. */
    private static DiskImageReader openSparse(SourceCursor cursor, byte[] head, int read, ReadOptions options)
            throws IOException {
        String file = cursor.source().name();
        if (read < SECTOR) {
            throw new InvalidDiskImageException("disk.vmdk.truncated", file + " ends within its header (" + read
                    + " bytes)");
        }
        SparseExtentHeader header = SparseExtentHeader.parse(head, file);
        options.checkVirtualSize("vmdk", file, header.capacity() * SECTOR);
        if (header.streamOptimized()) {
            return new StreamOptimizedReader(cursor, header, file, !options.digestVerified());
        }
        return MonolithicSparseReader.open(cursor, header, file);
    }

    /** Reads the descriptor a sparse extent embeds, if any, and refuses it if it makes a delta disk. */
    static void readEmbeddedDescriptor(SourceCursor cursor, SparseExtentHeader header, String file)
            throws IOException {
        if (header.descriptorOffset() == 0) {
            return;
        }
        int length = (int) (header.descriptorSize() * SECTOR);
        byte[] text = cursor.read(header.descriptorOffset() * SECTOR, length);
        DescriptorFile.parse(text, length, file).checkStandalone(file);
    }

    private static DiskImageReader openDescriptor(String file, DescriptorFile descriptor, ReadOptions options)
            throws IOException {
        descriptor.checkStandalone(file);
        if (descriptor.extents().isEmpty()) {
            throw new InvalidDiskImageException("disk.vmdk.descriptor", file + " is a descriptor without extents");
        }
        List<ImageSource> files = new ArrayList<>();
        try {
            List<ConcatenatedExtentsReader.Part> parts = new ArrayList<>();
            long start = 0;
            for (DescriptorFile.Extent extent : descriptor.extents()) {
                long length = extentBytes(extent, start, options, file);
                parts.add(new ConcatenatedExtentsReader.Part(start, length, opener(extent, length, files, options, file)));
                start += length;
            }
            options.checkVirtualSize("vmdk", file, start);
            return new ConcatenatedExtentsReader(parts, files, start);
        } catch (IOException | RuntimeException e) {
            for (ImageSource opened : files) {
                opened.close();
            }
            throw e;
        }
    }

    private static long extentBytes(DescriptorFile.Extent extent, long start, ReadOptions options, String file)
            throws InvalidDiskImageException {
        if (extent.sectors() <= 0 || extent.sectors() > (options.maxVirtualSize() - start) / SECTOR) {
            throw new InvalidDiskImageException("disk.vmdk.virtual-size", file + " has an extent of " + extent.sectors()
                    + " sectors from byte " + start + "; accepted are disks of 1 to " + options.maxVirtualSize()
                    + " bytes (ovaflow.transcode.max-virtual-size)");
        }
        return extent.sectors() * SECTOR;
    }

    /** Opens the extent's file now (so a missing one is refused before any data); reads it once reached. */
    private static ConcatenatedExtentsReader.ExtentOpener opener(DescriptorFile.Extent extent, long length,
            List<ImageSource> files, ReadOptions options, String file) throws IOException {
        if (!extent.access().equals("RW") && !extent.access().equals("RDONLY")) {
            throw new InvalidDiskImageException("disk.vmdk.unsupported", file + " has a " + extent.access()
                    + " extent, whose data cannot be read");
        }
        switch (extent.type()) {
            case "ZERO" -> {
                return null;
            }
            case "FLAT", "VMFS" -> {
                ImageSource source = sibling(extent.file(), files, options, file);
                long start = extent.offset();
                if (start > Long.MAX_VALUE / SECTOR || (source.size() >= 0
                        && start * SECTOR + length > source.size())) {
                    throw new InvalidDiskImageException("disk.vmdk.extent", file + ": extent \""
                            + DescriptorFile.shorten(extent.file()) + "\" holds " + source.size() + " bytes, "
                            + length + " are expected from sector " + start);
                }
                return () -> RawReader.extent(new SourceCursor(source), start * SECTOR, length, "disk.vmdk.truncated");
            }
            case "SPARSE" -> {
                ImageSource source = sibling(extent.file(), files, options, file);
                return () -> openSparseExtent(source, length, options);
            }
            default -> throw new InvalidDiskImageException("disk.vmdk.unsupported", file + " has an extent of type "
                    + DescriptorFile.shorten(extent.type()) + "; supported are FLAT, VMFS, ZERO and SPARSE");
        }
    }

    private static DiskImageReader openSparseExtent(ImageSource source, long length, ReadOptions options)
            throws IOException {
        SourceCursor cursor = new SourceCursor(source);
        try {
            byte[] head = new byte[SECTOR];
            int read = cursor.readUpTo(0, head, 0, SECTOR);
            if (read < 4 || intAt(head, 0) != SparseExtentHeader.MAGIC) {
                throw new InvalidDiskImageException("disk.vmdk.extent", source.name()
                        + " is named as a SPARSE extent but is no hosted sparse extent");
            }
            DiskImageReader reader = openSparse(cursor, head, read, options);
            if (reader.virtualSize() < length) {
                reader.close();
                throw new InvalidDiskImageException("disk.vmdk.extent", source.name() + " holds " + reader.virtualSize()
                        + " bytes of disk, its descriptor counts " + length);
            }
            return reader;
        } catch (IOException | RuntimeException e) {
            cursor.close();
            if (e instanceof EOFException) {
                throw InvalidDiskImageException.truncated("disk.vmdk.truncated", source.name(), (EOFException) e);
            }
            throw e;
        }
    }

    /**
     * An extent file by the name the descriptor gives, from the same package only: a plain file name, no
     * path, so a descriptor can never make the reader look elsewhere.
     */
    private static ImageSource sibling(String name, List<ImageSource> files, ReadOptions options, String file)
            throws IOException {
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")
                || name.contains("\\") || name.contains(":") || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidDiskImageException("disk.vmdk.extent-file", file + " names the extent file \""
                    + DescriptorFile.shorten(String.valueOf(name))
                    + "\"; an extent must be another file of the package, named without a path");
        }
        Optional<ImageSource> source = options.siblings().open(name);
        if (source.isEmpty()) {
            throw new InvalidDiskImageException("disk.vmdk.extent-file", file + " names the extent file \""
                    + DescriptorFile.shorten(name) + "\", which the package does not have");
        }
        files.add(source.get());
        return source.get();
    }

    private static int intAt(byte[] bytes, int at) {
        return ByteBuffer.wrap(bytes, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static boolean startsWith(byte[] bytes, int length, byte[] prefix) {
        return length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }
}
