package org.ovaflow.disk.vmdk;

import org.ovaflow.disk.DiskImageReader;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.SourceCursor;
import org.ovaflow.disk.Zeros;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A monolithicSparse extent (uncompressed grains found through a grain directory and grain tables): the
 * tables are read first, in file order, checked, and the grains then read in virtual order through the same
 * cursor. Tools write the tables before the grains and the grains in order, so the whole file is read as one
 * forward stream. The redundant grain directory is ignored.
 *
 * <p>Memory: the grain directory (4 bytes per 32 MiB of virtual disk with 64 KiB grains, 128 KiB per TiB)
 * while the tables are read, then 8 bytes per allocated grain (128 KiB per GiB of data), plus 8 more per
 * grain while the layout is checked, and one 1 MiB read buffer. Grain tables are parsed one at a time.
 */
final class MonolithicSparseReader implements DiskImageReader {

    private static final int SECTOR = SparseExtentHeader.SECTOR;
    /** 16 MiB of grain directory: 4M grain tables, past any capacity ReadOptions would let through. */
    private static final long MAX_DIRECTORY_BYTES = 16L * 1024 * 1024;
    private static final int GT_SECTORS = SparseExtentHeader.GT_BYTES / SECTOR;
    /** How much of consecutive grains is read into one chunk. */
    private static final int RUN_BYTES = 1024 * 1024;

    // kinds of the file's regions, in the low bits of a region key: ordered as they appear in a file
    private static final int HEADER = 0;
    private static final int DESCRIPTOR = 1;
    private static final int DIRECTORY = 2;
    private static final int TABLE = 3;
    private static final int GRAIN = 4;
    private static final int KIND_BITS = 3;

    private final SourceCursor cursor;
    private final String file;
    private final SparseExtentHeader header;
    private final long virtualSize;
    private final int grainBytes;
    /** Allocated grains in virtual order: grain number in the high 32 bits, file sector in the low 32. */
    private final long[] grains;
    private final byte[] run;
    private int nextGrain;

    private MonolithicSparseReader(SourceCursor cursor, String file, SparseExtentHeader header, long[] grains) {
        this.cursor = cursor;
        this.file = file;
        this.header = header;
        this.virtualSize = header.capacity() * SECTOR;
        this.grainBytes = header.grainBytes();
        this.grains = grains;
        this.run = new byte[Math.max(RUN_BYTES, grainBytes)];
    }

    /** Takes over {@code cursor}, positioned past the header; reads and checks all tables. */
    static MonolithicSparseReader open(SourceCursor cursor, SparseExtentHeader header, String file)
            throws IOException {
        try {
            VmdkReader.readEmbeddedDescriptor(cursor, header, file);
            return new MonolithicSparseReader(cursor, file, header, readTables(cursor, header, file));
        } catch (EOFException e) {
            throw InvalidDiskImageException.truncated("disk.vmdk.truncated", file, e);
        }
    }

    private static long[] readTables(SourceCursor cursor, SparseExtentHeader header, String file) throws IOException {
        long size = cursor.source().size();
        long fileSectors = size < 0 ? 1L << 32 : size / SECTOR;
        long sectorsPerTable = (long) SparseExtentHeader.GTES_PER_GT * header.grainSize();
        long tableCount = StreamOptimizedReader.ceilDiv(header.capacity(), sectorsPerTable);
        long directoryBytes = tableCount * 4;
        long directorySectors = StreamOptimizedReader.ceilDiv(directoryBytes, SECTOR);
        long gd = header.gdOffset();
        if (StreamOptimizedReader.ceilDiv(header.capacity(), header.grainSize()) > Integer.MAX_VALUE) {
            throw new InvalidDiskImageException("disk.vmdk.grain-size", file + ": " + header.capacity()
                    + " sectors in grains of " + header.grainSize() + " are too many grains");
        }
        if (gd == SparseExtentHeader.GD_AT_END || gd < 1 || gd > 0xffffffffL) {
            throw new InvalidDiskImageException("disk.vmdk.grain-directory", file + " puts its grain directory at sector "
                    + Long.toUnsignedString(gd) + ", not within the file");
        }
        if (directoryBytes > MAX_DIRECTORY_BYTES || gd + directorySectors > fileSectors) {
            throw new InvalidDiskImageException("disk.vmdk.grain-directory", file + ": a grain directory of "
                    + directoryBytes + " bytes at sector " + gd + " does not fit in the file (" + fileSectors
                    + " sectors)");
        }
        ByteBuffer directory = ByteBuffer.wrap(cursor.read(gd * SECTOR, (int) directoryBytes))
                .order(ByteOrder.LITTLE_ENDIAN);
        // the tables in file order: sector in the high bits, directory index in the low
        long[] tables = new long[(int) tableCount];
        int tableTotal = 0;
        for (int i = 0; i < tableCount; i++) {
            long sector = Integer.toUnsignedLong(directory.getInt(i * 4));
            if (sector != 0) {
                if (sector + GT_SECTORS > fileSectors) {
                    throw new InvalidDiskImageException("disk.vmdk.grain-table", file + ": grain table " + i
                            + " at sector " + sector + " lies past the end of the file (" + fileSectors + " sectors)");
                }
                tables[tableTotal++] = sector << 32 | i;
            }
        }
        Arrays.sort(tables, 0, tableTotal);
        Regions metadata = new Regions(tableTotal + 3);
        metadata.add(0, HEADER);
        if (header.descriptorOffset() != 0) {
            metadata.add(header.descriptorOffset(), DESCRIPTOR);
        }
        metadata.add(gd, DIRECTORY);
        for (int t = 0; t < tableTotal; t++) {
            metadata.add(tables[t] >>> 32, TABLE);
        }
        metadata.checkNoOverlap(header, directorySectors, fileSectors, file);

        long maxGrains = Math.min(StreamOptimizedReader.ceilDiv(header.capacity(), header.grainSize()),
                fileSectors / header.grainSize());
        long[] grains = new long[(int) Math.min(maxGrains, 1024)];
        int grainTotal = 0;
        byte[] table = new byte[SparseExtentHeader.GT_BYTES];
        ByteBuffer entries = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < tableTotal; t++) {
            long tableSector = tables[t] >>> 32;
            long tableIndex = tables[t] & 0xffffffffL;
            cursor.read(tableSector * SECTOR, table, 0, table.length);
            for (int e = 0; e < SparseExtentHeader.GTES_PER_GT; e++) {
                long sector = Integer.toUnsignedLong(entries.getInt(e * 4));
                long grain = tableIndex * SparseExtentHeader.GTES_PER_GT + e;
                if (sector == 0 || (sector == 1 && header.zeroedGrainEntries())
                        || grain * header.grainSize() >= header.capacity()) {
                    continue; // unallocated, a zero grain, or past the disk's end in the last table
                }
                if (sector + header.grainSize() > fileSectors) {
                    throw new InvalidDiskImageException("disk.vmdk.grain-offset", file + ": grain " + grain
                            + " at sector " + sector + " lies past the end of the file (" + fileSectors + " sectors)");
                }
                if (grainTotal == grains.length) {
                    if (grainTotal >= maxGrains) {
                        throw new InvalidDiskImageException("disk.vmdk.grain-offset", file + " has more grains than fit"
                                + " in the file");
                    }
                    grains = Arrays.copyOf(grains, (int) Math.min(maxGrains, 2L * grains.length));
                }
                grains[grainTotal++] = grain << 32 | sector;
            }
        }
        grains = Arrays.copyOf(grains, grainTotal);
        Arrays.sort(grains);

