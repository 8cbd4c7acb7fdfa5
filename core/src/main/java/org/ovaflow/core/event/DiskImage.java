package org.ovaflow.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a file's own header says it is, as the checksum stage read it while hashing the file: never what its
 * name or the descriptor claims.
 *
 * @param format      {@code vmdk-stream-optimized}, {@code vmdk-monolithic-sparse}, {@code vmdk-descriptor},
 *                    {@code qcow2}, {@code vhd-dynamic}, {@code vhd-fixed}, {@code vhd-differencing},
 *                    {@code vhdx}, {@code vdi}, {@code iso}, {@code raw} (no known header) and the like
 * @param virtualSize the size of the disk the guest sees, in bytes; null when the header does not tell (a
 *                    gzip-compressed raw file, whose end is not inflated; formats not read in depth)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DiskImage(String format, Long virtualSize) {
}
