package org.ovaflow.disk.vhd;

import org.ovaflow.disk.DiskImageReader;
import org.ovaflow.disk.ImageSource;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.SourceCursor;
import org.ovaflow.disk.Zeros;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A fixed or dynamic VHD (Virtual PC, Hyper-V, Azure, qemu's "vpc"), read as qemu reads it so that
 * {@code qemu-img compare} agrees with the result.
 *
 * <p>Fixed: the data, then the footer; the data is read forward in 1 MiB chunks, all-zero chunks not handed
 * on. Dynamic: a footer copy at 0, the dynamic header and the block allocation table (BAT), blocks of a
 * sector bitmap and data, the footer at the end; blocks are read in virtual order, unallocated ones (BAT entry
 * 0xFFFFFFFF) are zeros. Like qemu the sector bitmaps are ignored: an allocated block's data is its content.
 *
 * <p>The disk's size follows qemu's rule ({@link VhdFooter#virtualSize()}): the footer's current size when
 * the creator application is one whose current size qemu trusts ("win ", "qem2", "d2v ", "CTXS", "tap\0")
 * or the geometry is the largest one, else cylinders x heads x sectors of the geometry (Virtual PC's view;
 * data past it is not part of the disk). The footer is taken from the end of the file, where the spec puts
 * it; a dynamic disk's copy at 0 must agree with it on type, sizes, geometry, creator and data offset.
 *
 * <p>Memory: the BAT, 4 bytes per block (2 KiB per GiB of virtual size with the usual 2 MiB blocks, 16 MiB
 * at most), the sorted allocated entries while the image is opened (8 bytes per allocated block), and one
 * 1 MiB data buffer. Differencing disks (they need a parent file) are refused, as is every table that points
 * outside the file or into the metadata.
 */
public final class VhdReader implements DiskImageReader {

    static final int CHUNK = 1024 * 1024;
    /** Below 4 KiB qemu's and the spec's bitmap sizes differ; no tool writes such blocks (they use 2 MiB). */
    static final long MIN_BLOCK_SIZE = 4096;
    static final long MAX_BLOCK_SIZE = 256L * 1024 * 1024;
    /** 16 MiB of table: 2040 GiB (VHD's limit) in 2 MiB blocks needs 1,044,480 entries. */
    static final long MAX_TABLE_ENTRIES = 1L << 22;

    private static final String FORMAT = "vhd";

    private final SourceCursor cursor;
    private final long virtualSize;
    /** The BAT (sector numbers of blocks), null for a fixed disk. */
    private final int[] table;
    private final long blockSize;
    private final int bitmapSize;
    private final byte[] buffer;
    private long offset;

    private VhdReader(ImageSource source, long virtualSize, int[] table, long blockSize) {
        this.cursor = new SourceCursor(source);
        this.virtualSize = virtualSize;
        this.table = table;
        this.blockSize = blockSize;
        this.bitmapSize = table == null ? 0 : VhdDynamicHeader.bitmapSize(blockSize);
        this.buffer = new byte[(int) Math.min(CHUNK, Math.max(virtualSize, 1))];
    }

    /** Reads and checks the footer, and for a dynamic disk its header and BAT; no data is read yet. */
    public static VhdReader open(ImageSource source, ReadOptions options) throws IOException {
        String name = source.name();
        long size = source.size();
        if (size < 0) {
            throw new InvalidDiskImageException("disk.random-access", name + " is compressed as a whole; a VHD's "
                    + "footer is at its end and its blocks in any order, so it must be stored uncompressed");
        }
        if (size < VhdFormat.FOOTER_SIZE) {
            throw new InvalidDiskImageException("disk.vhd.footer", name + " is " + size
                    + " bytes long, shorter than a VHD footer");
        }
        byte[] tail = read(source, size - VhdFormat.FOOTER_SIZE, VhdFormat.FOOTER_SIZE);
        if (!VhdFormat.startsWith(tail, VhdFormat.FOOTER_COOKIE)) {
            if (hasFooterCopy(source)) {
                throw new InvalidDiskImageException("disk.vhd.truncated", name + " starts with a VHD footer copy but "
                        + "has no footer at its end: the file is truncated");
            }
            throw new InvalidDiskImageException("disk.vhd.footer", name + " has no VHD footer (cookie \"conectix\") "
                    + "in its last 512 bytes: not a VHD, or a fixed VHD cut short");
        }
        VhdFooter footer = VhdFooter.parse(tail);
        checkFooterChecksum(name, footer, "footer at the end of the file");
        checkDiskType(name, footer);
        if (footer.diskType() == VhdFormat.DISK_TYPE_DYNAMIC) {
            byte[] head = size >= 2L * VhdFormat.FOOTER_SIZE ? read(source, 0, VhdFormat.FOOTER_SIZE) : null;
            if (head == null || !VhdFormat.startsWith(head, VhdFormat.FOOTER_COOKIE)) {
                throw new InvalidDiskImageException("disk.vhd.footer", name + " is a dynamic VHD without the copy "
                        + "of its footer at offset 0");
            }
            VhdFooter copy = VhdFooter.parse(head);
            checkFooterChecksum(name, copy, "footer copy at offset 0");
            checkCopyAgrees(name, footer, copy);
        }

        long virtualSize = footer.virtualSize();
        if (virtualSize > VhdFormat.MAX_VIRTUAL_SIZE) {
            throw new InvalidDiskImageException("disk.vhd.virtual-size", name + " declares a virtual size of "
                    + virtualSize + " bytes, more than VHD's limit of 2040 GiB (" + VhdFormat.MAX_VIRTUAL_SIZE + ")");
        }
        options.checkVirtualSize(FORMAT, name, virtualSize);

        if (footer.diskType() == VhdFormat.DISK_TYPE_FIXED) {
            long data = size - VhdFormat.FOOTER_SIZE;
            if (virtualSize > data) {
                throw new InvalidDiskImageException("disk.vhd.footer", name + " is a fixed VHD of " + virtualSize
                        + " bytes but holds only " + data + " bytes of data before its footer");
            }
            return new VhdReader(source, virtualSize, null, 0);
        }
        return openDynamic(source, size, footer, virtualSize);
    }

    /** Whether a footer copy (a dynamic disk's) starts the file: tells a cut-off dynamic disk from a non-VHD. */
    private static boolean hasFooterCopy(ImageSource source) throws IOException {
        return VhdFormat.startsWith(read(source, 0, VhdFormat.FOOTER_COOKIE.length), VhdFormat.FOOTER_COOKIE);
    }

    private static VhdReader openDynamic(ImageSource source, long size, VhdFooter footer, long virtualSize)
            throws IOException {
        String name = source.name();
        long dataEnd = size - VhdFormat.FOOTER_SIZE;
        long headerOffset = footer.dataOffset();
        if (headerOffset < VhdFormat.FOOTER_SIZE || headerOffset > dataEnd - VhdFormat.DYNAMIC_HEADER_SIZE) {
            throw new InvalidDiskImageException("disk.vhd.header", name + "'s footer puts the dynamic disk header at "
                    + Long.toUnsignedString(headerOffset) + ", outside [512, " + (dataEnd - VhdFormat.DYNAMIC_HEADER_SIZE)
                    + "]");
        }
        VhdDynamicHeader header = VhdDynamicHeader.parse(read(source, headerOffset, VhdFormat.DYNAMIC_HEADER_SIZE));
        if (!header.cookieMatches()) {
            throw new InvalidDiskImageException("disk.vhd.header", name + " has no dynamic disk header (cookie "
                    + "\"cxsparse\") at " + headerOffset + ", where its footer points");
        }
        if (!header.checksumMatches()) {
            throw new InvalidDiskImageException("disk.vhd.checksum", name + "'s dynamic disk header has checksum "
                    + Integer.toHexString(header.storedChecksum()) + ", its bytes sum to another");
        }
        long blockSize = header.blockSize();
        if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE || Long.bitCount(blockSize) != 1) {
            throw new InvalidDiskImageException("disk.vhd.block-size", name + " declares blocks of " + blockSize
                    + " bytes; accepted are powers of two from " + MIN_BLOCK_SIZE + " to " + MAX_BLOCK_SIZE);
        }
        long entries = header.maxTableEntries();
        long needed = ceilDiv(virtualSize, blockSize);
        if (entries < needed) {
            throw new InvalidDiskImageException("disk.vhd.table-size", name + "'s block allocation table has "
                    + entries + " entries of " + blockSize + " bytes, too few for its virtual size of " + virtualSize);
        }
        long limit = Math.min(MAX_TABLE_ENTRIES, ceilDiv(VhdFormat.MAX_VIRTUAL_SIZE, blockSize));
        if (entries > limit) {
            throw new InvalidDiskImageException("disk.vhd.table-size", name + "'s block allocation table declares "
                    + entries + " entries of " + blockSize + " bytes; at most " + limit + " are accepted");
        }
        long tableOffset = header.tableOffset();
        long tableBytes = entries * 4;
        if (tableOffset < VhdFormat.FOOTER_SIZE || tableOffset > dataEnd - tableBytes) {
            throw new InvalidDiskImageException("disk.vhd.bat", name + "'s block allocation table of " + tableBytes
                    + " bytes at " + Long.toUnsignedString(tableOffset) + " lies outside the file's [512, " + dataEnd
                    + ")");
        }
        if (overlap(tableOffset, tableBytes, headerOffset, VhdFormat.DYNAMIC_HEADER_SIZE)) {
            throw new InvalidDiskImageException("disk.vhd.bat", name + "'s block allocation table at " + tableOffset
                    + " overlaps its dynamic disk header at " + headerOffset);
        }
        int[] table = new int[(int) entries];
        ByteBuffer.wrap(read(source, tableOffset, (int) tableBytes)).asIntBuffer().get(table);
        checkBlocks(name, table, blockSize, dataEnd, new long[] {headerOffset, VhdFormat.DYNAMIC_HEADER_SIZE,
                tableOffset, tableBytes});
        return new VhdReader(source, virtualSize, table, blockSize);
    }

    /**
     * Every allocated block must lie between the metadata and the footer at the end, and no two may share
     * bytes: a block pointing into the tables or at another block would turn metadata or other data into
     * guest data.
     *
     * @param metadata pairs of offset and length: the dynamic header and the BAT
     */
    private static void checkBlocks(String name, int[] table, long blockSize, long dataEnd, long[] metadata)
            throws InvalidDiskImageException {
        long span = VhdDynamicHeader.bitmapSize(blockSize) + blockSize;
        long[] byStart = new long[table.length];
        int allocated = 0;
        for (int index = 0; index < table.length; index++) {
            if (table[index] == VhdFormat.UNALLOCATED) {
                continue;
            }
            long sector = Integer.toUnsignedLong(table[index]);
            long start = sector * VhdFormat.SECTOR;
            if (start < VhdFormat.FOOTER_SIZE) {
                throw badEntry(name, index, start, span, "into the footer copy at offset 0");
            }
            if (start + span > dataEnd) {
                throw badEntry(name, index, start, span, "past the end of the file's data at " + dataEnd);
            }
            if (overlap(start, span, metadata[0], metadata[1])) {
                throw badEntry(name, index, start, span, "into the dynamic disk header");
            }
            if (overlap(start, span, metadata[2], metadata[3])) {
                throw badEntry(name, index, start, span, "into the block allocation table");
            }
            // sector < 2^32 and index < 2^22: the pair sorts by sector in a long
            byStart[allocated++] = sector * MAX_TABLE_ENTRIES + index;
        }
        long[] sorted = Arrays.copyOf(byStart, allocated);
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            long previousStart = sorted[i - 1] / MAX_TABLE_ENTRIES * VhdFormat.SECTOR;
            long start = sorted[i] / MAX_TABLE_ENTRIES * VhdFormat.SECTOR;
            if (start < previousStart + span) {
                long previous = sorted[i - 1] % MAX_TABLE_ENTRIES;
                long index = sorted[i] % MAX_TABLE_ENTRIES;
                throw new InvalidDiskImageException("disk.vhd.bat", name + "'s block allocation table entries "
                        + Math.min(previous, index) + " and " + Math.max(previous, index)
                        + (start == previousStart ? " point at the same block at " + start
                        : " point at overlapping blocks at " + previousStart + " and " + start));
            }
        }
    }

    private static InvalidDiskImageException badEntry(String name, int index, long start, long span, String where) {
        return new InvalidDiskImageException("disk.vhd.bat", name + "'s block allocation table entry " + index
                + " puts its block at [" + start + ", " + (start + span) + "), " + where);
    }

    private static void checkFooterChecksum(String name, VhdFooter footer, String which)
            throws InvalidDiskImageException {
        if (!footer.checksumMatches()) {
            throw new InvalidDiskImageException("disk.vhd.checksum", name + "'s " + which + " has checksum "
                    + Integer.toHexString(footer.storedChecksum()) + ", its bytes sum to another: it is damaged");
        }
    }

    private static void checkDiskType(String name, VhdFooter footer) throws InvalidDiskImageException {
        switch (footer.diskType()) {
            case VhdFormat.DISK_TYPE_FIXED, VhdFormat.DISK_TYPE_DYNAMIC -> {
            }
            case VhdFormat.DISK_TYPE_DIFFERENCING -> throw new InvalidDiskImageException("disk.vhd.differencing",
                    name + " is a differencing VHD: its content depends on a parent disk file it names, which an "
                            + "import does not follow; export the appliance with its disks consolidated");
            default -> throw new InvalidDiskImageException("disk.vhd.disk-type", name + " declares disk type "
                    + footer.diskType() + "; known are 2 (fixed), 3 (dynamic) and 4 (differencing)");
        }
    }

    /** The copy at 0 is what qemu reads; the one at the end what the spec and Hyper-V read: they must agree. */
    private static void checkCopyAgrees(String name, VhdFooter footer, VhdFooter copy)
            throws InvalidDiskImageException {
        boolean agree = footer.diskType() == copy.diskType() && footer.dataOffset() == copy.dataOffset()
                && footer.currentSize() == copy.currentSize() && footer.geometry().equals(copy.geometry())
                && footer.creatorApplication().equals(copy.creatorApplication());
        if (!agree) {
            throw new InvalidDiskImageException("disk.vhd.footer", name + "'s footer copy at offset 0 and its footer "
                    + "at the end disagree on the disk's type, size, geometry, creator or header offset");
        }
    }

    private static byte[] read(ImageSource source, long offset, int length) throws IOException {
        try {
            return source.readFully(offset, length);
        } catch (EOFException e) {
            throw new InvalidDiskImageException("disk.vhd.truncated", source.name() + " ends before the " + length
                    + " bytes at " + offset + " its tables point at", e);
        }
    }

    private static boolean overlap(long start, long length, long otherStart, long otherLength) {
        return start < otherStart + otherLength && otherStart < start + length;
    }

    private static long ceilDiv(long value, long divisor) {
        return (value + divisor - 1) / divisor;
    }

    @Override
    public long virtualSize() {
        return virtualSize;
    }

    @Override
    public Chunk next() throws IOException {
        while (offset < virtualSize) {
            long fileOffset;
            int length;
            if (table == null) {
                fileOffset = offset;
                length = (int) Math.min(CHUNK, virtualSize - offset);
            } else {
                int index = (int) (offset / blockSize);
                long blockStart = index * blockSize;
                long blockEnd = Math.min(blockStart + blockSize, virtualSize);
                if (table[index] == VhdFormat.UNALLOCATED) {
                    offset = blockEnd;
                    continue;
                }
                fileOffset = Integer.toUnsignedLong(table[index]) * VhdFormat.SECTOR + bitmapSize
                        + (offset - blockStart);
                length = (int) Math.min(CHUNK, blockEnd - offset);
            }
            try {
                cursor.read(fileOffset, buffer, 0, length);
            } catch (EOFException e) {
                throw new InvalidDiskImageException("disk.vhd.truncated", cursor.source().name() + " ended while "
                        + "reading data at " + fileOffset + ": the file was cut short or changed", e);
            }
            long at = offset;
            offset += length;
            if (!Zeros.allZero(buffer, 0, length)) {
                return new Chunk(at, buffer, length);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        cursor.close();
    }
}
