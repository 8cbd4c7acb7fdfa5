package org.ovaflow.validate.ovf;

/** An OVF descriptor that cannot be accepted: not XML, hostile, too large, or not an OVF envelope. */
public class InvalidDescriptorException extends Exception {

    private final String fileName;

    public InvalidDescriptorException(String fileName, String problem) {
        this(fileName, problem, null);
    }

    public InvalidDescriptorException(String fileName, String problem, Throwable cause) {
        super(fileName + ": " + problem, cause);
        this.fileName = fileName;
    }

    /** The descriptor's file name as the caller named it, e.g. the tar entry name. */
    public String fileName() {
        return fileName;
    }
}
