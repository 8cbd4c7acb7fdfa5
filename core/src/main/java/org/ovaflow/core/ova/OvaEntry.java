package org.ovaflow.core.ova;

/**
 * One entry of an OVA tar as its header states it, before anyone trusts it: the name as written, the kind
 * of entry, where its data starts in the archive and how long the header says it is.
 */
public record OvaEntry(String name, Kind kind, long dataOffset, long size, String linkTarget) {

    /** What a tar header can declare. Only FILE belongs in an OVA; the rest are refused by the checks. */
    public enum Kind { FILE, DIRECTORY, SYMLINK, HARDLINK, DEVICE, FIFO, OTHER }
}
