package org.ovaflow.disk.qcow2;

import org.ovaflow.disk.AllocationMap;
import org.ovaflow.disk.ClusterAssembler;
import org.ovaflow.disk.DiskImageWriter;
import org.ovaflow.disk.ImageSink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;

import static org.ovaflow.disk.qcow2.Qcow2Format.*;

/**
 * Writes a qcow2 version 3 image (64 KiB clusters, 16-bit refcounts, no compression) in one forward pass:
 * the header cluster and the L1 table first, in the sink's patchable head, as placeholders; then each
 * cluster that holds a non-zero byte, in guest order (all-zero clusters stay unallocated); at {@link #finish()}
 * the L2 tables, the refcount table and the refcount blocks at the end, and the header and L1 table patched.
 * Every cluster of the file is used exactly once, so every refcount is 1 and {@code qemu-img check} finds
 * neither errors nor leaks.
 *
 * <p>Memory: data clusters are allocated one after the other in guest order, so the host offset of each is
 * implied by its rank; what is held until {@code finish()} is therefore not the L2 tables (64 KiB per 512 MiB
 * of guest disk) but one bit per guest cluster of each 512 MiB region that got data: 1 KiB per such region,
 * 2 KiB per GiB of virtual disk (8 MiB for a full 4 TiB disk). The L2 tables are built from the bits one at a
 * time at the end. The L1 table is held too: 8 bytes per 512 MiB.
 *
 * <p>Given the source's {@link AllocationMap} (a streamOptimized VMDK's grain tables), the file is planned instead:
 * every cluster the map allocates gets its place before any data is read, so the header, the L1 table, the
 * refcounts and the L2 tables go first, final, and the data clusters follow in guest order; a planned cluster the
 * data leaves all zeros is written as zeros, data outside the map refuses the image (the map's check). The sink is
 * told the file's length and is never patched: an upload goes in one request, hashed on the way, where the other
 * layout needs its head held back and the finished object read again to hash it.
 *
 * <p>The virtual size is written exactly, as qcow2 allows any byte count. qemu (7.2) opens a qcow2 image
 * whose size is not a multiple of 512 with its size rounded <em>down</em> to a whole sector (and
 * {@code qemu-img create} rounds sizes up to one), so qemu does not see the bytes of a trailing partial
 * sector; ovaflow's readers do. Disks from VMDK and VHD sources are always whole sectors.
 */
public final class Qcow2Writer implements DiskImageWriter {

    static final int CLUSTER_BITS = 16;
    static final int CLUSTER_SIZE = 1 << CLUSTER_BITS;
    private static final int L2_ENTRIES = CLUSTER_SIZE / Long.BYTES;
    /** Guest bytes one L2 table maps: 512 MiB. */
    private static final long REGION_BYTES = (long) CLUSTER_SIZE * L2_ENTRIES;
    private static final int REFCOUNT_ORDER = 4;
    private static final int REFCOUNT_BYTES = (1 << REFCOUNT_ORDER) / Byte.SIZE;
    private static final int REFCOUNTS_PER_BLOCK = CLUSTER_SIZE / REFCOUNT_BYTES;
    private static final int REFCOUNT_TABLE_ENTRIES_PER_CLUSTER = CLUSTER_SIZE / Long.BYTES;

    private final long virtualSize;
    private final ImageSink sink;
    private final ClusterAssembler assembler;
    private final int l1Entries;
    private final long l1Clusters;
    /** Per 512 MiB region that got data (by L1 index, ascending): one bit per guest cluster written. */
    private final TreeMap<Integer, long[]> written = new TreeMap<>();
    private long dataClusters;
    /** The source's map when the file is planned; null when it is laid out as the data comes. */
    private final AllocationMap allocation;
    /** The clusters the plan allocates; null when not planned. */
    private final BitSet planned;
    /** The first planned cluster not written yet. */
    private int nextPlanned;
    /** The planned file's length in clusters. */
    private long plannedClusters;
    private boolean started;
    private boolean finished;

    /**
     * @param virtualSize the disk's size in bytes, kept exactly
     * @param sink        an empty sink whose patchable head holds the header cluster and the L1 table
     *                    (128 KiB for disks up to 4 TiB)
     */
    public Qcow2Writer(long virtualSize, ImageSink sink) {
        this(virtualSize, sink, null);
    }

