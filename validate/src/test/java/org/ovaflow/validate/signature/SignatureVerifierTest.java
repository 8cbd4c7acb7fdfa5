package org.ovaflow.validate.signature;

import org.ovaflow.core.event.VerifiedSigner;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.ValidationSettings.SignaturePolicy;
import org.ovaflow.validate.checksum.PackageVerification;
import org.ovaflow.validate.checksum.PackageVerifier;
import org.ovaflow.validate.signature.TestPki.Identity;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ovaflow.validate.signature.TestPki.NOW;

class SignatureVerifierTest {

    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String SIGNER = "CN=Acme Appliances,O=Acme";

    private static Identity root;
    private static Identity intermediate;
    private static Identity signer;
    private static Identity otherRoot;
    private static TestPki.Package pkg;

    @TempDir
    Path dir;

    @BeforeAll
    static void pki() {
        root = TestPki.root("CN=Acme Root CA,O=Acme", at("2020-01-01"), at("2035-01-01"));
        intermediate = TestPki.issue(root, "CN=Acme Signing CA,O=Acme", TestPki.rsa(), at("2021-01-01"),
                at("2034-01-01"), true);
        signer = TestPki.issue(intermediate, SIGNER, TestPki.rsa(), at("2024-01-01"), at("2026-01-01"), false);
        otherRoot = TestPki.root("CN=Other Root CA,O=Other", at("2020-01-01"), at("2035-01-01"));
        pkg = TestPki.Package.sample();
    }

