package org.ovaflow.disk.qcow2;

import java.util.Arrays;

/**
 * Where a qcow2 file keeps the metadata the reader relies on: the header cluster, the active L1 table, the
 * refcount table and every L2 table the active L1 table names. Guest data found inside any of them means a
 * corrupt or hostile image (data read from a table, or a table read as data), so it is refused.
 * Holds one long per L2 table: 8 bytes per L1 entry at most.
 */
final class MetadataRegions {

    private final int clusterSize;
    private final long l1Start;
    private final long l1End;
    private final long refcountStart;
    private final long refcountEnd;
    private final long[] l2Tables;

    /**
     * @param l2Tables the L2 table offsets, ascending, no duplicates, each one cluster long
     */
    MetadataRegions(int clusterSize, long l1Start, long l1Length, long refcountStart, long refcountLength,
                    long[] l2Tables) {
        this.clusterSize = clusterSize;
        this.l1Start = l1Start;
        this.l1End = l1Start + l1Length;
        this.refcountStart = refcountStart;
        this.refcountEnd = refcountStart + refcountLength;
        this.l2Tables = l2Tables;
    }

    /** What of the header, L1 and refcount tables {@code [offset, offset+length)} overlaps, or null. */
    String tableAt(long offset, long length) {
        long end = offset + length;
        if (offset < clusterSize) {
            return "the header cluster";
        }
        if (offset < l1End && end > l1Start) {
            return "the L1 table at " + l1Start;
        }
        if (offset < refcountEnd && end > refcountStart) {
            return "the refcount table at " + refcountStart;
        }
        return null;
    }

    /** What metadata, L2 tables included, {@code [offset, offset+length)} overlaps, or null. */
    String metadataAt(long offset, long length) {
        String table = tableAt(offset, length);
        if (table != null) {
            return table;
        }
        // the last L2 table starting before the end of the range is the only one that can overlap it
        int at = Arrays.binarySearch(l2Tables, offset + length - 1);
        int candidate = at >= 0 ? at : -at - 2;
        if (candidate >= 0 && l2Tables[candidate] + clusterSize > offset) {
            return "the L2 table at " + l2Tables[candidate];
        }
        return null;
    }
}
