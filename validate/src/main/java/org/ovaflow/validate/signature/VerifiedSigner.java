package org.ovaflow.validate.signature;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;

import javax.security.auth.x500.X500Principal;

/**
 * Who signed a package whose signature verified and chained to the trust store, as the catalog will record it.
 *
 * @param subject           the signer certificate's subject (RFC 2253)
 * @param issuer            its issuer (RFC 2253)
 * @param sha256Fingerprint SHA-256 of the certificate's DER encoding, lower-case hex
 * @param notBefore         start of its validity
 * @param notAfter          end of its validity
 * @param algorithm         the signature algorithm verified, e.g. {@code SHA256withRSA}
 */
public record VerifiedSigner(String subject, String issuer, String sha256Fingerprint, Instant notBefore,
                             Instant notAfter, String algorithm) {

    static VerifiedSigner of(X509Certificate signer, String algorithm) {
        return new VerifiedSigner(name(signer.getSubjectX500Principal()), name(signer.getIssuerX500Principal()),
                fingerprint(signer), signer.getNotBefore().toInstant(), signer.getNotAfter().toInstant(), algorithm);
    }

    static String name(X500Principal principal) {
        return principal.getName(X500Principal.RFC2253);
    }

    static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        } catch (CertificateEncodingException e) {
            // it was decoded from DER, so it encodes again
            throw new IllegalStateException("a parsed certificate cannot be encoded", e);
        }
    }
}
