package org.ovaflow.core.event;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;

import javax.security.auth.x500.X500Principal;

/**
 * Who signed a package's manifest, when the signature verified and chained to the trust store: the checksum
 * stage records it with the manifest verdict, the catalog in appliance.json's provenance.
 *
 * @param subject           the signer certificate's subject (RFC 2253)
 * @param issuer            its issuer (RFC 2253)
 * @param sha256Fingerprint SHA-256 of the certificate's DER encoding, lower-case hex
 * @param notBefore         start of its validity
 * @param notAfter          end of its validity
 * @param algorithm         the signature algorithm verified, e.g. {@code SHA256withRSA}
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record VerifiedSigner(String subject, String issuer, String sha256Fingerprint, Instant notBefore,
                             Instant notAfter, String algorithm) {

    public static VerifiedSigner of(X509Certificate signer, String algorithm) {
        return new VerifiedSigner(name(signer.getSubjectX500Principal()), name(signer.getIssuerX500Principal()),
                fingerprint(signer), signer.getNotBefore().toInstant(), signer.getNotAfter().toInstant(), algorithm);
    }

    public static String name(X500Principal principal) {
        return principal.getName(X500Principal.RFC2253);
    }

    static String fingerprint(X509Certificate certificate) {
        try {
            return Sha256.hex(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            // it was decoded from DER, so it encodes again
            throw new IllegalStateException("a parsed certificate cannot be encoded", e);
        }
    }
}