    /**
     * @param allocation where the source's data may be, as its tables say; null to lay the file out as the data
     *                   comes (the sink's patchable head then holds the header cluster and the L1 table)
     */
    public Qcow2Writer(long virtualSize, ImageSink sink, AllocationMap allocation) {
        if (virtualSize < 0) {
            throw new IllegalArgumentException("negative virtual size " + virtualSize);
        }
        long entries = ceilDiv(virtualSize, REGION_BYTES);
        if (entries > MAX_L1_ENTRIES) {
            throw new IllegalArgumentException("a virtual size of " + virtualSize + " bytes needs an L1 table larger "
                    + "than qemu's limit of " + MAX_L1_ENTRIES + " entries");
        }
        this.virtualSize = virtualSize;
        this.sink = sink;
        this.l1Entries = (int) entries;
        // an empty disk still gets one L1 cluster, so that the header's L1 offset names a cluster in use
        this.l1Clusters = Math.max(1, ceilDiv(entries * Long.BYTES, CLUSTER_SIZE));
        this.allocation = allocation;
        if (allocation != null) {
            this.planned = allocation.clusters(CLUSTER_SIZE);
            long clusters = ceilDiv(virtualSize, CLUSTER_SIZE);
            if (planned.length() > clusters) {
                planned.clear(Math.toIntExact(clusters), planned.length());
            }
        } else {
            this.planned = null;
        }
        if (planned == null && sink.patchableHead() < headBytes()) {
            throw new IllegalArgumentException("the sink can patch " + sink.patchableHead() + " leading bytes; the "
                    + "qcow2 header and L1 table of a " + virtualSize + "-byte disk need " + headBytes());
        }
        this.assembler = new ClusterAssembler(CLUSTER_SIZE, virtualSize, this::writeCluster);
    }

    @Override
    public void write(long offset, byte[] data, int from, int length) throws IOException {
        if (finished) {
            throw new IllegalStateException("write after finish");
        }
        start();
        assembler.write(offset, data, from, length);
    }

    @Override
    public void finish() throws IOException {
        if (finished) {
            throw new IllegalStateException("finish called twice");
        }
        start();
        assembler.flush();
        if (planned != null) {
            writePlannedZeros(Integer.MAX_VALUE);
            if (sink.position() != plannedClusters * CLUSTER_SIZE) {
                throw new IllegalStateException("the planned qcow2 file is " + plannedClusters * CLUSTER_SIZE
                        + " bytes, " + sink.position() + " were written");
            }
        } else {
            long[] l1 = l1Table(written, sink.position());
            writeL2Tables(written, 1 + l1Clusters);
            long refcountTableOffset = sink.position();
            RefcountLayout refcounts = RefcountLayout.of(sink.position() / CLUSTER_SIZE);
            writeRefcounts(refcounts, sink.position());
            sink.patch(0, header(refcountTableOffset, refcounts.tableClusters()), 0, HEADER_LENGTH_V3);
            byte[] l1Bytes = l1Bytes(l1);
            sink.patch(CLUSTER_SIZE, l1Bytes, 0, l1Bytes.length);
        }
        sink.finish();
        finished = true;
    }

    /**
     * The planned file's metadata, final: the header, the L1 table, the refcount table and blocks, and the L2
     * tables, in that order; the data clusters follow them, in guest order.
     */
    private void writePlannedHead() throws IOException {
        TreeMap<Integer, long[]> regions = new TreeMap<>();
        for (int c = planned.nextSetBit(0); c >= 0; c = planned.nextSetBit(c + 1)) {
            mark(regions, c);
        }
        long l2Tables = regions.size();
        dataClusters = planned.cardinality();
        long head = 1 + l1Clusters;
        RefcountLayout refcounts = RefcountLayout.of(head + l2Tables + dataClusters);
        long firstL2 = head + refcounts.clusters();
        long firstData = firstL2 + l2Tables;
        plannedClusters = firstData + dataClusters;
        sink.announceLength(plannedClusters * CLUSTER_SIZE);
        byte[] cluster = new byte[CLUSTER_SIZE];
        System.arraycopy(header(head * CLUSTER_SIZE, refcounts.tableClusters()), 0, cluster, 0, HEADER_LENGTH_V3);
        sink.write(cluster, 0, CLUSTER_SIZE);
        byte[] l1Bytes = l1Bytes(l1Table(regions, firstL2 * CLUSTER_SIZE));
        sink.write(l1Bytes, 0, l1Bytes.length);
        sink.writeZeros(l1Clusters * CLUSTER_SIZE - l1Bytes.length);
        writeRefcounts(refcounts, head * CLUSTER_SIZE);
        writeL2Tables(regions, firstData);
    }

