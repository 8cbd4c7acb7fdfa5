package org.ovaflow.validate.signature;

import org.ovaflow.core.event.VerifiedSigner;
import org.ovaflow.core.ova.FailureDescription;

import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.thread.OnFirstUse;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.ValidationSettings.SignaturePolicy;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Checks an OVA's .cert: its signature over the manifest's bytes with the signer's key ({@code signature.valid}),
 * the signer's chain to the trust store ({@code signature.chain}) and the validity dates of every certificate
 * at verification time ({@code signature.expiry}), under the operator's {@link SignaturePolicy}.
 */
public final class SignatureVerifier {

    private final SignaturePolicy policy;
    private final Supplier<TrustStore> trustStore;
    private final Clock clock;

    public SignatureVerifier(SignaturePolicy policy, TrustStore trustStore, Clock clock) {
        this(policy, () -> trustStore, clock);
    }

    private SignatureVerifier(SignaturePolicy policy, Supplier<TrustStore> trustStore, Clock clock) {
        this.policy = policy;
        this.trustStore = trustStore;
        this.clock = clock;
    }

    /**
     * The verifier {@code settings} ask for. The operator's trust store is read now, once, so a bad one fails the
     * start; the JDK's certificate authorities, when no store is named, on the first signed package (reading them
     * is a fifth of a short command's start, and most OVAs are unsigned).
     *
     * @throws IllegalArgumentException when the trust store cannot be read (a configuration error)
     */
    public static SignatureVerifier of(ValidationSettings settings, Clock clock) {
        if (settings.signature() == SignaturePolicy.IGNORE) {
            return new SignatureVerifier(settings.signature(), TrustStore.empty(), clock);
        }
        if (settings.trustStore() == null) {
            return new SignatureVerifier(settings.signature(), OnFirstUse.of(TrustStore::jdkDefault), clock);
        }
        return new SignatureVerifier(settings.signature(),
                TrustStore.load(settings.trustStore(), settings.trustStorePassword()), clock);
    }

    /**
     * The signature checks of one package.
     *
     * @param manifestName  the package's manifest, null when it has none
     * @param manifestBytes its exact bytes, null when it was too large to keep
     * @param certName      the package's .cert, null when it is unsigned
     * @param certBytes     its bytes, null when it was too large to keep
     */
    public SignatureVerdict verify(String manifestName, byte[] manifestBytes, String certName, byte[] certBytes) {
        if (policy == SignaturePolicy.IGNORE) {
            return SignatureVerdict.NONE;
        }
        if (certName == null) {
            // most OVAs are unsigned: only a policy that demands a signature says anything about it
            return policy == SignaturePolicy.REQUIRE
                    ? new SignatureVerdict(List.of(CheckResult.fail("signature.present", null,
                    "no .cert signature, and ovaflow.validate.signature is require")), null)
                    : SignatureVerdict.NONE;
        }
        if (certBytes == null) {
            return syntaxFailure(certName, "larger than " + CertificateFile.MAX_BYTES + " bytes: not a certificate file");
        }
        CertificateFile file;
        try {
            file = CertificateFile.parse(certName, certBytes);
        } catch (InvalidCertificateFileException e) {
            return syntaxFailure(certName, e.getMessage());
        }
        if (manifestName == null) {
            return syntaxFailure(certName, "signs " + file.signedFile() + ", but the package has no manifest");
        }
        if (!file.signedFile().equals(manifestName)) {
            return syntaxFailure(certName, "signs " + file.signedFile() + ", not the package's manifest "
                    + manifestName);
        }
        if (manifestBytes == null) {
            return syntaxFailure(certName, "signs " + manifestName + ", which is too large to be a manifest");
        }
        List<CheckResult> checks = new ArrayList<>();
        checks.add(CheckResult.pass("signature.present", certName, "signed by " + subject(file.signer())));
        String algorithm = algorithm(file);
        checks.add(signatureCheck(file, algorithm, manifestBytes));
        Chain chain = chain(file);
        checks.add(chain.check());
        checks.addAll(expiryChecks(file, chain));
        boolean verified = checks.stream().noneMatch(CheckResult::failed);
        return new SignatureVerdict(List.copyOf(checks), verified ? VerifiedSigner.of(file.signer(), algorithm) : null);
    }

