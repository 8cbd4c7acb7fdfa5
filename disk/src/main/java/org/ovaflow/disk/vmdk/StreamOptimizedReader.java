package org.ovaflow.disk.vmdk;

import org.ovaflow.disk.AllocationMap;
import org.ovaflow.disk.DiskImageReader;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.OrderedTasks;
import org.ovaflow.disk.SourceCursor;
import org.ovaflow.disk.Zeros;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Optional;

/**
 * A streamOptimized extent read strictly forward in one pass, as it was written: the header, the embedded
 * descriptor, then marker after marker from {@code overHead} to the end-of-stream marker. Grain tables, the
 * grain directory and the footer are skipped: every grain names its own place (its lba), so the stream never
 * needs them, and the file converts from a forward-only source (a gzip-compressed OVA entry) as well. A source
 * that can be read by ranges has them read ahead for {@link #allocation()} ({@link GrainTables}), for writers
 * that plan their file.
 *
 * <p>Grains are inflated on the codec threads and handed on in file order, which must be ascending lba
 * order: a grain behind an earlier one could only be placed by going back, so such a file is refused
 * ({@code disk.vmdk.grain-order}). A file whose grain directory is "at the end" (VMware's layout) that
 * ends before its end-of-stream marker is truncated ({@code disk.vmdk.truncated}), as is any file ending
 * within a marker or grain. qemu-img (7.2 at least) keeps its grain directory in the head and ends the file
 * after its last grain without a marker: such a file may end on a sector where a marker would start, unless
 * it has a footer (ovaflow's layout keeps VMware's tail), which the end-of-stream marker must follow.
 * Grains go to the codec threads {@value #BATCH_GRAINS} at a time. Memory: {@link OrderedTasks#defaultInFlight()}
 * + 2 batches, each {@value #BATCH_GRAINS} grains inflated and their compressed bytes (at most twice as many),
 * about 20 MiB on 2 cores with 64 KiB grains at worst; no tables.
 */
final class StreamOptimizedReader implements DiskImageReader {

    /** A compressed grain larger than this is no deflate output of one grain (qemu's bound as well). */
    private static final int COMPRESSED_GRAIN_FACTOR = 2;

    private final SourceCursor cursor;
    private final String file;
    private final SparseExtentHeader header;
    private final long virtualSize;
    private final int grainBytes;
    /** The most sectors a table marker may announce: the grain directory of this capacity, and slack. */
    private final long maxMetadataSectors;
    /**
     * The longest a file of this capacity can be: every grain stored (deflate never grows data by more than a
     * fraction), a marker each, and the tables; a gzip-compressed source could otherwise decompress forever.
     */
    private final long maxFileBytes;
    /** Whether each grain's Adler-32 is checked; not when a manifest digest already verified the file. */
    private final boolean checkAdler32;
    private final OrderedTasks<Batch> tasks = new OrderedTasks<>(OrderedTasks.defaultInFlight());
    private final ArrayDeque<Batch> free = new ArrayDeque<>();
    private final byte[] sector = new byte[SparseExtentHeader.SECTOR];
    /** The batch being filled with compressed grains as markers are read. */
    private Batch filling;
    /** The inflated batch whose chunks {@link #next()} is handing out, and the next grain of it. */
    private Batch current;
    private int nextGrain;
    private long position;
    private long previousLba = -1;
    private boolean ended;
    /** Whether a footer was read: the end-of-stream marker must then follow (ovaflow's and VMware's tails). */
    private boolean footerRead;

    /**
     * Up to {@link #BATCH_GRAINS} grains inflated by one codec task into one array, in file order: one task
     * and one chunk per megabyte rather than per grain, which keeps the hand-offs between threads cheap.
     */
    private static final class Batch {
        final byte[] data;
        final long[] lbas = new long[BATCH_GRAINS];
        final int[] lengths = new int[BATCH_GRAINS];
        final boolean[] zero = new boolean[BATCH_GRAINS];
        final int[] compressedAt = new int[BATCH_GRAINS + 1];
        byte[] compressed = new byte[0];
        int count;

        Batch(int grainBytes) {
            this.data = new byte[BATCH_GRAINS * grainBytes];
        }

        boolean isFull() {
            return count == BATCH_GRAINS;
        }
    }

    /** 16 grains of the usual 64 KiB: a megabyte a task. */
    static final int BATCH_GRAINS = 16;