    /** Zeros for the planned clusters before {@code end} that no data was written to. */
    private void writePlannedZeros(int end) throws IOException {
        for (int c = planned.nextSetBit(nextPlanned); c >= 0 && c < end; c = planned.nextSetBit(c + 1)) {
            sink.writeZeros(CLUSTER_SIZE);
            nextPlanned = c + 1;
        }
    }

    @Override
    public void close() throws IOException {
        sink.close();
    }

    private long headBytes() {
        return (1 + l1Clusters) * CLUSTER_SIZE;
    }

    /** The header cluster and the L1 table, zeros until {@link #finish()} patches them. */
    private void start() throws IOException {
        if (started) {
            return;
        }
        if (sink.position() != 0) {
            throw new IllegalStateException("the sink has " + sink.position() + " bytes already; a qcow2 image starts it");
        }
        if (planned != null) {
            writePlannedHead();
        } else {
            sink.writeZeros(headBytes());
        }
        started = true;
    }

    private void writeCluster(long index, byte[] data, int from, int length, boolean allZero) throws IOException {
        if (planned != null) {
            if (index >= Integer.MAX_VALUE || !planned.get((int) index)) {
                if (allZero) {
                    return;
                }
                throw allocation.dataOutside(index * CLUSTER_SIZE);
            }
            writePlannedZeros((int) index);
            nextPlanned = (int) index + 1;
        } else {
            if (allZero) {
                return;
            }
            mark(written, index);
            dataClusters++;
        }
        sink.write(data, from, length);
        if (length < CLUSTER_SIZE) {
            // the last cluster of a disk whose size is not a multiple of it: a host cluster is always whole
            sink.writeZeros(CLUSTER_SIZE - length);
        }
    }

    /** Sets guest cluster {@code index}'s bit in its 512 MiB region's bits. */
    private static void mark(TreeMap<Integer, long[]> regions, long index) {
        int within = (int) (index % L2_ENTRIES);
        regions.computeIfAbsent((int) (index / L2_ENTRIES), region -> new long[L2_ENTRIES / Long.SIZE])
                [within / Long.SIZE] |= 1L << (within % Long.SIZE);
    }

    /** The L1 table naming the L2 tables of {@code regions}, written one after the other from {@code firstL2}. */
    private long[] l1Table(TreeMap<Integer, long[]> regions, long firstL2) {
        long[] l1 = new long[l1Entries];
        long at = firstL2;
        for (int region : regions.keySet()) {
            l1[region] = ENTRY_COPIED | at;
            at += CLUSTER_SIZE;
        }
        return l1;
    }

    private byte[] l1Bytes(long[] l1) {
        ByteBuffer bytes = ByteBuffer.allocate(l1Entries * Long.BYTES);
        bytes.asLongBuffer().put(l1);
        return bytes.array();
    }

    /**
     * Writes the L2 tables of {@code regions}, in guest order, mapping their clusters by rank to the host clusters
     * from {@code firstDataCluster} on.
     */
    private void writeL2Tables(TreeMap<Integer, long[]> regions, long firstDataCluster) throws IOException {
        byte[] table = new byte[CLUSTER_SIZE];
        ByteBuffer entries = ByteBuffer.wrap(table);
        long hostCluster = firstDataCluster;
        for (Map.Entry<Integer, long[]> region : regions.entrySet()) {
            Arrays.fill(table, (byte) 0);
            long[] bits = region.getValue();
            for (int word = 0; word < bits.length; word++) {
                for (long left = bits[word]; left != 0; left &= left - 1) {
                    int index = word * Long.SIZE + Long.numberOfTrailingZeros(left);
                    entries.putLong(index * Long.BYTES, ENTRY_COPIED | hostCluster++ * CLUSTER_SIZE);
                }
            }
            sink.write(table, 0, CLUSTER_SIZE);
        }
        if (hostCluster - firstDataCluster != dataClusters) {
            throw new IllegalStateException("L2 tables map " + (hostCluster - firstDataCluster) + " clusters, "
                    + dataClusters + " were written");
        }
    }