    private static SignatureVerdict syntaxFailure(String certName, String message) {
        return new SignatureVerdict(List.of(CheckResult.fail("signature.syntax", certName, message)), null);
    }

    /** The JCA signature algorithm for the line's digest and the signer's key type, null for other key types. */
    private static String algorithm(CertificateFile file) {
        return switch (file.signer().getPublicKey().getAlgorithm()) {
            case "RSA" -> file.algorithm() + "withRSA";
            case "EC" -> file.algorithm() + "withECDSA";
            default -> null;
        };
    }

    private static CheckResult signatureCheck(CertificateFile file, String algorithm, byte[] manifest) {
        PublicKey key = file.signer().getPublicKey();
        if (algorithm == null) {
            return CheckResult.fail("signature.valid", file.fileName(), "the signer's key is " + key.getAlgorithm()
                    + ", only RSA and EC keys are supported");
        }
        String detail;
        try {
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(key);
            verifier.update(manifest);
            if (verifier.verify(file.signature())) {
                return CheckResult.pass("signature.valid", file.fileName(), algorithm + " signature over "
                        + file.signedFile() + " verifies with the key of " + subject(file.signer()));
            }
            detail = "";
        } catch (GeneralSecurityException | RuntimeException e) {
            // a malformed signature (wrong length, bad DER) is as much a mismatch as a wrong one
            detail = " (" + FailureDescription.of(e) + ")";
        }
        return CheckResult.fail("signature.valid", file.fileName(), "tampered: the " + algorithm + " signature does "
                + "not match the bytes of " + file.signedFile() + " with the key of " + subject(file.signer())
                + ": the manifest or the signature changed after signing" + detail);
    }

    /** The verdict on the signer's chain, and the certificates it covers for the validity check. */
    private record Chain(CheckResult check, List<X509Certificate> certificates) {
    }

    private Chain chain(CertificateFile file) {
        X509Certificate signer = file.signer();
        String name = file.fileName();
        if (trustStore.get().contains(signer)) {
            return new Chain(CheckResult.pass("signature.chain", name, subject(signer)
                    + " is itself in the trust store"), List.of(signer));
        }
        if (selfSigned(signer)) {
            return new Chain(CheckResult.fail("signature.chain", name, "self-signed certificate not in the trust "
                    + "store: " + subject(signer) + " signs itself"), List.of(signer));
        }
        List<X509Certificate> path = path(file.certificates());
        if (trustStore.get().certificates().isEmpty()) {
            return new Chain(CheckResult.fail("signature.chain", name, "untrusted: " + describe(path)
                    + ", and no trust store is configured (ovaflow.validate.trust-store)"), path);
        }
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters parameters = new PKIXParameters(trustStore.get().anchors());
            parameters.setRevocationEnabled(false);
            // trust is judged apart from time, which signature.expiry reports with the dates
            parameters.setDate(Date.from(validationInstant(path)));
            PKIXCertPathValidatorResult result =
                    (PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
            X509Certificate anchor = result.getTrustAnchor().getTrustedCert();
            List<X509Certificate> covered = new ArrayList<>(path);
            covered.add(anchor);
            return new Chain(CheckResult.pass("signature.chain", name, describe(path) + " chains to "
                    + subject(anchor) + " of the trust store"), covered);
        } catch (CertPathValidatorException e) {
            return new Chain(CheckResult.fail("signature.chain", name, untrusted(path, e)), path);
        } catch (InvalidAlgorithmParameterException | java.security.cert.CertificateException
                 | java.security.NoSuchAlgorithmException | RuntimeException e) {
            // a certificate the JDK parsed but its validator trips on is refused, not thrown about
            return new Chain(CheckResult.fail("signature.chain", name, "untrusted: " + describe(path)
                    + " cannot be validated: " + FailureDescription.of(e)), path);
        }
    }

