package org.ovaflow.disk;

import java.io.IOException;
import java.util.Optional;

/**
 * What a reader may accept.
 *
 * @param maxVirtualSize the largest virtual disk accepted: larger ones are refused before any data is read
 *                       (a capacity bomb would otherwise make writers produce terabytes of tables)
 * @param siblings       the other files of the same package, for formats that name one (a VMDK descriptor's
 *                       flat extent); never the host's file system
 * @param digestVerified the file's bytes were found equal to a digest its package's manifest states (SHA-1 or
 *                       better): readers may skip the format's own weaker checksums of the same bytes (the
 *                       Adler-32 of every VMDK grain, a fifth of a conversion's CPU time)
 */
public record ReadOptions(long maxVirtualSize, SiblingFiles siblings, boolean digestVerified) {

    /** Options for a file no manifest vouches for: every checksum the format has is checked. */
    public ReadOptions(long maxVirtualSize, SiblingFiles siblings) {
        this(maxVirtualSize, siblings, false);
    }

    /** 4 TiB: above VHD's 2 TiB limit and any appliance disk we know of. */
    public static final long DEFAULT_MAX_VIRTUAL_SIZE = 4L << 40;

    public static ReadOptions defaults() {
        return new ReadOptions(DEFAULT_MAX_VIRTUAL_SIZE, name -> Optional.empty());
    }

    public ReadOptions withSiblings(SiblingFiles files) {
        return new ReadOptions(maxVirtualSize, files, digestVerified);
    }

    public ReadOptions withDigestVerified(boolean verified) {
        return new ReadOptions(maxVirtualSize, siblings, verified);
    }

    /** Opens another file of the package by its name as the package spells it, if the package has it. */
    @FunctionalInterface
    public interface SiblingFiles {
        Optional<ImageSource> open(String name) throws IOException;
    }

    /** Refuses a virtual size above the limit, or not a positive number. */
    public void checkVirtualSize(String format, String file, long virtualSize) throws InvalidDiskImageException {
        if (virtualSize <= 0 || virtualSize > maxVirtualSize) {
            throw new InvalidDiskImageException("disk." + format + ".virtual-size", file + " declares a virtual size of "
                    + virtualSize + " bytes; accepted are 1 to " + maxVirtualSize + " (ovaflow.transcode.max-virtual-size)");
        }
    }
}
