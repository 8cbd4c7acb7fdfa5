package org.ovaflow.disk;

import java.util.List;

/**
 * What the probe made of one file's header.
 *
 * @param virtualSize the disk's size in bytes as the header says; null when it cannot be told
 * @param gzip        the file is gzip-compressed: the rest was read from its inflated start only
 * @param references  the files the header names as part of the disk (at most {@link #MAX_REFERENCES})
 * @param defect      why a file that looks like a disk image has a header that cannot be trusted (truncated,
 *                    absurd values, unreadable descriptor); null when it is sound
 */
public record DiskHeader(DiskFormat format, Long virtualSize, boolean gzip, List<DiskReference> references,
                         String defect) {

    /** A descriptor may list hundreds of extents; the checks need to name a few. */
    public static final int MAX_REFERENCES = 32;

    public DiskHeader {
        references = List.copyOf(references);
    }

    public static DiskHeader of(DiskFormat format, Long virtualSize) {
        return new DiskHeader(format, virtualSize, false, List.of(), null);
    }

    public static DiskHeader defective(DiskFormat format, String defect) {
        return new DiskHeader(format, null, false, List.of(), defect);
    }

    public DiskHeader gzipped() {
        return new DiskHeader(format, virtualSize, true, references, defect);
    }
}
