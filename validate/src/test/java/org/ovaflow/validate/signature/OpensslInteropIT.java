package org.ovaflow.validate.signature;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.checksum.PackageVerification;
import org.ovaflow.validate.checksum.PackageVerifier;
import org.ovaflow.validate.signature.TestPki.Identity;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What ovaflow verifies agrees with openssl, the tool packagers sign with when they have no ovftool. */
class OpensslInteropIT {

    private static Identity root;
    private static Identity intermediate;
    private static Identity signer;
    private static TestPki.Package pkg;

    @TempDir
    Path dir;

    @BeforeAll
    static void pki() {
        root = TestPki.root("CN=Interop Root,O=Acme", Instant.parse("2020-01-01T00:00:00Z"),
                Instant.parse("2035-01-01T00:00:00Z"));
        intermediate = TestPki.issue(root, "CN=Interop Signing,O=Acme", TestPki.rsa(),
                Instant.parse("2021-01-01T00:00:00Z"), Instant.parse("2034-01-01T00:00:00Z"), true);
        signer = TestPki.issue(intermediate, "CN=Interop Signer,O=Acme", TestPki.rsa(),
                Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"), false);
        pkg = TestPki.Package.sample();
    }

    @Test
    void aSignatureMadeByOpensslVerifies() throws Exception {
        assumeTrue(opensslPresent(), "openssl not installed");
        Path key = write("signer.key", "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(signer.keys().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        Path manifest = Files.write(dir.resolve("widget.mf"), pkg.manifest());
        Path signature = dir.resolve("widget.sig");

        assertThat(openssl("dgst", "-sha256", "-sign", key.toString(), "-out", signature.toString(),
                manifest.toString())).isZero();

        String cert = TestPki.certFile("SHA256", pkg.manifestName(), Files.readAllBytes(signature),
                signer.certificate(), intermediate.certificate());
        Path trust = Files.createDirectory(dir.resolve("trust"));
        Files.writeString(trust.resolve("root.pem"), TestPki.pem(root.certificate()));
        PackageVerification result = new PackageVerifier(
                ValidationSettings.DEFAULTS.withSignature(ValidationSettings.SignaturePolicy.REQUIRE, trust, null),
                Clock.fixed(TestPki.NOW, ZoneOffset.UTC)).verify("widget.ova", new ByteArrayInputStream(pkg.ova(cert)));
        assertThat(result.checks()).filteredOn(c -> c.id().startsWith("signature."))
                .extracting(CheckResult::status).containsOnly(CheckResult.Status.PASS);
    }

    @Test
    void opensslVerifiesOurSignatureAndChainAsWeDo() throws Exception {
        assumeTrue(opensslPresent(), "openssl not installed");
        Path signerPem = write("signer.pem", TestPki.pem(signer.certificate()));
        Path pub = dir.resolve("signer.pub");
        assertThat(openssl("x509", "-in", signerPem.toString(), "-pubkey", "-noout", "-out", pub.toString())).isZero();
        Path manifest = Files.write(dir.resolve("widget.mf"), pkg.manifest());
        Path signature = Files.write(dir.resolve("widget.sig"), TestPki.sign(pkg.manifest(), signer.keys(), "SHA256"));

        assertThat(openssl("dgst", "-sha256", "-verify", pub.toString(), "-signature", signature.toString(),
                manifest.toString())).isZero();

        Path rootPem = write("root.pem", TestPki.pem(root.certificate()));
        Path intermediatePem = write("intermediate.pem", TestPki.pem(intermediate.certificate()));
        String at = Long.toString(TestPki.NOW.getEpochSecond());
        assertThat(openssl("verify", "-attime", at, "-CAfile", rootPem.toString(), "-untrusted",
                intermediatePem.toString(), signerPem.toString())).as("the chain ovaflow trusts").isZero();
        assertThat(openssl("verify", "-attime", at, "-CAfile", rootPem.toString(), signerPem.toString()))
                .as("without the intermediate, untrusted to openssl too").isNotZero();
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
    }

    private static boolean opensslPresent() {
        try {
            return openssl("version") == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static int openssl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("openssl " + String.join(" ", arguments) + " did not finish");
        }
        return process.exitValue();
    }
}
