package org.ovaflow.validate.checksum;

import org.ovaflow.core.event.ObjectRef;

import java.io.IOException;
import java.util.List;

/**
 * A compressed OVA or an unpacked package that cannot be made into a plain OVA: a rejection with a check id
 * ({@code package.compression}, {@code package.size}, {@code package.file-count}) naming the file, not a failure of
 * the store.
 */
public final class PackageSourceException extends IOException {

    private final String checkId;
    private final String file;
    private final List<ObjectRef> members;

    public PackageSourceException(String checkId, String file, String message, Throwable cause) {
        this(checkId, file, message, cause, List.of());
    }

    /** A rejection of an unpacked package whose other objects ({@code members}) are known already. */
    public PackageSourceException(String checkId, String file, String message, Throwable cause,
                                  List<ObjectRef> members) {
        super(message, cause);
        this.checkId = checkId;
        this.file = file;
        this.members = List.copyOf(members);
    }

    /** An unpacked package's objects besides its descriptor, as far as they were found. */
    public List<ObjectRef> members() {
        return members;
    }

    public String checkId() {
        return checkId;
    }

    public String file() {
        return file;
    }
}
