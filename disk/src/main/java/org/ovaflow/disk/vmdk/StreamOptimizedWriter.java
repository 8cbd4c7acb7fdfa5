package org.ovaflow.disk.vmdk;

import org.ovaflow.disk.ClusterAssembler;
import org.ovaflow.disk.DiskImageWriter;
import org.ovaflow.disk.ImageSink;
import org.ovaflow.disk.OrderedTasks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Writes a streamOptimized VMDK (the format of OVA disks) forward: the header, the embedded descriptor and a
 * grain directory, then each non-zero 64 KiB grain deflated (zlib) behind its grain marker, each grain table
 * after the grains it maps, then VMware's tail of Virtual Disk Format 5.0 §4.3 (the grain directory again
 * behind its marker, the footer, the end-of-stream marker). Grain tables with no grain are not written (their
 * directory entry is 0).
 *
 * <p>The header names the directory at the start ({@code gdOffset} = sector 21, right after the descriptor),
 * which {@link #finish()} fills in through the sink's patchable head: Glance's format inspector refuses a
 * header whose directory is "at the end" ("Unsupported VMDK footer", since its 2024 image-safety fixes), as
 * it reads a stream once and cannot reach a footer; qemu-img keeps its directory in the head for the same
 * layout. The footer points at the directory of the tail, as in VMware's own files, and takes precedence
 * for VMware's readers; ESXi refuses an OVA's disk without the end-of-stream marker (qemu issue 1357). The
 * directory is 4 bytes per 32 MiB of disk (256 KiB at the 2 TiB limit), so the head is at most 267 KiB.
 * The header's flags are those VMware writes for this format: valid-newline-test, compressed grains and
 * markers; no redundant grain directory, which the specification has this format ignore (qemu 9 stopped
 * setting it too).
 *
 * <p>The disk's capacity is counted in sectors: a virtual size that is not a multiple of 512 is rounded up,
 * the added bytes reading as zeros. Grains are deflated on the codec threads, at most
 * {@link OrderedTasks#defaultInFlight()} at a time (about 130 KiB each); the writer holds the grain table
 * being filled (2 KiB) and the grain directory, 4 bytes per 32 MiB of disk (128 KiB per TiB).
 */
public final class StreamOptimizedWriter implements DiskImageWriter {

    private static final int SECTOR = SparseExtentHeader.SECTOR;
    private static final long GRAIN_SECTORS = 128;
    private static final int GRAIN_BYTES = (int) GRAIN_SECTORS * SECTOR;
    private static final int VERSION = 3;
    private static final int FLAGS = SparseExtentHeader.FLAG_VALID_NEWLINE_TEST
            | SparseExtentHeader.FLAG_COMPRESSED_GRAINS | SparseExtentHeader.FLAG_MARKERS;
    private static final long DESCRIPTOR_OFFSET = 1;
    /** Room for the descriptor as qemu leaves it; ours takes one or two sectors. */
    private static final long DESCRIPTOR_SECTORS = 20;
    /** The grain directory in the head, right after the descriptor (qemu puts its redundant one there). */
    private static final long HEAD_DIRECTORY_OFFSET = DESCRIPTOR_OFFSET + DESCRIPTOR_SECTORS;
    private static final int GT_SECTORS = SparseExtentHeader.GT_BYTES / SECTOR;
    /** Grain table entries are 32-bit sector numbers: the file cannot pass 2 TiB. */
    private static final long MAX_SECTOR = 0xffffffffL;
    private static final int RECORD_BYTES = roundUpToSector(StreamMarker.GRAIN_HEADER
            + GrainCompression.deflateBound(GRAIN_BYTES));
    // the geometry VMware gives disks on an LSI Logic adapter
    private static final int HEADS = 255;
    private static final int SECTORS_PER_TRACK = 63;
    private static final long MAX_CYLINDERS = 65535;

    private final ImageSink sink;
    private final long capacity;
    private final String extentName;
    private final ClusterAssembler assembler;
    private final OrderedTasks<Grain> tasks = new OrderedTasks<>(OrderedTasks.defaultInFlight());
    private final ArrayDeque<Grain> free = new ArrayDeque<>();
    /** Grain table sectors by table number; 0 where a table has no grain. */
    private final int[] directory;
    /** Sectors of the grain directory, in the head and in the tail alike. */
    private final long directorySectors;
    /** Where grains start: past the head's directory, on a grain boundary (64 KiB for disks up to 428 GiB). */
    private final long overHead;
    private final int[] table = new int[SparseExtentHeader.GTES_PER_GT];
    private long tableNumber = -1;
    private boolean started;
    private boolean finished;

    /** One grain on its way: its data copied out of the assembler, then its marker and deflated bytes. */
    private static final class Grain {
        final byte[] data = new byte[GRAIN_BYTES];
        final byte[] record = new byte[RECORD_BYTES];
        long lba;
        int recordLength;
    }

    /** A streamOptimized VMDK of {@code virtualSize} bytes (rounded up to sectors) naming itself "disk.vmdk". */
    public StreamOptimizedWriter(long virtualSize, ImageSink sink) {
        this(virtualSize, sink, "disk.vmdk");
    }

    /**
     * @param extentName the file name the embedded descriptor gives its one extent: the name the file is
     *                   published under (VMware shows it; readers open the file they were given)
     */
    public StreamOptimizedWriter(long virtualSize, ImageSink sink, String extentName) {
        if (virtualSize <= 0) {
            throw new IllegalArgumentException("virtual size " + virtualSize + " is not positive");
        }
        if (extentName.isEmpty() || extentName.chars().anyMatch(c -> c == '"' || c < 0x20)) {
            throw new IllegalArgumentException("extent name '" + extentName + "' cannot be written in a descriptor");
        }
        this.sink = sink;
        this.capacity = (virtualSize + SECTOR - 1) / SECTOR;
        this.extentName = extentName;
        long grains = (capacity + GRAIN_SECTORS - 1) / GRAIN_SECTORS;
        long tables = (grains + SparseExtentHeader.GTES_PER_GT - 1) / SparseExtentHeader.GTES_PER_GT;
        if (tables > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("virtual size " + virtualSize + " is too large for a VMDK");
        }
        this.directory = new int[(int) tables];
        this.directorySectors = (tables * 4 + SECTOR - 1) / SECTOR;
        long headEnd = HEAD_DIRECTORY_OFFSET + directorySectors;
        this.overHead = (headEnd + GRAIN_SECTORS - 1) / GRAIN_SECTORS * GRAIN_SECTORS;
        if (sink.patchableHead() < headEnd * SECTOR) {
            throw new IllegalArgumentException("a streamOptimized VMDK of " + virtualSize + " bytes needs its first "
                    + headEnd * SECTOR + " bytes patchable (its grain directory), this sink allows "
                    + sink.patchableHead());
        }
        this.assembler = new ClusterAssembler(GRAIN_BYTES, virtualSize, this::grain);
    }

    @Override
    public void write(long offset, byte[] data, int from, int length) throws IOException {
        if (finished) {
            throw new IllegalStateException("write after finish()");
        }
        start();
        assembler.write(offset, data, from, length);
    }

    @Override
    public void finish() throws IOException {
        start();
        assembler.flush();
        while (!tasks.isEmpty()) {
            writeGrain(tasks.take());
        }
        writeTable();
        byte[] entries = directoryBytes();
        sink.patch(HEAD_DIRECTORY_OFFSET * SECTOR, entries, 0, entries.length);
        sink.write(StreamMarker.metadata(directorySectors, StreamMarker.TYPE_GRAIN_DIRECTORY), 0, SECTOR);
        long tailDirectory = sector();
        sink.write(entries, 0, entries.length);
        sink.write(StreamMarker.metadata(1, StreamMarker.TYPE_FOOTER), 0, SECTOR);
        sink.write(header(tailDirectory).toBytes(), 0, SECTOR);
        sink.write(StreamMarker.metadata(0, StreamMarker.TYPE_END_OF_STREAM), 0, SECTOR);
        sink.finish();
        finished = true;
    }

    @Override
    public void close() throws IOException {
        tasks.close();
        sink.close(); // aborts the image unless finish() completed it
    }

    private SparseExtentHeader header(long gdOffset) {
        return new SparseExtentHeader(VERSION, FLAGS, capacity, GRAIN_SECTORS, DESCRIPTOR_OFFSET, DESCRIPTOR_SECTORS,
                SparseExtentHeader.GTES_PER_GT, 0, gdOffset, overHead, SparseExtentHeader.COMPRESSION_DEFLATE);
    }

    /** The grain directory's entries, padded to whole sectors. */
    private byte[] directoryBytes() {
        ByteBuffer entries = ByteBuffer.allocate((int) (directorySectors * SECTOR)).order(ByteOrder.LITTLE_ENDIAN);
        for (int entry : directory) {
            entries.putInt(entry);
        }
        return entries.array();
    }

    /** The header, the descriptor, room for the directory and up to the first grain, before anything else. */
    private void start() throws IOException {
        if (started) {
            return;
        }
        started = true;
        sink.write(header(HEAD_DIRECTORY_OFFSET).toBytes(), 0, SECTOR);
        byte[] descriptor = descriptor().getBytes(StandardCharsets.UTF_8);
        if (descriptor.length > DESCRIPTOR_SECTORS * SECTOR) {
            throw new IllegalStateException("descriptor of " + descriptor.length + " bytes");
        }
        sink.write(descriptor, 0, descriptor.length);
        // the directory's sectors are zeros until finish() patches them in
        sink.writeZeros(overHead * SECTOR - sink.position());
    }

    private String descriptor() {
        int cid;
        do {
            cid = new SecureRandom().nextInt();
        } while (cid == -1); // ffffffff means "no parent"
        long cylinders = Math.max(1, Math.min(MAX_CYLINDERS, capacity / (HEADS * SECTORS_PER_TRACK)));
        return "# Disk DescriptorFile\n"
                + "version=1\n"
                + "encoding=\"UTF-8\"\n"
                + "CID=" + String.format("%08x", cid) + "\n"
                + "parentCID=ffffffff\n"
                + "createType=\"streamOptimized\"\n"
                + "\n"
                + "# Extent description\n"
                + "RW " + capacity + " SPARSE \"" + extentName + "\"\n"
                + "\n"
                + "# The Disk Data Base\n"
                + "#DDB\n"
                + "\n"
                + "ddb.adapterType = \"lsilogic\"\n"
                + "ddb.geometry.cylinders = \"" + cylinders + "\"\n"
                + "ddb.geometry.heads = \"" + HEADS + "\"\n"
                + "ddb.geometry.sectors = \"" + SECTORS_PER_TRACK + "\"\n"
                + "ddb.virtualHWVersion = \"4\"\n";
    }

    /** A whole grain from the assembler: zeros are left out, the rest goes to be deflated. */
    private void grain(long index, byte[] data, int from, int length, boolean allZero) throws IOException {
        if (allZero) {
            return;
        }
        if (tasks.isFull()) {
            writeGrain(tasks.take());
        }
        Grain grain = free.isEmpty() ? new Grain() : free.poll();
        System.arraycopy(data, from, grain.data, 0, length);
        Arrays.fill(grain.data, length, GRAIN_BYTES, (byte) 0);
        grain.lba = index * GRAIN_SECTORS;
        tasks.submit(() -> {
            int size = GrainCompression.deflate(grain.data, GRAIN_BYTES, grain.record, StreamMarker.GRAIN_HEADER);
            ByteBuffer.wrap(grain.record).order(ByteOrder.LITTLE_ENDIAN).putLong(0, grain.lba).putInt(8, size);
            int end = StreamMarker.GRAIN_HEADER + size;
            grain.recordLength = roundUpToSector(end);
            Arrays.fill(grain.record, end, grain.recordLength, (byte) 0);
            return grain;
        });
    }

    /** Writes a deflated grain, first the table of the grains before it if this one starts a new table. */
    private void writeGrain(Grain grain) throws IOException {
        long index = grain.lba / GRAIN_SECTORS;
        long number = index / SparseExtentHeader.GTES_PER_GT;
        if (number != tableNumber) {
            writeTable();
            tableNumber = number;
        }
        table[(int) (index % SparseExtentHeader.GTES_PER_GT)] = (int) sector();
        sink.write(grain.record, 0, grain.recordLength);
        free.add(grain);
    }

    /** The grain table being filled, behind its marker, and its place in the directory. */
    private void writeTable() throws IOException {
        if (tableNumber < 0) {
            return;
        }
        sink.write(StreamMarker.metadata(GT_SECTORS, StreamMarker.TYPE_GRAIN_TABLE), 0, SECTOR);
        directory[(int) tableNumber] = (int) sector();
        ByteBuffer entries = ByteBuffer.allocate(SparseExtentHeader.GT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int entry : table) {
            entries.putInt(entry);
        }
        sink.write(entries.array(), 0, entries.capacity());
        Arrays.fill(table, 0);
        tableNumber = -1;
    }

    /** The sector the next write starts at, as a 32-bit table entry takes it. */
    private long sector() throws IOException {
        long sector = sink.position() / SECTOR;
        if (sector > MAX_SECTOR) {
            throw new IOException("the streamOptimized VMDK passes 2 TiB, past what its grain tables can address");
        }
        return sector;
    }

    private static int roundUpToSector(int bytes) {
        return (bytes + SECTOR - 1) / SECTOR * SECTOR;
    }
}
