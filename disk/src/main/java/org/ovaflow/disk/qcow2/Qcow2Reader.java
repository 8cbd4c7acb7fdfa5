package org.ovaflow.disk.qcow2;

import org.ovaflow.disk.DiskImageReader;
import org.ovaflow.disk.ImageSource;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.OrderedTasks;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.SourceCursor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import static org.ovaflow.disk.qcow2.Qcow2Format.*;

/**
 * A qcow2 image (version 2 or 3) read as its guest sees its active layer, in virtual order: unallocated and
 * zero-flagged clusters are left out, plain clusters are read through one forward {@link SourceCursor}
 * (contiguous clusters gathered into chunks of up to {@value #CHUNK_BYTES} bytes), deflate-compressed clusters
 * are inflated on all cores and handed on in order.
 *
 * <p>Every table offset and data offset is checked before it is used: cluster-aligned where the format says
 * so, inside the file, and clear of the header cluster, the L1 table, the refcount table and every L2 table;
 * two L1 entries naming one L2 table are refused. Internal snapshots are ignored (only the active layer is
 * read); a dirty image (bit 0) reads fine, since refcounts are never consulted.
 *
 * <p>Memory: the L1 entries the virtual size needs and a sorted copy of the L2 table offsets, 16 bytes per
 * L1 entry (32 KiB per TiB of virtual disk with 64 KiB clusters; at most 64 MiB, for qemu's largest L1
 * table); one L2 table (one cluster); and {@link OrderedTasks#defaultInFlight()} + 1 chunk buffers of
 * {@value #CHUNK_BYTES} bytes (or one cluster, when larger) plus the compressed input of the chunks being
 * inflated (at most twice their size: a compressed cluster spans at most two clusters of the file).
 */
public final class Qcow2Reader implements DiskImageReader {

    /** The most guest data one chunk carries (at least one cluster). */
    static final int CHUNK_BYTES = 1 << 20;
    /** Piece size for reading a large L1 table. */
    private static final int TABLE_READ_BYTES = 1 << 20;
    /**
     * An L2 table at most this far ahead of the data being read is read by the data cursor, which passes
     * there anyway: qemu allocates each L2 table just before the first data cluster it maps, so tables and
     * data are read in one stream. Tables elsewhere (behind, or all at the end as Qcow2Writer puts them) are
     * read by a second cursor, which keeps the data stream going.
     */
    private static final long L2_NEAR_AHEAD = 4L << 20;

    private final String file;
    private final Qcow2Header header;
    private final long fileSize;
    private final int clusterSize;
    private final int l2Entries;
    private final long[] l1;
    private final MetadataRegions metadata;
    private final SourceCursor tables;
    private final SourceCursor data;
    private final int chunkCapacity;
    private final byte[] l2Bytes;
    private final long[] l2;
    private long l2Loaded = -1;
    private final OrderedTasks<Chunk> decoded = new OrderedTasks<>(OrderedTasks.defaultInFlight());
    private final ArrayDeque<byte[]> freeBuffers = new ArrayDeque<>();
    private byte[] handedOut;
    private long nextCluster;

    private Qcow2Reader(ImageSource source, Qcow2Header header, long[] l1, MetadataRegions metadata,
                        SourceCursor tables) {
        this.file = source.name();
        this.header = header;
        this.fileSize = source.size();
        this.clusterSize = header.clusterSize();
        this.l2Entries = header.l2Entries();
        this.l1 = l1;
        this.metadata = metadata;
        this.tables = tables;
        this.data = new SourceCursor(source);
        this.chunkCapacity = Math.max(CHUNK_BYTES, clusterSize);
        this.l2Bytes = new byte[clusterSize];
        this.l2 = new long[l2Entries];
    }

