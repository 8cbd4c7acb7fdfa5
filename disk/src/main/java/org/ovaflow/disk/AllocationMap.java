package org.ovaflow.disk;

import java.util.BitSet;

/**
 * Where a disk's data may be, as its own tables say before any of the data is read: the units (grains) of
 * {@code unitBytes} its tables allocate. A writer that knows it can lay out its file before the first byte of data
 * (qcow2's tables at the front, the file's length known), so that an upload goes in one request, hashed on the way.
 *
 * <p>Data the reader then finds outside the map means the tables and the data disagree: a reader going by the
 * tables (qemu) would see another disk than one going by the data, so the image is refused under the map's check.
 * A unit inside the map may still turn out all zeros: the writer then writes it as zeros.
 */
public final class AllocationMap {

    private final String file;
    private final String check;
    private final long unitBytes;
    private final long virtualSize;
    private final BitSet units;

    /**
     * @param file        the image's name, for messages
     * @param check       the check that refuses an image whose data lies outside its tables
     * @param unitBytes   the bytes one bit covers
     * @param virtualSize the disk's size
     * @param units       bit {@code i} set when unit {@code i} may hold data
     */
    public AllocationMap(String file, String check, long unitBytes, long virtualSize, BitSet units) {
        if (unitBytes <= 0) {
            throw new IllegalArgumentException("a unit of " + unitBytes + " bytes");
        }
        this.file = file;
        this.check = check;
        this.unitBytes = unitBytes;
        this.virtualSize = virtualSize;
        this.units = (BitSet) units.clone();
    }

    /**
     * The clusters of {@code clusterBytes} that overlap an allocated unit: bit {@code c} set when cluster {@code c}
     * may hold data.
     */
    public BitSet clusters(long clusterBytes) {
        BitSet clusters = new BitSet();
        for (int unit = units.nextSetBit(0); unit >= 0; unit = units.nextSetBit(unit + 1)) {
            long start = unit * unitBytes;
            if (start >= virtualSize) {
                break;
            }
            long end = Math.min(virtualSize, start + unitBytes);
            clusters.set(Math.toIntExact(start / clusterBytes), Math.toIntExact((end - 1) / clusterBytes) + 1);
        }
        return clusters;
    }

    /** The refusal of data found at virtual {@code offset}, where the tables allocate nothing. */
    public InvalidDiskImageException dataOutside(long offset) {
        return new InvalidDiskImageException(check, file + " holds data at byte " + offset + " of the disk, where its "
                + "tables allocate nothing: the tables and the data describe two different disks");
    }
}