    /**
     * How many clusters the refcount table and blocks take, sized so that they count themselves too.
     *
     * @param tableClusters the refcount table's clusters
     * @param blocks        the refcount blocks, right after the table
     * @param total         every cluster of the file, theirs included
     */
    private record RefcountLayout(long tableClusters, long blocks, long total) {

        /** For a file of {@code others} clusters besides the refcounts. */
        static RefcountLayout of(long others) {
            long blocks = 0;
            long tableClusters = 0;
            while (true) {
                long total = others + tableClusters + blocks;
                long neededBlocks = ceilDiv(total, REFCOUNTS_PER_BLOCK);
                long neededTable = ceilDiv(neededBlocks, REFCOUNT_TABLE_ENTRIES_PER_CLUSTER);
                if (neededBlocks == blocks && neededTable == tableClusters) {
                    return new RefcountLayout(tableClusters, blocks, total);
                }
                blocks = neededBlocks;
                tableClusters = neededTable;
            }
        }

        long clusters() {
            return tableClusters + blocks;
        }
    }

    /**
     * Writes the refcount table and then the refcount blocks of {@code layout}, the table at {@code tableOffset}
     * (the sink's position): every cluster of the file gets refcount 1.
     */
    private void writeRefcounts(RefcountLayout layout, long tableOffset) throws IOException {
        long firstBlock = tableOffset + layout.tableClusters() * CLUSTER_SIZE;
        byte[] cluster = new byte[CLUSTER_SIZE];
        ByteBuffer view = ByteBuffer.wrap(cluster);
        for (long t = 0; t < layout.tableClusters(); t++) {
            Arrays.fill(cluster, (byte) 0);
            for (int i = 0; i < REFCOUNT_TABLE_ENTRIES_PER_CLUSTER; i++) {
                long block = t * REFCOUNT_TABLE_ENTRIES_PER_CLUSTER + i;
                if (block < layout.blocks()) {
                    view.putLong(i * Long.BYTES, firstBlock + block * CLUSTER_SIZE);
                }
            }
            sink.write(cluster, 0, CLUSTER_SIZE);
        }
        for (long b = 0; b < layout.blocks(); b++) {
            Arrays.fill(cluster, (byte) 0);
            long counted = Math.min(REFCOUNTS_PER_BLOCK, layout.total() - b * REFCOUNTS_PER_BLOCK);
            for (int i = 0; i < counted; i++) {
                view.putShort(i * REFCOUNT_BYTES, (short) 1);
            }
            sink.write(cluster, 0, CLUSTER_SIZE);
        }
    }

    private byte[] header(long refcountTableOffset, long refcountTableClusters) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH_V3);
        header.putInt(OFFSET_MAGIC, MAGIC);
        header.putInt(OFFSET_VERSION, 3);
        header.putInt(OFFSET_CLUSTER_BITS, CLUSTER_BITS);
        header.putLong(OFFSET_SIZE, virtualSize);
        header.putInt(OFFSET_L1_SIZE, l1Entries);
        header.putLong(OFFSET_L1_TABLE_OFFSET, CLUSTER_SIZE);
        header.putLong(OFFSET_REFCOUNT_TABLE_OFFSET, refcountTableOffset);
        header.putInt(OFFSET_REFCOUNT_TABLE_CLUSTERS, (int) refcountTableClusters);
        header.putInt(OFFSET_REFCOUNT_ORDER, REFCOUNT_ORDER);
        header.putInt(OFFSET_HEADER_LENGTH, HEADER_LENGTH_V3);
        // backing file, encryption, snapshots, feature bits and compression type (zlib) are all zero
        return header.array();
    }
}