    /** Takes over {@code cursor}, positioned past the header; reads the embedded descriptor. */
    StreamOptimizedReader(SourceCursor cursor, SparseExtentHeader header, String file, boolean checkAdler32)
            throws IOException {
        this.cursor = cursor;
        this.checkAdler32 = checkAdler32;
        this.file = file;
        this.header = header;
        this.virtualSize = header.capacity() * SparseExtentHeader.SECTOR;
        this.grainBytes = header.grainBytes();
        long grainTables = ceilDiv(ceilDiv(header.capacity(), header.grainSize()), SparseExtentHeader.GTES_PER_GT);
        this.maxMetadataSectors = ceilDiv(grainTables * 4, SparseExtentHeader.SECTOR) + 128;
        long grains = ceilDiv(header.capacity(), header.grainSize());
        this.maxFileBytes = 2 * virtualSize + grains * 2 * SparseExtentHeader.SECTOR
                + 4 * (maxMetadataSectors + grainTables) * SparseExtentHeader.SECTOR + (1L << 20);
        VmdkReader.readEmbeddedDescriptor(cursor, header, file);
        if (header.overHead() < header.descriptorEnd() || header.overHead() > Integer.MAX_VALUE) {
            throw new InvalidDiskImageException("disk.vmdk.header", file + " says its grains start at sector "
                    + header.overHead() + ", which is not past its header and descriptor (sector "
                    + header.descriptorEnd() + ")");
        }
        this.position = header.overHead() * SparseExtentHeader.SECTOR;
    }

    @Override
    public long virtualSize() {
        return virtualSize;
    }

    /** The grains the extent's tables allocate, read ahead of the stream when its source can be read back. */
    @Override
    public Optional<AllocationMap> allocation() throws IOException {
        return GrainTables.read(cursor.source(), header, file);
    }

    @Override
    public Chunk next() throws IOException {
        try {
            while (true) {
                if (current != null && nextGrain < current.count) {
                    Chunk chunk = nextRun();
                    if (chunk != null) {
                        return chunk;
                    }
                    continue;
                }
                if (current != null) {
                    free.add(current);
                    current = null;
                }
                while (!ended && !tasks.isFull()) {
                    readMarker();
                }
                if (ended && filling != null) {
                    submit();
                }
                if (tasks.isEmpty()) {
                    return null;
                }
                current = tasks.take();
                nextGrain = 0;
            }
        } catch (EOFException e) {
            throw InvalidDiskImageException.truncated("disk.vmdk.truncated", file, e);
        }
    }

    /**
     * The next run of grains of the current batch that hold data and follow each other on the disk, as one
     * chunk; null when the grains left are all zeros.
     */
    private Chunk nextRun() {
        Batch batch = current;
        while (nextGrain < batch.count && batch.zero[nextGrain]) {
            nextGrain++;
        }
        if (nextGrain == batch.count) {
            return null;
        }
        int first = nextGrain;
        long offset = batch.lbas[first] * SparseExtentHeader.SECTOR;
        int length = grainLength(batch, first);
        nextGrain++;
        while (nextGrain < batch.count && !batch.zero[nextGrain] && length == (nextGrain - first) * grainBytes
                && batch.lbas[nextGrain] * SparseExtentHeader.SECTOR == offset + length) {
            length += grainLength(batch, nextGrain);
            nextGrain++;
        }
        return new Chunk(offset, batch.data, first * grainBytes, length);
    }

    /** The bytes of grain {@code i} that lie within the disk (a last grain may reach past its end). */
    private int grainLength(Batch batch, int i) {
        return (int) Math.max(0, Math.min(batch.lengths[i], virtualSize - batch.lbas[i] * SparseExtentHeader.SECTOR));
    }

    /** Reads the marker at {@code position} and what follows it: a grain goes to the codec threads. */
    private void readMarker() throws IOException {
        if (position > maxFileBytes) {
            // only reachable from a source of unknown size (gzip): endless markers would read forever
            throw new InvalidDiskImageException("disk.vmdk.too-long", file + " goes on past " + maxFileBytes
                    + " bytes, more than any streamOptimized file of " + virtualSize + " bytes can take");
        }
        int read = cursor.readUpTo(position, sector, 0, sector.length);
        if (read == 0 && header.gdOffset() != SparseExtentHeader.GD_AT_END && !footerRead) {
            // qemu-img keeps its tables at the start and ends the file after the last grain, without markers
            ended = true;
            return;
        }
        if (read < sector.length) {
            throw truncated(file + " ends at " + (position + read) + " without an end-of-stream marker");
        }
        ByteBuffer b = ByteBuffer.wrap(sector).order(ByteOrder.LITTLE_ENDIAN);
        long value = b.getLong(0);
        long size = Integer.toUnsignedLong(b.getInt(8));
        if (size == 0) {
            skipMetadata(value, b.getInt(12));
        } else {
            readGrain(value, (int) Math.min(size, Integer.MAX_VALUE));
        }
    }

