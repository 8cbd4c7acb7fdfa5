package org.ovaflow.publish.quarantine;

/** A quarantined import that cannot be released: unknown, released already, or its original is not held. */
public final class QuarantineReleaseException extends RuntimeException {

    public QuarantineReleaseException(String message) {
        super(message);
    }
}