    private String untrusted(List<X509Certificate> path, CertPathValidatorException e) {
        if (e.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
            X509Certificate top = path.get(path.size() - 1);
            return "untrusted: " + describe(path) + "; the trust store " + trustStore.get().source()
                    + " holds no certificate of " + issuer(top);
        }
        String where = e.getIndex() >= 0 && e.getIndex() < path.size() ? " at " + subject(path.get(e.getIndex())) : "";
        return "untrusted: " + describe(path) + " is refused" + where + " (PKIX: " + FailureDescription.of(e) + ")";
    }

    /** The signer, then each supplied certificate that issued the previous one, as far as they go. */
    private List<X509Certificate> path(List<X509Certificate> supplied) {
        List<X509Certificate> path = new ArrayList<>();
        List<X509Certificate> remaining = new ArrayList<>(supplied.subList(1, supplied.size()));
        X509Certificate current = supplied.get(0);
        path.add(current);
        while (!selfIssued(current)) {
            X509Certificate next = issuerOf(current, remaining);
            // a chain may end with the root: an anchor is no part of a PKIX path
            if (next == null || trustStore.get().contains(next)) {
                break;
            }
            remaining.remove(next);
            path.add(next);
            current = next;
        }
        return path;
    }

    private static X509Certificate issuerOf(X509Certificate certificate, List<X509Certificate> candidates) {
        for (X509Certificate candidate : candidates) {
            if (candidate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())
                    && signedBy(certificate, candidate.getPublicKey())) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean selfIssued(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal());
    }

    private static boolean selfSigned(X509Certificate certificate) {
        return selfIssued(certificate) && signedBy(certificate, certificate.getPublicKey());
    }

    private static boolean signedBy(X509Certificate certificate, PublicKey key) {
        try {
            certificate.verify(key);
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** Now if every certificate of the path is valid now, else a moment when they all are (if there is one). */
    private Instant validationInstant(List<X509Certificate> path) {
        Instant now = clock.instant();
        Instant from = Instant.MIN;
        Instant until = Instant.MAX;
        for (X509Certificate certificate : path) {
            Instant notBefore = certificate.getNotBefore().toInstant();
            Instant notAfter = certificate.getNotAfter().toInstant();
            from = notBefore.isAfter(from) ? notBefore : from;
            until = notAfter.isBefore(until) ? notAfter : until;
        }
        if (!now.isBefore(from) && !now.isAfter(until) || from.isAfter(until)) {
            return now;
        }
        return from;
    }

    private List<CheckResult> expiryChecks(CertificateFile file, Chain chain) {
        Instant now = clock.instant();
        // the chain only: a .cert may carry unrelated certificates, which sign nothing here
        List<X509Certificate> covered = chain.certificates();
        List<CheckResult> checks = new ArrayList<>();
        for (X509Certificate certificate : covered) {
            Instant notBefore = certificate.getNotBefore().toInstant();
            Instant notAfter = certificate.getNotAfter().toInstant();
            String role = certificate.equals(file.signer()) ? "the signer certificate " : "the chain certificate ";
            if (now.isAfter(notAfter)) {
                checks.add(CheckResult.fail("signature.expiry", file.fileName(), "expired: " + role
                        + subject(certificate) + " was valid from " + notBefore + " until " + notAfter
                        + ", verified at " + now));
            } else if (now.isBefore(notBefore)) {
                checks.add(CheckResult.fail("signature.expiry", file.fileName(), "not yet valid: " + role
                        + subject(certificate) + " is valid from " + notBefore + " until " + notAfter
                        + ", verified at " + now));
            }
        }
        if (checks.isEmpty()) {
            checks.add(CheckResult.pass("signature.expiry", file.fileName(), subject(file.signer()) + " valid until "
                    + file.signer().getNotAfter().toInstant() + ", and " + (covered.size() - 1)
                    + " other certificate(s) valid at " + now));
        }
        return checks;
    }

    private static String describe(List<X509Certificate> path) {
        String chain = path.stream().map(SignatureVerifier::subject).collect(Collectors.joining(" <- "));
        return (path.size() == 1 ? "signer " : "chain ") + chain + " issued by "
                + issuer(path.get(path.size() - 1));
    }

    private static String subject(X509Certificate certificate) {
        return VerifiedSigner.name(certificate.getSubjectX500Principal());
    }

    private static String issuer(X509Certificate certificate) {
        return VerifiedSigner.name(certificate.getIssuerX500Principal());
    }
}
