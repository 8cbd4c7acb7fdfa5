package org.ovaflow.core.ova;

/** The OVA cannot be read as a tar archive at all: empty, not a tar, truncated, or past a hard limit. */
public class InvalidOvaException extends Exception {

    private final String checkId;

    public InvalidOvaException(String checkId, String message) {
        super(message);
        this.checkId = checkId;
    }

    public InvalidOvaException(String checkId, String message, Throwable cause) {
        super(message, cause);
        this.checkId = checkId;
    }

    /** The id of the check this failure is reported under, e.g. {@code tar.truncated}. */
    public String checkId() {
        return checkId;
    }
}