        Regions all = new Regions(metadata.count + grainTotal);
        all.addAll(metadata);
        for (long grain : grains) {
            all.add(grain & 0xffffffffL, GRAIN);
        }
        all.checkNoOverlap(header, directorySectors, fileSectors, file);
        return grains;
    }

    @Override
    public long virtualSize() {
        return virtualSize;
    }

    @Override
    public Chunk next() throws IOException {
        try {
            while (nextGrain < grains.length) {
                long first = grains[nextGrain] >>> 32;
                int length = 0;
                while (nextGrain < grains.length && (grains[nextGrain] >>> 32) == first + length / grainBytes
                        && length + grainBytes <= run.length) {
                    long grain = grains[nextGrain];
                    int bytes = (int) Math.min(grainBytes, virtualSize - (grain >>> 32) * grainBytes);
                    cursor.read((grain & 0xffffffffL) * SECTOR, run, length, bytes);
                    length += bytes;
                    nextGrain++;
                }
                if (!Zeros.allZero(run, 0, length)) {
                    return new Chunk(first * grainBytes, run, length);
                }
            }
            return null;
        } catch (EOFException e) {
            throw InvalidDiskImageException.truncated("disk.vmdk.truncated", file, e);
        }
    }

    @Override
    public void close() throws IOException {
        cursor.close();
    }

    /**
     * The file's regions (header, descriptor, directory, tables, grains), to prove that none overlaps
     * another: a table pointing into the header or two entries naming one grain are corruption or an attack.
     */
    private static final class Regions {
        private long[] keys;
        private int count;

        Regions(int capacity) {
            keys = new long[capacity];
        }

        void add(long sector, int kind) {
            keys[count++] = sector << KIND_BITS | kind;
        }

        void addAll(Regions other) {
            System.arraycopy(other.keys, 0, keys, count, other.count);
            count += other.count;
        }

        void checkNoOverlap(SparseExtentHeader header, long directorySectors, long fileSectors, String file)
                throws InvalidDiskImageException {
            Arrays.sort(keys, 0, count);
            long previousEnd = 0;
            int previousKind = HEADER;
            long previousStart = 0;
            for (int i = 0; i < count; i++) {
                long start = keys[i] >>> KIND_BITS;
                int kind = (int) (keys[i] & ((1 << KIND_BITS) - 1));
                long end = start + switch (kind) {
                    case HEADER -> 1;
                    case DESCRIPTOR -> header.descriptorSize();
                    case DIRECTORY -> directorySectors;
                    case TABLE -> GT_SECTORS;
                    default -> header.grainSize();
                };
                if (i > 0 && start < previousEnd) {
                    throw new InvalidDiskImageException(check(kind), file + ": the " + name(kind) + " at sector " + start
                            + " overlaps the " + name(previousKind) + " at sector " + previousStart);
                }
                if (end > fileSectors) {
                    throw new InvalidDiskImageException(check(kind), file + ": the " + name(kind) + " at sector " + start
                            + " lies past the end of the file (" + fileSectors + " sectors)");
                }
                previousEnd = end;
                previousKind = kind;
                previousStart = start;
            }
        }

        private static String check(int kind) {
            return switch (kind) {
                case GRAIN -> "disk.vmdk.grain-offset";
                case TABLE -> "disk.vmdk.grain-table";
                case DIRECTORY -> "disk.vmdk.grain-directory";
                default -> "disk.vmdk.header";
            };
        }

        private static String name(int kind) {
            return switch (kind) {
                case HEADER -> "header";
                case DESCRIPTOR -> "embedded descriptor";
                case DIRECTORY -> "grain directory";
                case TABLE -> "grain table";
                default -> "grain";
            };
        }
    }
}
