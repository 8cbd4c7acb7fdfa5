package org.ovaflow.disk.qcow2;

import org.ovaflow.disk.ClusterAssembler;
import org.ovaflow.disk.DiskImageWriter;
import org.ovaflow.disk.ImageSink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
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
    private boolean started;
    private boolean finished;

    /**
     * @param virtualSize the disk's size in bytes, kept exactly
     * @param sink        an empty sink whose patchable head holds the header cluster and the L1 table
     *                    (128 KiB for disks up to 4 TiB)
     */
    public Qcow2Writer(long virtualSize, ImageSink sink) {
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
        if (sink.patchableHead() < headBytes()) {
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
        long[] l1 = writeL2Tables();
        long refcountTableOffset = sink.position();
        long refcountTableClusters = writeRefcounts();
        sink.patch(0, header(refcountTableOffset, refcountTableClusters), 0, HEADER_LENGTH_V3);
        ByteBuffer l1Bytes = ByteBuffer.allocate(l1Entries * Long.BYTES);
        l1Bytes.asLongBuffer().put(l1);
        sink.patch(CLUSTER_SIZE, l1Bytes.array(), 0, l1Bytes.capacity());
        sink.finish();
        finished = true;
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
        sink.writeZeros(headBytes());
        started = true;
    }

    private void writeCluster(long index, byte[] data, int from, int length, boolean allZero) throws IOException {
        if (allZero) {
            return;
        }
        int within = (int) (index % L2_ENTRIES);
        written.computeIfAbsent((int) (index / L2_ENTRIES), region -> new long[L2_ENTRIES / Long.SIZE])
                [within / Long.SIZE] |= 1L << (within % Long.SIZE);
        sink.write(data, from, length);
        if (length < CLUSTER_SIZE) {
            // the last cluster of a disk whose size is not a multiple of it: a host cluster is always whole
            sink.writeZeros(CLUSTER_SIZE - length);
        }
        dataClusters++;
    }

    /** Writes the L2 tables of the regions that got data, in guest order: the L1 table that names them. */
    private long[] writeL2Tables() throws IOException {
        long[] l1 = new long[l1Entries];
        byte[] table = new byte[CLUSTER_SIZE];
        ByteBuffer entries = ByteBuffer.wrap(table);
        long hostCluster = 1 + l1Clusters;
        for (Map.Entry<Integer, long[]> region : written.entrySet()) {
            Arrays.fill(table, (byte) 0);
            long[] bits = region.getValue();
            for (int word = 0; word < bits.length; word++) {
                for (long left = bits[word]; left != 0; left &= left - 1) {
                    int index = word * Long.SIZE + Long.numberOfTrailingZeros(left);
                    entries.putLong(index * Long.BYTES, ENTRY_COPIED | hostCluster++ * CLUSTER_SIZE);
                }
            }
            l1[region.getKey()] = ENTRY_COPIED | sink.position();
            sink.write(table, 0, CLUSTER_SIZE);
        }
        if (hostCluster - (1 + l1Clusters) != dataClusters) {
            throw new IllegalStateException("L2 tables map " + (hostCluster - 1 - l1Clusters) + " clusters, "
                    + dataClusters + " were written");
        }
        return l1;
    }

    /**
     * Writes the refcount table and then the refcount blocks, sized so that they count themselves too: every
     * cluster of the file gets refcount 1. Returns the table's length in clusters.
     */
    private long writeRefcounts() throws IOException {
        long before = sink.position() / CLUSTER_SIZE;
        long blocks = 0;
        long tableClusters = 0;
        while (true) {
            long total = before + tableClusters + blocks;
            long neededBlocks = ceilDiv(total, REFCOUNTS_PER_BLOCK);
            long neededTable = ceilDiv(neededBlocks, REFCOUNT_TABLE_ENTRIES_PER_CLUSTER);
            if (neededBlocks == blocks && neededTable == tableClusters) {
                break;
            }
            blocks = neededBlocks;
            tableClusters = neededTable;
        }
        long total = before + tableClusters + blocks;
        long firstBlock = sink.position() + tableClusters * CLUSTER_SIZE;
        byte[] cluster = new byte[CLUSTER_SIZE];
        ByteBuffer view = ByteBuffer.wrap(cluster);
        for (long t = 0; t < tableClusters; t++) {
            Arrays.fill(cluster, (byte) 0);
            for (int i = 0; i < REFCOUNT_TABLE_ENTRIES_PER_CLUSTER; i++) {
                long block = t * REFCOUNT_TABLE_ENTRIES_PER_CLUSTER + i;
                if (block < blocks) {
                    view.putLong(i * Long.BYTES, firstBlock + block * CLUSTER_SIZE);
                }
            }
            sink.write(cluster, 0, CLUSTER_SIZE);
        }
        for (long b = 0; b < blocks; b++) {
            Arrays.fill(cluster, (byte) 0);
            long counted = Math.min(REFCOUNTS_PER_BLOCK, total - b * REFCOUNTS_PER_BLOCK);
            for (int i = 0; i < counted; i++) {
                view.putShort(i * REFCOUNT_BYTES, (short) 1);
            }
            sink.write(cluster, 0, CLUSTER_SIZE);
        }
        return tableClusters;
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
