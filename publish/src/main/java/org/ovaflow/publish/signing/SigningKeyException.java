package org.ovaflow.publish.signing;

/** A signing key that cannot be used: unreadable, not a secret key, locked by another passphrase, unfit to sign. */
public final class SigningKeyException extends RuntimeException {

    public SigningKeyException(String message) {
        super(message);
    }

    public SigningKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