    /**
     * Reads and checks the header and the L1 table, and the place of every L2 table, before any data.
     *
     * @throws InvalidDiskImageException when the image is refused (check ids {@code disk.qcow2.*})
     */
    public static Qcow2Reader open(ImageSource source, ReadOptions options) throws IOException {
        String file = source.name();
        long fileSize = source.size();
        if (!source.randomAccess() || fileSize < 0) {
            throw new InvalidDiskImageException("disk.random-access", file + " is compressed as a whole; a qcow2 "
                    + "image is read at the offsets its tables name and must be stored uncompressed");
        }
        Qcow2Header header = Qcow2Header.parse(source.readFully(0, (int) Math.min(fileSize, Qcow2Header.READ_LENGTH)),
                file, options);
        int clusterSize = header.clusterSize();

        long l1Offset = header.l1TableOffset();
        long l1Bytes = header.l1Size() * Long.BYTES;
        if (l1Offset < clusterSize || l1Offset % clusterSize != 0 || !within(l1Offset, l1Bytes, fileSize)) {
            throw new InvalidDiskImageException("disk.qcow2.l1-table", file + " places its L1 table of " + l1Bytes
                    + " bytes at " + l1Offset + ": it must be cluster-aligned, past the header and inside the file ("
                    + fileSize + " bytes)");
        }
        long refcountOffset = header.refcountTableOffset();
        long refcountBytes = header.refcountTableClusters() * clusterSize;
        if (refcountOffset < clusterSize || refcountOffset % clusterSize != 0 || refcountBytes > MAX_REFCOUNT_TABLE_BYTES
                || (refcountOffset < l1Offset + l1Bytes && refcountOffset + refcountBytes > l1Offset)) {
            throw new InvalidDiskImageException("disk.qcow2.refcount-table", file + " places its refcount table of "
                    + refcountBytes + " bytes at " + refcountOffset + ": it must be cluster-aligned, past the header, "
                    + "clear of the L1 table and at most " + MAX_REFCOUNT_TABLE_BYTES + " bytes");
        }
        MetadataRegions tablesOnly = new MetadataRegions(clusterSize, l1Offset, l1Bytes, refcountOffset, refcountBytes,
                new long[0]);

        SourceCursor tables = new SourceCursor(source);
        try {
            long[] l1 = readTable(tables, l1Offset, (int) header.l1EntriesNeeded());
            long[] l2Tables = checkL2Tables(l1, tablesOnly, clusterSize, fileSize, file);
            MetadataRegions metadata = new MetadataRegions(clusterSize, l1Offset, l1Bytes, refcountOffset,
                    refcountBytes, l2Tables);
            return new Qcow2Reader(source, header, l1, metadata, tables);
        } catch (IOException | RuntimeException e) {
            tables.close();
            throw e;
        }
    }

    @Override
    public long virtualSize() {
        return header.virtualSize();
    }

    @Override
    public Chunk next() throws IOException {
        if (handedOut != null) {
            freeBuffers.push(handedOut);
            handedOut = null;
        }
        while (!decoded.isFull() && scheduleChunk()) {
            // reads run ahead of the inflating threads until as many chunks are in flight as allowed
        }
        if (decoded.isEmpty()) {
            return null;
        }
        Chunk chunk = decoded.take();
        handedOut = chunk.data();
        return chunk;
    }

    @Override
    public void close() throws IOException {
        decoded.close();
        try {
            data.close();
        } finally {
            tables.close();
        }
    }

    /**
     * Reads the next run of guest clusters that hold data, virtually contiguous and at most a chunk long, and
     * submits its decoding; false at the end of the disk.
     */
    private boolean scheduleChunk() throws IOException {
        long clusters = header.guestClusters();
        while (nextCluster < clusters) {
            int l1Index = (int) (nextCluster / l2Entries);
            if (l2TableOffset(l1Index) == 0) {
                nextCluster = (l1Index + 1L) * l2Entries;
            } else if (holdsData(mapping(nextCluster))) {
                break;
            } else {
                nextCluster++;
            }
        }
        if (nextCluster >= clusters) {
            return false;
        }
        byte[] buffer = freeBuffers.isEmpty() ? new byte[chunkCapacity] : freeBuffers.pop();
        long start = nextCluster * clusterSize;
        int filled = 0;
        ContiguousRead run = new ContiguousRead(data, buffer);
        List<CompressedCluster> compressed = new ArrayList<>();
        while (nextCluster < clusters && filled + clusterSize <= chunkCapacity) {
            if (nextCluster % l2Entries == 0) {
                // a new L2 table may be read by the data cursor: the clusters gathered so far are read first
                run.flush();
            }
            long entry = mapping(nextCluster);
            if (!holdsData(entry)) {
                break;
            }
            int length = (int) Math.min(clusterSize, header.virtualSize() - nextCluster * clusterSize);
            if ((entry & L2_COMPRESSED) != 0) {
                run.flush();
                compressed.add(readCompressed(entry, filled, length));
            } else {
                long host = dataCluster(entry);
                // qemu reads zeros past the end of the file; only the last cluster of a file can reach there
                int available = (int) Math.min(length, fileSize - host);
                run.add(host, filled, available);
                Arrays.fill(buffer, filled + available, filled + length, (byte) 0);
            }
            filled += length;
            nextCluster++;
        }
        run.flush();
        Chunk chunk = new Chunk(start, buffer, filled);
        if (compressed.isEmpty()) {
            decoded.submit(() -> chunk);
        } else {
            String name = file;
            decoded.submit(() -> {
                inflate(compressed, buffer, name);
                return chunk;
            });
        }
        return true;
    }

