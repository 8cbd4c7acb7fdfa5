package org.ovaflow.disk.vmdk;

import org.ovaflow.disk.AllocationMap;
import org.ovaflow.disk.ImageSource;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.ovaflow.disk.vmdk.SparseExtentHeader.SECTOR;

/**
 * The grains a streamOptimized extent's grain tables allocate, read ahead of its stream with a few ranged reads:
 * the grain directory (found through the footer when the header puts it "at the end", VMware's layout), then the
 * tables, neighbouring ones in one read (qemu-img keeps them all together in the head; VMware puts each after its
 * grains, so one read a table, several at once). The stream itself is read as before; this only lets a writer
 * plan its file.
 *
 * <p>Nothing here refuses the image: tables that cannot be read or make no sense give no map, and the stream reader
 * judges the image as it always did. Only data the stream then holds outside the map refuses it
 * ({@code disk.vmdk.grain-table}): qemu reads such a file by its tables, so it would be another disk there.
 */
final class GrainTables {

    /** Tables closer than this in the file are read in one request (the gap is read and dropped). */
    static final long JOIN_GAP = 64 * 1024;
    /**
     * The most bytes one request reads: 512 tables, 16 GiB of disk in 64 KiB grains. With {@link #READS_IN_FLIGHT}
     * reads at once, at most 8 MiB of tables are held.
     */
    static final long MAX_READ = 1024 * 1024;
    /** Reads of tables under way at once: VMware's layout takes one a table (one a 32 MiB of disk). */
    static final int READS_IN_FLIGHT = 8;
    /** A larger directory (a 64 TiB disk in 64 KiB grains) is not read ahead. */
    static final long MAX_DIRECTORY_BYTES = 1 << 20;
    /** The footer's marker, the footer and the end-of-stream marker: the last three sectors of VMware's layout. */
    private static final int TAIL = 3 * SECTOR;

    private GrainTables() {
    }

    /** The extent's allocated grains, or empty when the source cannot be read back or the tables make no sense. */
    static Optional<AllocationMap> read(ImageSource source, SparseExtentHeader header, String file)
            throws IOException {
        long size = source.size();
        if (!source.randomAccess() || size < TAIL) {
            return Optional.empty();
        }
        long fileSectors = size / SECTOR;
        long grains = StreamOptimizedReader.ceilDiv(header.capacity(), header.grainSize());
        long tableCount = StreamOptimizedReader.ceilDiv(grains, SparseExtentHeader.GTES_PER_GT);
        long directoryBytes = tableCount * 4;
        if (grains > Integer.MAX_VALUE || directoryBytes > MAX_DIRECTORY_BYTES) {
            return Optional.empty();
        }
        long gd = header.gdOffset() == SparseExtentHeader.GD_AT_END ? footerDirectory(source, size)
                : header.gdOffset();
        if (gd < 1 || gd + StreamOptimizedReader.ceilDiv(directoryBytes, SECTOR) > fileSectors) {
            return Optional.empty();
        }
        ByteBuffer directory = ByteBuffer.wrap(source.readFully(gd * SECTOR, (int) directoryBytes))
                .order(ByteOrder.LITTLE_ENDIAN);
        // the tables in file order: sector in the high bits, directory index in the low
        long[] tables = new long[(int) tableCount];
        int count = 0;
        for (int i = 0; i < tableCount; i++) {
            long sector = Integer.toUnsignedLong(directory.getInt(i * 4));
            if (sector != 0) {
                if (sector + SparseExtentHeader.GT_BYTES / SECTOR > fileSectors) {
                    return Optional.empty();
                }
                tables[count++] = sector << 32 | i;
            }
        }
        if (count == 0) {
            // a directory naming no table is left unfilled (by a writer whose footer has the real one) as likely as
            // the disk is empty: no plan, the disk converts as the data comes
            return Optional.empty();
        }
        Arrays.sort(tables, 0, count);
        // grown as grains are found: a large disk mostly empty costs little
        BitSet allocated = new BitSet();
        List<Run> runs = runs(tables, count);
        ExecutorService readers = Executors.newFixedThreadPool(Math.min(READS_IN_FLIGHT, runs.size()),
                GrainTables::daemon);
        try {
            // read several at once (VMware's layout: a request a table), taken in order as they complete
            Deque<Future<ByteBuffer>> inFlight = new ArrayDeque<>();
            int next = 0;
            for (Run run : runs) {
                while (next < runs.size() && inFlight.size() < READS_IN_FLIGHT) {
                    Run ahead = runs.get(next++);
                    inFlight.add(readers.submit(() -> ByteBuffer.wrap(source.readFully(ahead.start(),
                            (int) (ahead.end() - ahead.start()))).order(ByteOrder.LITTLE_ENDIAN)));
                }
                ByteBuffer bytes = take(inFlight.poll(), file);
                for (int t = run.first(); t <= run.last(); t++) {
                    int at = (int) ((tables[t] >>> 32) * SECTOR - run.start());
                    long index = tables[t] & 0xffffffffL;
                    for (int e = 0; e < SparseExtentHeader.GTES_PER_GT; e++) {
                        long grain = index * SparseExtentHeader.GTES_PER_GT + e;
                        long sector = Integer.toUnsignedLong(bytes.getInt(at + e * 4));
                        if (grain >= grains || sector == 0 || (sector == 1 && header.zeroedGrainEntries())) {
                            continue; // past the disk's end in the last table, unallocated, or a zero grain
                        }
                        if (sector >= fileSectors) {
                            return Optional.empty();
                        }
                        allocated.set((int) grain);
                    }
                }
            }
        } finally {
            readers.shutdownNow();
        }
        // every grain stored takes a sector at least: tables naming more than the file can hold are not believed;
        // tables naming none, as an empty directory above
        long allocatedCount = allocated.cardinality();
        if (allocatedCount > fileSectors || allocatedCount == 0) {
            return Optional.empty();
        }
        return Optional.of(new AllocationMap(file, "disk.vmdk.grain-table", header.grainBytes(),
                header.capacity() * SECTOR, allocated));
    }

