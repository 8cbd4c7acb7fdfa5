package org.ovaflow.core.store;

/** The object store failed or refused a request: an infrastructure failure, retried by the stages. */
public class ObjectStoreException extends RuntimeException {

    public ObjectStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
