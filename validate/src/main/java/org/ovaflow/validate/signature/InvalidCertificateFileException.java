package org.ovaflow.validate.signature;

/** An OVF certificate file (.cert) that cannot be read as a signature line and PEM certificates. */
public final class InvalidCertificateFileException extends Exception {

    public InvalidCertificateFileException(String message) {
        super(message);
    }
}