    /** Tables {@code first} to {@code last} (in file order), read as the bytes {@code [start, end)}. */
    private record Run(int first, int last, long start, long end) {
    }

    /** The tables in file order, neighbours joined into one read. */
    private static List<Run> runs(long[] tables, int count) {
        List<Run> runs = new ArrayList<>();
        for (int first = 0; first < count; ) {
            int last = first;
            long start = (tables[first] >>> 32) * SECTOR;
            while (last + 1 < count && (tables[last + 1] >>> 32) * SECTOR - ((tables[last] >>> 32) * SECTOR
                    + SparseExtentHeader.GT_BYTES) <= JOIN_GAP
                    && (tables[last + 1] >>> 32) * SECTOR + SparseExtentHeader.GT_BYTES - start <= MAX_READ) {
                last++;
            }
            runs.add(new Run(first, last, start, (tables[last] >>> 32) * SECTOR + SparseExtentHeader.GT_BYTES));
            first = last + 1;
        }
        return runs;
    }

    /** A read's bytes, its failure thrown as the read would have thrown it. */
    private static ByteBuffer take(Future<ByteBuffer> read, String file) throws IOException {
        try {
            return read.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(file + ": interrupted while its grain tables were read");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException failure) {
                throw failure;
            }
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IOException(file + ": reading its grain tables failed: " + e.getCause(), e.getCause());
        }
    }

    private static Thread daemon(Runnable task) {
        Thread thread = new Thread(task, "ovaflow-grain-tables");
        thread.setDaemon(true);
        return thread;
    }

    /** The directory's sector as the footer at the end of VMware's layout names it; 0 when there is no footer. */
    private static long footerDirectory(ImageSource source, long size) throws IOException {
        ByteBuffer tail = ByteBuffer.wrap(source.readFully(size / SECTOR * SECTOR - TAIL, TAIL))
                .order(ByteOrder.LITTLE_ENDIAN);
        boolean footerMarker = tail.getLong(0) == 1 && tail.getInt(8) == 0
                && tail.getInt(12) == StreamMarker.TYPE_FOOTER;
        boolean endMarker = tail.getLong(2 * SECTOR) == 0 && tail.getInt(2 * SECTOR + 8) == 0
                && tail.getInt(2 * SECTOR + 12) == StreamMarker.TYPE_END_OF_STREAM;
        if (!footerMarker || !endMarker || tail.getInt(SECTOR) != SparseExtentHeader.MAGIC) {
            return 0;
        }
        byte[] footer = Arrays.copyOfRange(tail.array(), SECTOR, 2 * SECTOR);
        try {
            long gd = SparseExtentHeader.parse(footer, "footer").gdOffset();
            return gd == SparseExtentHeader.GD_AT_END ? 0 : gd;
        } catch (org.ovaflow.disk.InvalidDiskImageException e) {
            return 0;
        }
    }
}
