package org.ovaflow.transform.profile;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ovftool's .cert layout from a keytool-made PKCS12 key, RSA and EC, verifiable with the certificate it holds. */
class ManifestSignerIT {

    private static final Pattern LINE = Pattern.compile("(SHA1|SHA256)\\((.+)\\)= ([0-9a-f]+)\n(-----BEGIN CERTIFICATE-----[\\s\\S]+)");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} key, {1}")
    @CsvSource({"RSA, SHA256", "RSA, SHA1", "EC, SHA256"})
    void signsTheManifestAsOvftoolDoes(String keyAlgorithm, ManifestAlgorithm algorithm) throws Exception {
        Path keystore = keytool(keyAlgorithm);
        byte[] manifest = "SHA256(widget.ovf)= 00\n".getBytes(StandardCharsets.UTF_8);

        byte[] cert = ManifestSigner.load(keystore, "secret".toCharArray())
                .certificateFile("widget.mf", manifest, algorithm);

        Matcher parts = LINE.matcher(new String(cert, StandardCharsets.US_ASCII));
        assertThat(parts.matches()).isTrue();
        assertThat(parts.group(1)).isEqualTo(algorithm.manifestName());
        assertThat(parts.group(2)).isEqualTo("widget.mf");
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(parts.group(4).getBytes(StandardCharsets.US_ASCII)));
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=ovaflow test");
        Signature verifier = Signature.getInstance(algorithm.manifestName() + "with"
                + (keyAlgorithm.equals("EC") ? "ECDSA" : "RSA"));
        verifier.initVerify(certificate);
        verifier.update(manifest);
        assertThat(verifier.verify(HexFormat.of().parseHex(parts.group(3)))).isTrue();
        verifier.initVerify(certificate);
        verifier.update("tampered".getBytes(StandardCharsets.UTF_8));
        assertThat(verifier.verify(HexFormat.of().parseHex(parts.group(3)))).isFalse();
    }

    @org.junit.jupiter.api.Test
    void aWrongPasswordOrAMissingFileIsAClearError() throws Exception {
        Path keystore = keytool("RSA");
        assertThatThrownBy(() -> ManifestSigner.load(keystore, "wrong".toCharArray()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(keystore.toString());
        assertThatThrownBy(() -> ManifestSigner.load(dir.resolve("missing.p12"), "secret".toCharArray()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.p12");
    }

    private Path keytool(String algorithm) throws Exception {
        Path keystore = dir.resolve(algorithm + "-" + System.nanoTime() + ".p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "ovaflow", "-keyalg", algorithm, "-validity", "30", "-dname", "CN=ovaflow test",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "secret")
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        return keystore;
    }
}
