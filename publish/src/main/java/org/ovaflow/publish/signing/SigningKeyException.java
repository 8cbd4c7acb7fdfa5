package org.ovaflow.publish.signing;

/**
 * A signing key that cannot be used: unreadable, not a secret key, locked by another passphrase, unfit to sign. A
 * configuration error (the launcher exits 2 with the message).
 */
public final class SigningKeyException extends IllegalArgumentException {

    public SigningKeyException(String message) {
        super(message);
    }

    public SigningKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
