package org.ovaflow.disk.vhd;

/**
 * A disk's cylinders, heads and sectors per track as the VHD footer records them: what Virtual PC (and qemu,
 * for images of creators it does not trust) take as the disk's size.
 */
record VhdGeometry(int cylinders, int heads, int sectorsPerTrack) {

    /** 65535 x 16 x 255 sectors (about 127 GiB): the largest geometry, recorded for every larger disk. */
    static final long MAX_SECTORS = 65535L * 16 * 255;

    /** The sectors the geometry addresses. */
    long sectors() {
        return (long) cylinders * heads * sectorsPerTrack;
    }

    /** Whether this is the largest geometry, which qemu reads as "the size is too large for CHS". */
    boolean isMax() {
        return sectors() == MAX_SECTORS;
    }

    /**
     * The geometry of a disk of {@code totalSectors}, by the algorithm of the spec's appendix ("CHS
     * calculation"). It may address fewer sectors than the disk has: it rounds down.
     */
    static VhdGeometry of(long totalSectors) {
        long sectors = Math.min(totalSectors, MAX_SECTORS);
        int sectorsPerTrack;
        int heads;
        long cylindersTimesHeads;
        if (sectors >= 65535L * 16 * 63) {
            sectorsPerTrack = 255;
            heads = 16;
            cylindersTimesHeads = sectors / sectorsPerTrack;
        } else {
            sectorsPerTrack = 17;
            cylindersTimesHeads = sectors / sectorsPerTrack;
            heads = (int) ((cylindersTimesHeads + 1023) / 1024);
            if (heads < 4) {
                heads = 4;
            }
            if (cylindersTimesHeads >= heads * 1024L || heads > 16) {
                sectorsPerTrack = 31;
                heads = 16;
                cylindersTimesHeads = sectors / sectorsPerTrack;
            }
            if (cylindersTimesHeads >= heads * 1024L) {
                sectorsPerTrack = 63;
                heads = 16;
                cylindersTimesHeads = sectors / sectorsPerTrack;
            }
        }
        return new VhdGeometry((int) (cylindersTimesHeads / heads), heads, sectorsPerTrack);
    }
}