    private static boolean holdsData(long entry) {
        if ((entry & L2_COMPRESSED) != 0) {
            return true;
        }
        // qemu honours the zero flag whatever the version (version 2 images never set it)
        return (entry & L2_ZERO) == 0 && (entry & ENTRY_OFFSET_MASK) != 0;
    }

    private long l2TableOffset(int l1Index) {
        return l1[l1Index] & ENTRY_OFFSET_MASK;
    }

    /** The L2 entry of a guest cluster, 0 where its L1 entry maps nothing; loads its L2 table if need be. */
    private long mapping(long cluster) throws IOException {
        int l1Index = (int) (cluster / l2Entries);
        long tableOffset = l2TableOffset(l1Index);
        if (tableOffset == 0) {
            return 0;
        }
        if (l2Loaded != l1Index) {
            long dataAt = data.position();
            boolean nearAhead = dataAt >= 0 && tableOffset >= dataAt && tableOffset - dataAt <= L2_NEAR_AHEAD;
            (nearAhead ? data : tables).read(tableOffset, l2Bytes, 0, clusterSize);
            ByteBuffer.wrap(l2Bytes).asLongBuffer().get(l2);
            l2Loaded = l1Index;
        }
        return l2[(int) (cluster % l2Entries)];
    }

    /** The host offset of a standard cluster, checked. */
    private long dataCluster(long entry) throws InvalidDiskImageException {
        long host = entry & ENTRY_OFFSET_MASK;
        String problem = null;
        if (host % clusterSize != 0) {
            problem = "is not cluster-aligned";
        } else if (host >= fileSize) {
            problem = "lies past the end of the file (" + fileSize + " bytes)";
        } else {
            String table = metadata.metadataAt(host, clusterSize);
            if (table != null) {
                problem = "lies inside " + table;
            }
        }
        if (problem != null) {
            throw new InvalidDiskImageException("disk.qcow2.data-cluster", file + ": guest cluster " + nextCluster
                    + " is mapped to host offset " + host + ", which " + problem);
        }
        return host;
    }

    /** Checks a compressed cluster's byte range and reads it, with the one spare byte raw inflating wants. */
    private CompressedCluster readCompressed(long entry, int at, int length) throws IOException {
        int offsetBits = compressedOffsetBits(header.clusterBits());
        long host = entry & ((1L << offsetBits) - 1);
        long sectors = ((entry >>> offsetBits) & ((1L << (header.clusterBits() - 8)) - 1)) + 1;
        long size = sectors * COMPRESSED_SECTOR - (host % COMPRESSED_SECTOR);
        // qemu counts whole sectors, so the last compressed cluster may reach up to a sector past the end
        long fileEndInSectors = ceilDiv(fileSize, COMPRESSED_SECTOR) * COMPRESSED_SECTOR;
        String problem = null;
        if (host >= fileSize) {
            problem = "starts past the end of the file (" + fileSize + " bytes)";
        } else if (host + size > fileEndInSectors) {
            problem = "runs " + size + " bytes, past the end of the file (" + fileSize + " bytes)";
        } else {
            String table = metadata.metadataAt(host, Math.min(size, fileSize - host));
            if (table != null) {
                problem = "lies inside " + table;
            }
        }
        if (problem != null) {
            throw new InvalidDiskImageException("disk.qcow2.compressed-cluster", file + ": compressed guest cluster "
                    + nextCluster + " at host offset " + host + " " + problem);
        }
        int available = (int) Math.min(size, fileSize - host);
        byte[] input = new byte[available + 1];
        data.read(host, input, 0, available);
        return new CompressedCluster(nextCluster, at, length, input, available);
    }

