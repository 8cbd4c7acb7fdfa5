package org.ovaflow.core.store;

/**
 * The object an event refers to is not there any more, or no longer has the content the event was about
 * (deleted or overwritten meanwhile). Not worth retrying: the import's input is gone.
 */
public class ObjectGoneException extends ObjectStoreException {

    public ObjectGoneException(String message, Throwable cause) {
        super(message, cause);
    }
}
