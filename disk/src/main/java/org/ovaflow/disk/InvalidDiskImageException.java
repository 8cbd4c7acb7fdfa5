package org.ovaflow.disk;

import java.io.IOException;

/**
 * A disk image that is corrupt, hostile or not supported: a rejection of the import with a named check
 * (e.g. {@code disk.qcow2.backing-file}, {@code disk.vmdk.grain-table}), never a retry.
 */
public final class InvalidDiskImageException extends IOException {

    private final String check;

    public InvalidDiskImageException(String check, String message) {
        super(message);
        this.check = check;
    }

    public InvalidDiskImageException(String check, String message, Throwable cause) {
        super(message, cause);
        this.check = check;
    }

    /**
     * {@code file} ended before what its header and tables declare: the EOFException's message where it has
     * one (ovaflow's own say where), else a message naming the file (the JDK's short reads carry none).
     */
    public static InvalidDiskImageException truncated(String check, String file, java.io.EOFException e) {
        return new InvalidDiskImageException(check, e.getMessage() != null ? e.getMessage()
                : file + " ends before the data its header and tables declare", e);
    }

    /** The check id that failed, {@code disk.<format>.<what>}. */
    public String check() {
        return check;
    }
}
