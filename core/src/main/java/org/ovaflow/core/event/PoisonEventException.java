package org.ovaflow.core.event;

/** A record a stage cannot read at all: not a CloudEvent, an unknown schema version, a body of the wrong shape. */
public class PoisonEventException extends RuntimeException {

    public PoisonEventException(String message) {
        super(message);
    }

    public PoisonEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