    @Test
    void aGoodChainPassesEveryCheckAndRecordsTheSigner() throws Exception {
        PackageVerification result = verify(SignaturePolicy.VERIFY_IF_PRESENT, pemFolder(root), signed(pkg));

        assertThat(result.rejected()).as("%s", result.checks()).isFalse();
        assertThat(signatureChecks(result)).extracting(CheckResult::id).containsExactly(
                "signature.present", "signature.valid", "signature.chain", "signature.expiry");
        assertThat(signatureChecks(result)).allSatisfy(c -> {
            assertThat(c.status()).isEqualTo(CheckResult.Status.PASS);
            assertThat(c.file()).isEqualTo("widget.cert");
            assertThat(c.message()).contains(SIGNER);
        });
        assertThat(message(result, "signature.chain")).contains("CN=Acme Root CA,O=Acme");
        VerifiedSigner recorded = result.signer();
        assertThat(recorded).isNotNull();
        assertThat(recorded.subject()).isEqualTo(SIGNER);
        assertThat(recorded.issuer()).isEqualTo("CN=Acme Signing CA,O=Acme");
        assertThat(recorded.sha256Fingerprint()).isEqualTo(HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(signer.certificate().getEncoded())));
        assertThat(recorded.notBefore()).isEqualTo(at("2024-01-01"));
        assertThat(recorded.notAfter()).isEqualTo(at("2026-01-01"));
        assertThat(recorded.algorithm()).isEqualTo("SHA256withRSA");
    }

    @Test
    void aChainThatCarriesItsRootAndSha512AndSha1SignaturesPass() throws Exception {
        Path trust = pemFolder(root);
        for (String digest : new String[]{"SHA1", "SHA512"}) {
            String cert = TestPki.certFile(digest, pkg.manifestName(), TestPki.sign(pkg.manifest(), signer.keys(), digest),
                    signer.certificate(), intermediate.certificate(), root.certificate());
            PackageVerification result = verify(SignaturePolicy.REQUIRE, trust, pkg.ova(cert));
            assertThat(result.rejected()).as("%s: %s", digest, result.checks()).isFalse();
            assertThat(result.signer().algorithm()).isEqualTo(digest + "withRSA");
        }
    }

    @Test
    void anIntermediateInTheTrustStoreIsAnAnchor() throws Exception {
        PackageVerification result = verify(SignaturePolicy.VERIFY_IF_PRESENT, pemFolder(intermediate), signed(pkg));

        assertThat(result.rejected()).as("%s", result.checks()).isFalse();
        assertThat(message(result, "signature.chain")).contains("chains to CN=Acme Signing CA,O=Acme");
    }

    @Test
    void anEcSignerVerifiesWithEcdsa() throws Exception {
        Identity ecSigner = TestPki.issue(intermediate, "CN=Acme EC,O=Acme", TestPki.ec(), at("2024-01-01"),
                at("2026-01-01"), false);
        String cert = TestPki.certFile("SHA256", pkg.manifestName(), TestPki.sign(pkg.manifest(), ecSigner.keys(), "SHA256"),
                ecSigner.certificate(), intermediate.certificate());

        PackageVerification result = verify(SignaturePolicy.VERIFY_IF_PRESENT, pemFolder(root), pkg.ova(cert));

        assertThat(result.rejected()).as("%s", result.checks()).isFalse();
        assertThat(result.signer().algorithm()).isEqualTo("SHA256withECDSA");
    }

    @Test
    void aKeyOtherThanRsaOrEcIsNotVerified() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("DSA");
        generator.initialize(2048);
        Identity dsa = TestPki.issue(intermediate, "CN=Acme DSA,O=Acme", generator.generateKeyPair(), at("2024-01-01"),
                at("2026-01-01"), false);
        String cert = TestPki.certFile("SHA256", pkg.manifestName(), new byte[]{1, 2, 3}, dsa.certificate(),
                intermediate.certificate());

        PackageVerification result = verify(SignaturePolicy.VERIFY_IF_PRESENT, pemFolder(root), pkg.ova(cert));

        assertThat(onlyFailure(result).id()).isEqualTo("signature.valid");
        assertThat(onlyFailure(result).message()).contains("DSA", "only RSA and EC keys");
    }

    @Test
    void aTrustStoreWithoutTheCaGivesUntrustedNamingSubjectAndIssuer() throws Exception {
        PackageVerification result = verify(SignaturePolicy.VERIFY_IF_PRESENT, pemFolder(otherRoot), signed(pkg));

        assertThat(onlyFailure(result).id()).isEqualTo("signature.chain");
        assertThat(onlyFailure(result).message()).startsWith("untrusted:")
                .contains(SIGNER, "CN=Acme Signing CA,O=Acme", "holds no certificate of CN=Acme Root CA,O=Acme");
        assertThat(status(result, "signature.valid")).isEqualTo(CheckResult.Status.PASS);
        assertThat(result.signer()).isNull();
    }

    @Test
    void aChainMissingItsIntermediateIsUntrusted() throws Exception {
        String cert = TestPki.certFile("SHA256", pkg.manifestName(), TestPki.sign(pkg.manifest(), signer.keys(), "SHA256"),
                signer.certificate());

        PackageVerification result = verify(SignaturePolicy.VERIFY_IF_PRESENT, pemFolder(root), pkg.ova(cert));

        assertThat(onlyFailure(result).id()).isEqualTo("signature.chain");
        assertThat(onlyFailure(result).message()).startsWith("untrusted:")
                .contains("holds no certificate of CN=Acme Signing CA,O=Acme");
    }

    @Test
    void withoutATrustStoreAPrivateCaIsUntrustedByTheJdkAuthorities() throws Exception {
        PackageVerification result = verify(SignaturePolicy.VERIFY_IF_PRESENT, null, signed(pkg));

        assertThat(onlyFailure(result).id()).isEqualTo("signature.chain");
        assertThat(onlyFailure(result).message()).startsWith("untrusted:").contains("the JDK's certificate authorities");
    }

    @Test
    void aSelfSignedSignerNotInTheTrustStoreSaysSo() throws Exception {
        Identity self = TestPki.root("CN=Some Vendor", at("2024-01-01"), at("2030-01-01"));
        String cert = TestPki.certFile("SHA256", pkg.manifestName(), TestPki.sign(pkg.manifest(), self.keys(), "SHA256"),
                self.certificate());

        PackageVerification result = verify(SignaturePolicy.VERIFY_IF_PRESENT, pemFolder(root), pkg.ova(cert));

        assertThat(onlyFailure(result).id()).isEqualTo("signature.chain");
        assertThat(onlyFailure(result).message()).contains("self-signed certificate not in the trust store", "CN=Some Vendor");

        PackageVerification trusted = verify(SignaturePolicy.VERIFY_IF_PRESENT, pemFolder(root, self), pkg.ova(cert));
        assertThat(trusted.rejected()).as("%s", trusted.checks()).isFalse();
        assertThat(message(trusted, "signature.chain")).contains("CN=Some Vendor is itself in the trust store");
    }

    @Test
    void anExpiredSignerGivesTheDates() throws Exception {
        Identity expired = TestPki.issue(intermediate, "CN=Old Signer,O=Acme", TestPki.rsa(), at("2022-01-01"),
                at("2024-12-31"), false);
        String cert = TestPki.certFile("SHA256", pkg.manifestName(), TestPki.sign(pkg.manifest(), expired.keys(), "SHA256"),
                expired.certificate(), intermediate.certificate());

        PackageVerification result = verify(SignaturePolicy.VERIFY_IF_PRESENT, pemFolder(root), pkg.ova(cert));

        assertThat(onlyFailure(result).id()).isEqualTo("signature.expiry");
        assertThat(onlyFailure(result).message()).startsWith("expired:")
                .contains("CN=Old Signer,O=Acme", "2022-01-01T00:00:00Z", "2024-12-31T00:00:00Z", NOW.toString());
        assertThat(status(result, "signature.chain")).as("trust is judged apart from time")
                .isEqualTo(CheckResult.Status.PASS);
    }

    @Test
    void aSignerNotYetValidGivesTheDates() throws Exception {
        Identity early = TestPki.issue(intermediate, "CN=Future Signer,O=Acme", TestPki.rsa(), at("2025-07-01"),
                at("2027-01-01"), false);
        String cert = TestPki.certFile("SHA256", pkg.manifestName(), TestPki.sign(pkg.manifest(), early.keys(), "SHA256"),
                early.certificate(), intermediate.certificate());

        PackageVerification result = verify(SignaturePolicy.VERIFY_IF_PRESENT, pemFolder(root), pkg.ova(cert));

        assertThat(onlyFailure(result).id()).isEqualTo("signature.expiry");
        assertThat(onlyFailure(result).message()).startsWith("not yet valid:")
                .contains("CN=Future Signer,O=Acme", "2025-07-01T00:00:00Z", NOW.toString());
    }

    @Test
    void anExpiredIntermediateIsNamed() throws Exception {
        Identity oldCa = TestPki.issue(root, "CN=Old Signing CA,O=Acme", TestPki.rsa(), at("2020-06-01"),
                at("2025-01-01"), true);
        Identity longLeaf = TestPki.issue(oldCa, "CN=Long Leaf,O=Acme", TestPki.rsa(), at("2024-01-01"),
                at("2026-01-01"), false);
        String cert = TestPki.certFile("SHA256", pkg.manifestName(),
                TestPki.sign(pkg.manifest(), longLeaf.keys(), "SHA256"), longLeaf.certificate(), oldCa.certificate());

        PackageVerification result = verify(SignaturePolicy.VERIFY_IF_PRESENT, pemFolder(root), pkg.ova(cert));

        assertThat(onlyFailure(result).id()).isEqualTo("signature.expiry");
        assertThat(onlyFailure(result).message()).contains("chain certificate CN=Old Signing CA,O=Acme",
                "2025-01-01T00:00:00Z");
    }

    @Test
    void aManifestChangedAfterSigningIsTampered() throws Exception {
        byte[] signature = TestPki.sign(pkg.manifest(), signer.keys(), "SHA256");
        String cert = TestPki.certFile("SHA256", pkg.manifestName(), signature, signer.certificate(),
                intermediate.certificate());
        // one byte more: every digest of the manifest still verifies, only the signature can tell
        byte[] changed = Arrays.copyOf(pkg.manifest(), pkg.manifest().length + 1);
        changed[changed.length - 1] = '\n';

        PackageVerification result = verify(SignaturePolicy.VERIFY_IF_PRESENT, pemFolder(root),
                pkg.withManifest(changed).ova(cert));

        assertThat(status(result, "manifest.digest")).isEqualTo(CheckResult.Status.PASS);
        assertThat(onlyFailure(result).id()).isEqualTo("signature.valid");
        assertThat(onlyFailure(result).message()).startsWith("tampered:").contains("widget.mf", SIGNER);
        assertThat(result.signer()).isNull();
    }

    @Test
    void aChangedSignatureIsTampered() throws Exception {
        byte[] signature = TestPki.sign(pkg.manifest(), signer.keys(), "SHA256");
        signature[17] ^= 0x01;
        String cert = TestPki.certFile("SHA256", pkg.manifestName(), signature, signer.certificate(),
                intermediate.certificate());

        PackageVerification result = verify(SignaturePolicy.VERIFY_IF_PRESENT, pemFolder(root), pkg.ova(cert));

        assertThat(onlyFailure(result).id()).isEqualTo("signature.valid");
        assertThat(onlyFailure(result).message()).startsWith("tampered:");
    }

    @Test
    void aSignatureLineNamingTheWrongAlgorithm() throws Exception {
        byte[] signature = TestPki.sign(pkg.manifest(), signer.keys(), "SHA256");
        Path trust = pemFolder(root);

        String md5 = TestPki.certFile("MD5", pkg.manifestName(), signature, signer.certificate(), intermediate.certificate());
        PackageVerification unknown = verify(SignaturePolicy.VERIFY_IF_PRESENT, trust, pkg.ova(md5));
        assertThat(onlyFailure(unknown).id()).isEqualTo("signature.syntax");
        assertThat(onlyFailure(unknown).message()).contains("MD5", "SHA256");

        // a SHA256 signature declared as SHA1: the declared digest is what is verified
        String sha1 = TestPki.certFile("SHA1", pkg.manifestName(), signature, signer.certificate(), intermediate.certificate());
        PackageVerification mismatch = verify(SignaturePolicy.VERIFY_IF_PRESENT, trust, pkg.ova(sha1));
        assertThat(onlyFailure(mismatch).id()).isEqualTo("signature.valid");
        assertThat(onlyFailure(mismatch).message()).startsWith("tampered:").contains("SHA1withRSA");
    }

    @Test
    void aCertFileOfGarbageIsASyntaxFailure() throws Exception {
        PackageVerification result = verify(SignaturePolicy.VERIFY_IF_PRESENT, pemFolder(root),
                pkg.ova("this is not a certificate file\n\u0000\u0001"));

        assertThat(onlyFailure(result).id()).isEqualTo("signature.syntax");
        assertThat(onlyFailure(result).file()).isEqualTo("widget.cert");
        assertThat(onlyFailure(result).message()).startsWith("no signature line");
    }

    @Test
    void aCertFileSigningAnotherFile() throws Exception {
        String cert = TestPki.certFile("SHA256", "other.mf", TestPki.sign(pkg.manifest(), signer.keys(), "SHA256"),
                signer.certificate(), intermediate.certificate());

        PackageVerification result = verify(SignaturePolicy.VERIFY_IF_PRESENT, pemFolder(root), pkg.ova(cert));

        assertThat(onlyFailure(result).id()).isEqualTo("signature.syntax");
        assertThat(onlyFailure(result).message()).isEqualTo("signs other.mf, not the package's manifest widget.mf");
    }

    @Test
    void aCertFileWithoutAManifest() throws Exception {
        PackageVerification result = verify(SignaturePolicy.VERIFY_IF_PRESENT, pemFolder(root),
                pkg.withManifest(null).ova(signedCert(pkg)));

        assertThat(result.checks()).filteredOn(c -> c.id().startsWith("signature.")).singleElement().satisfies(c -> {
            assertThat(c.id()).isEqualTo("signature.syntax");
            assertThat(c.status()).isEqualTo(CheckResult.Status.FAIL);
            assertThat(c.message()).contains("widget.mf", "no manifest");
        });
    }

    @Test
    void requireRejectsAnUnsignedOva() throws Exception {
        PackageVerification result = verify(SignaturePolicy.REQUIRE, pemFolder(root), pkg.ova(null));

        assertThat(onlyFailure(result).id()).isEqualTo("signature.present");
        assertThat(onlyFailure(result).message()).contains("require");
    }

    @Test
    void verifyIfPresentSaysNothingOfAnUnsignedOva() throws Exception {
        PackageVerification result = verify(SignaturePolicy.VERIFY_IF_PRESENT, pemFolder(root), pkg.ova(null));

        assertThat(result.rejected()).isFalse();
        assertThat(signatureChecks(result)).isEmpty();
        assertThat(result.checks()).noneMatch(c -> c.status() == CheckResult.Status.WARN);
    }

    @Test
    void ignoreLooksAtNoSignature() throws Exception {
        byte[] signature = TestPki.sign(pkg.manifest(), signer.keys(), "SHA256");
        signature[0] ^= 0x40;
        String bad = TestPki.certFile("SHA256", pkg.manifestName(), signature, signer.certificate());
        // IGNORE does not even read the trust store: a path that does not exist is fine
        PackageVerification result = verify(SignaturePolicy.IGNORE, dir.resolve("absent"), pkg.ova(bad));

        assertThat(result.rejected()).isFalse();
        assertThat(signatureChecks(result)).isEmpty();
        assertThat(result.signer()).isNull();
    }

    @Test
    void aPkcs12TrustStoreWithItsPassword() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("acme-root", root.certificate());
        Path file = dir.resolve("trust.p12");
        char[] password = "changeit".toCharArray();
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        }
        ValidationSettings settings = ValidationSettings.DEFAULTS.withSignature(SignaturePolicy.REQUIRE, file, password);

        PackageVerification result = new PackageVerifier(settings, CLOCK)
                .verify("widget.ova", new ByteArrayInputStream(signed(pkg)));

        assertThat(result.rejected()).as("%s", result.checks()).isFalse();
        assertThat(result.signer().subject()).isEqualTo(SIGNER);
    }

    @Test
    void theCertMayComeBeforeTheManifest() throws Exception {
        String cert = signedCert(pkg);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(bytes)) {
            for (Object[] file : new Object[][]{{"widget.ovf", pkg.descriptor()},
                    {"widget.cert", cert.getBytes(StandardCharsets.UTF_8)}, {"disk1.img", pkg.disk()},
                    {"widget.mf", pkg.manifest()}}) {
                var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry((String) file[0]);
                entry.setSize(((byte[]) file[1]).length);
                tar.putArchiveEntry(entry);
                tar.write((byte[]) file[1]);
                tar.closeArchiveEntry();
            }
        }

        PackageVerification result = verify(SignaturePolicy.REQUIRE, pemFolder(root), bytes.toByteArray());

        assertThat(result.rejected()).as("%s", result.checks()).isFalse();
        assertThat(result.signer()).isNotNull();
    }

    @Test
    void anOversizeCertIsRefusedUnread() throws Exception {
        String huge = signedCert(pkg) + "#".repeat(CertificateFile.MAX_BYTES);

        PackageVerification result = verify(SignaturePolicy.VERIFY_IF_PRESENT, pemFolder(root), pkg.ova(huge));

        assertThat(onlyFailure(result).id()).isEqualTo("signature.syntax");
        assertThat(onlyFailure(result).message()).contains("larger than " + CertificateFile.MAX_BYTES);
    }

    private PackageVerification verify(SignaturePolicy policy, Path trustStore, byte[] ova) throws IOException {
        ValidationSettings settings = ValidationSettings.DEFAULTS.withSignature(policy, trustStore, null);
        return new PackageVerifier(settings, CLOCK).verify("widget.ova", new ByteArrayInputStream(ova));
    }

    private static byte[] signed(TestPki.Package p) {
        return p.ova(signedCert(p));
    }

    private static String signedCert(TestPki.Package p) {
        return TestPki.certFile("SHA256", p.manifestName(), TestPki.sign(pkg.manifest(), signer.keys(), "SHA256"),
                signer.certificate(), intermediate.certificate());
    }

    private Path pemFolder(Identity... anchors) throws IOException {
        Path folder = Files.createTempDirectory(dir, "trust");
        for (int i = 0; i < anchors.length; i++) {
            Files.writeString(folder.resolve("ca" + i + ".pem"), TestPki.pem(anchors[i].certificate()));
        }
        return folder;
    }

    private static List<CheckResult> signatureChecks(PackageVerification result) {
        return result.checks().stream().filter(c -> c.id().startsWith("signature.")).toList();
    }

    private static CheckResult onlyFailure(PackageVerification result) {
        List<CheckResult> failures = result.checks().stream().filter(CheckResult::failed).toList();
        assertThat(failures).as("failures of %s", result.checks()).hasSize(1);
        return failures.get(0);
    }

    private static CheckResult.Status status(PackageVerification result, String id) {
        return result.checks().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow().status();
    }

    private static String message(PackageVerification result, String id) {
        return result.checks().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow().message();
    }

    private static Instant at(String date) {
        return Instant.parse(date + "T00:00:00Z");
    }
}
