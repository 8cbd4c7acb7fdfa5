package org.ovaflow.transform.disk;

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

    /** The check id that failed, {@code disk.<format>.<what>}. */
    public String check() {
        return check;
    }
}