    private void skipMetadata(long sectors, int type) throws InvalidDiskImageException {
        switch (type) {
            case StreamMarker.TYPE_END_OF_STREAM -> {
                ended = true;
                return;
            }
            case StreamMarker.TYPE_GRAIN_TABLE, StreamMarker.TYPE_GRAIN_DIRECTORY, StreamMarker.TYPE_FOOTER -> {
                footerRead |= type == StreamMarker.TYPE_FOOTER;
                if (sectors < 0 || sectors > maxMetadataSectors) {
                    throw new InvalidDiskImageException("disk.vmdk.marker", file + ": the " + StreamMarker.typeName(type)
                            + " marker at " + position + " announces " + Long.toUnsignedString(sectors)
                            + " sectors; a disk of this capacity needs at most " + maxMetadataSectors);
                }
            }
            default -> throw new InvalidDiskImageException("disk.vmdk.marker", file + ": the marker at " + position
                    + " is of " + StreamMarker.typeName(type) + " type");
        }
        position += (1 + sectors) * SparseExtentHeader.SECTOR;
    }

    private void readGrain(long lba, int size) throws IOException {
        if (lba < 0 || lba >= header.capacity() || lba % header.grainSize() != 0) {
            throw new InvalidDiskImageException("disk.vmdk.grain-lba", file + ": the grain at " + position
                    + " is for sector " + Long.toUnsignedString(lba) + ", which is not the start of a grain within the "
                    + header.capacity() + " sectors of the disk");
        }
        if (lba <= previousLba) {
            throw new InvalidDiskImageException("disk.vmdk.grain-order", file + ": the grain at " + position
                    + " is for sector " + lba + ", after the one for sector " + previousLba
                    + "; grains out of order cannot be read as a stream");
        }
        if (size > COMPRESSED_GRAIN_FACTOR * grainBytes) {
            throw new InvalidDiskImageException("disk.vmdk.grain-data", file + ": the grain at " + position + " holds "
                    + size + " compressed bytes, more than a grain of " + grainBytes + " can deflate to");
        }
        previousLba = lba;
        if (filling == null) {
            filling = free.isEmpty() ? new Batch(grainBytes) : free.poll();
            filling.count = 0;
        }
        Batch batch = filling;
        int at = batch.compressedAt[batch.count];
        if (batch.compressed.length < at + size) {
            batch.compressed = Arrays.copyOf(batch.compressed, Math.max(at + size, 2 * batch.compressed.length));
        }
        int inFirstSector = Math.min(size, sector.length - StreamMarker.GRAIN_HEADER);
        System.arraycopy(sector, StreamMarker.GRAIN_HEADER, batch.compressed, at, inFirstSector);
        if (size > inFirstSector) {
            cursor.read(position + sector.length, batch.compressed, at + inFirstSector, size - inFirstSector);
        }
        batch.lbas[batch.count] = lba;
        batch.compressedAt[batch.count + 1] = at + size;
        batch.count++;
        position += ceilDiv(StreamMarker.GRAIN_HEADER + (long) size, SparseExtentHeader.SECTOR)
                * SparseExtentHeader.SECTOR;
        if (batch.isFull()) {
            submit();
        }
    }

    /** Hands the batch being filled to a codec thread, which inflates its grains and marks the empty ones. */
    private void submit() {
        Batch batch = filling;
        filling = null;
        tasks.submit(() -> {
            for (int i = 0; i < batch.count; i++) {
                int from = batch.compressedAt[i];
                long lba = batch.lbas[i];
                batch.lengths[i] = GrainCompression.inflate(batch.compressed, from, batch.compressedAt[i + 1] - from,
                        batch.data, i * grainBytes, grainBytes, checkAdler32,
                        () -> file + ": the grain for sector " + lba);
                batch.zero[i] = Zeros.allZero(batch.data, i * grainBytes, batch.lengths[i]);
            }
            return batch;
        });
    }

    private InvalidDiskImageException truncated(String message) {
        return new InvalidDiskImageException("disk.vmdk.truncated", message);
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    @Override
    public void close() throws IOException {
        tasks.close();
        cursor.close();
    }
}