    private static void inflate(List<CompressedCluster> clusters, byte[] into, String file)
            throws InvalidDiskImageException {
        Inflater inflater = new Inflater(true);
        try {
            for (CompressedCluster cluster : clusters) {
                inflater.reset();
                inflater.setInput(cluster.input(), 0, cluster.inputLength() + 1);
                int produced = 0;
                int stalls = 0;
                while (produced < cluster.length() && stalls < 2) {
                    int n = inflater.inflate(into, cluster.at() + produced, cluster.length() - produced);
                    produced += n;
                    if (n == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                        break;
                    }
                    stalls = n == 0 ? stalls + 1 : 0;
                }
                if (produced < cluster.length()) {
                    throw new InvalidDiskImageException("disk.qcow2.compressed-cluster", file + ": compressed guest "
                            + "cluster " + cluster.guestCluster() + " inflates to " + produced + " bytes, "
                            + cluster.length() + " expected");
                }
            }
        } catch (DataFormatException e) {
            throw new InvalidDiskImageException("disk.qcow2.compressed-cluster", file + ": a compressed cluster is "
                    + "not valid deflate data: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

    /** Reads and checks the L1 entries' L2 tables: their ascending offsets, each named once. */
    private static long[] checkL2Tables(long[] l1, MetadataRegions tablesOnly, int clusterSize, long fileSize,
                                        String file) throws InvalidDiskImageException {
        long[] offsets = new long[l1.length];
        int count = 0;
        for (int i = 0; i < l1.length; i++) {
            long offset = l1[i] & ENTRY_OFFSET_MASK;
            if (offset == 0) {
                continue;
            }
            String problem = null;
            if (offset % clusterSize != 0) {
                problem = "is not cluster-aligned";
            } else if (!within(offset, clusterSize, fileSize)) {
                problem = "does not lie inside the file (" + fileSize + " bytes)";
            } else {
                String table = tablesOnly.tableAt(offset, clusterSize);
                if (table != null) {
                    problem = "lies inside " + table;
                }
            }
            if (problem != null) {
                throw new InvalidDiskImageException("disk.qcow2.l2-table", file + ": L1 entry " + i
                        + " names an L2 table at " + offset + ", which " + problem);
            }
            offsets[count++] = offset;
        }
        long[] sorted = Arrays.copyOf(offsets, count);
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw new InvalidDiskImageException("disk.qcow2.l2-table", file + ": two L1 entries name the same L2 "
                        + "table at " + sorted[i]);
            }
        }
        return sorted;
    }

    private static long[] readTable(SourceCursor cursor, long offset, int entries) throws IOException {
        long[] table = new long[entries];
        byte[] piece = new byte[(int) Math.min((long) entries * Long.BYTES, TABLE_READ_BYTES)];
        int done = 0;
        while (done < entries) {
            int count = Math.min(entries - done, piece.length / Long.BYTES);
            cursor.read(offset + (long) done * Long.BYTES, piece, 0, count * Long.BYTES);
            ByteBuffer.wrap(piece, 0, count * Long.BYTES).asLongBuffer().get(table, done, count);
            done += count;
        }
        return table;
    }

    /** Whether {@code [offset, offset+length)} lies inside a file of {@code fileSize} bytes (no overflow). */
    private static boolean within(long offset, long length, long fileSize) {
        return offset >= 0 && length >= 0 && offset <= fileSize - length;
    }

    /** A compressed cluster's bytes, to be inflated into {@code [at, at+length)} of its chunk. */
    private record CompressedCluster(long guestCluster, int at, int length, byte[] input, int inputLength) {
    }

    /** Host-contiguous clusters gathered into one read of the cursor. */
    private static final class ContiguousRead {

        private final SourceCursor cursor;
        private final byte[] buffer;
        private long host = -1;
        private int at;
        private int length;

        ContiguousRead(SourceCursor cursor, byte[] buffer) {
            this.cursor = cursor;
            this.buffer = buffer;
        }

        void add(long hostOffset, int bufferOffset, int count) throws IOException {
            if (length > 0 && hostOffset == host + length && bufferOffset == at + length) {
                length += count;
                return;
            }
            flush();
            host = hostOffset;
            at = bufferOffset;
            length = count;
        }

        void flush() throws IOException {
            if (length > 0) {
                cursor.read(host, buffer, at, length);
                length = 0;
            }
        }
    }
}
