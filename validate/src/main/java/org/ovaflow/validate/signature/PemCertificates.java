package org.ovaflow.validate.signature;

import org.ovaflow.core.ova.FailureDescription;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The X.509 certificates of PEM text ({@code -----BEGIN CERTIFICATE-----} blocks), in order. Text outside the
 * blocks is the caller's business: a .cert holds its signature line there, a trust store file comments.
 */
final class PemCertificates {

    static final String BEGIN = "-----BEGIN CERTIFICATE-----";
    static final String END = "-----END CERTIFICATE-----";

    private PemCertificates() {
    }

    /** One PEM block: where it starts (1-based line) and what it decodes to. */
    record Block(int firstLine, int lastLine, X509Certificate certificate) {
    }

    /**
     * Every certificate block of {@code lines}; throws with the line of the first block that is unterminated,
     * not base64 or not an X.509 certificate.
     */
    static List<Block> read(String[] lines) throws InvalidCertificateFileException {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].trim().equals(BEGIN)) {
                continue;
            }
            int start = i;
            StringBuilder base64 = new StringBuilder();
            for (i++; i < lines.length && !lines[i].trim().equals(END); i++) {
                base64.append(lines[i].trim());
            }
            if (i == lines.length) {
                throw new InvalidCertificateFileException("the certificate that begins on line " + (start + 1)
                        + " has no " + END + " line");
            }
            blocks.add(new Block(start + 1, i + 1, decode(base64.toString(), start + 1)));
        }
        return blocks;
    }

    private static X509Certificate decode(String base64, int line) throws InvalidCertificateFileException {
        byte[] der;
        try {
            der = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new InvalidCertificateFileException("the certificate on line " + line + " is not base64: "
                    + FailureDescription.of(e));
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | RuntimeException e) {
            // the JDK's DER parser throws unchecked exceptions on some malformed input
            throw new InvalidCertificateFileException("the certificate on line " + line
                    + " is not an X.509 certificate: " + FailureDescription.of(e));
        }
    }
}
