package org.ovaflow.validate.signature;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ovaflow.validate.signature.TestPki.Identity;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CertificateFileTest {

    private static Identity ca;
    private static Identity signer;
    private static String pem;

    @BeforeAll
    static void pki() {
        ca = TestPki.root("CN=Test CA", Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2035-01-01T00:00:00Z"));
        signer = TestPki.issue(ca, "CN=Signer", TestPki.rsa(), Instant.parse("2024-01-01T00:00:00Z"),
                Instant.parse("2026-01-01T00:00:00Z"), false);
        pem = TestPki.pem(signer.certificate(), ca.certificate());
    }

    @Test
    void readsTheSignatureLineAndTheCertificatesSignerFirst() throws Exception {
        CertificateFile file = parse("SHA256(app.mf)= 0a1B2c\n" + pem);

        assertThat(file.fileName()).isEqualTo("app.cert");
        assertThat(file.algorithm()).isEqualTo("SHA256");
        assertThat(file.signedFile()).isEqualTo("app.mf");
        assertThat(file.signature()).containsExactly(0x0a, 0x1b, 0x2c);
        assertThat(file.certificates()).containsExactly(signer.certificate(), ca.certificate());
        assertThat(file.signer()).isEqualTo(signer.certificate());
    }

    @Test
    void toleratesTheSpacingAndLineEndingsToolsWrite() throws Exception {
        for (String line : new String[]{"SHA1 (app.mf) = 0a1b", "  sha512( app.mf )=0a1b  ", "SHA-256(app.mf)=\t0a1b"}) {
            CertificateFile file = parse("\r\n" + line + "\r\n" + pem.replace("\n", "\r\n"));
            assertThat(file.signedFile()).as(line).isEqualTo("app.mf");
            assertThat(file.signature()).as(line).containsExactly(0x0a, 0x1b);
            assertThat(file.certificates()).as(line).hasSize(2);
        }
        assertThat(parse("SHA-256(app.mf)= 0a1b\n" + pem).algorithm()).isEqualTo("SHA256");
        assertThat(parse(pem + "SHA1(app.mf)= 0a1b\n").algorithm()).as("the line after the certificates").isEqualTo("SHA1");
    }

    @Test
    void passesOverTheTextAndBlocksOtherToolsAdd() throws Exception {
        // VirtualBox's signova: "SHA256(x.mf) = hex", the certificate file as given (here with openssl's text
        // dump before it), and with --pkcs7 a CMS block
        String text = "SHA256(app.mf) = 0a1b\n"
                + "Certificate:\n    Data:\n        Version: 3 (0x2)\n        Public-Key: (2048 bit)\n"
                + "    Signature Algorithm: sha256WithRSAEncryption\n"
                + TestPki.pem(signer.certificate())
                + "-----BEGIN CMS-----\nMIIBCgYJKoZIhvcNAQcCoIH8MIH5AgEBMQ0w==\n-----END CMS-----\n";

        CertificateFile file = parse(text);

        assertThat(file.certificates()).containsExactly(signer.certificate());
        assertThat(file.signature()).containsExactly(0x0a, 0x1b);
    }

    @Test
    void eachMalformationHasItsOwnReason() {
        assertThat(failure("")).isEqualTo("no signature line 'ALGORITHM(file.mf)= hex'");
        assertThat(failure(pem)).isEqualTo("no signature line 'ALGORITHM(file.mf)= hex'");
        assertThat(failure("SHA256(app.mf)= 0a1b\n")).startsWith("no PEM certificate");
        assertThat(failure("MD5(app.mf)= 0a1b\n" + pem)).contains("algorithm MD5", "SHA256");
        assertThat(failure("SHA256(app.mf)= 0a1\n" + pem)).contains("3 hex digits");
        assertThat(failure("SHA256(app.mf)=\n" + pem)).contains("0 hex digits");
        assertThat(failure("SHA256(app.mf)= 0a1b\nSHA256(app.mf)= 0a1b\n" + pem)).isEqualTo("two signature lines, 1 and 2");
        assertThat(failure("SHA256(app.mf)= 0a1b\n" + pem + "SHA1(app.mf)= 0a1b\n")).startsWith("two signature lines, 1 and ");
        assertThat(failure("SHA256(app.mf)= 0a1b\n" + pem.substring(0, pem.lastIndexOf(PemCertificates.END))))
                .contains("no " + PemCertificates.END);
        assertThat(failure("SHA256(app.mf)= 0a1b\n" + PemCertificates.BEGIN + "\n!!!!\n" + PemCertificates.END))
                .contains("line 2 is not base64");
        assertThat(failure("SHA256(app.mf)= 0a1b\n" + PemCertificates.BEGIN + "\nAAAA\n" + PemCertificates.END))
                .contains("line 2 is not an X.509 certificate");
        assertThat(failure("SHA256(app.mf)= 0a1b\n" + pem + "#".repeat(CertificateFile.MAX_BYTES)))
                .startsWith("larger than");
    }

    @Test
    void binaryGarbageIsRefusedNotThrownAbout() {
        byte[] garbage = new byte[64 << 10];
        new java.util.Random(3).nextBytes(garbage);
        assertThatThrownBy(() -> CertificateFile.parse("x.cert", garbage))
                .isInstanceOf(InvalidCertificateFileException.class);
    }

    private static CertificateFile parse(String text) throws InvalidCertificateFileException {
        return CertificateFile.parse("app.cert", text.getBytes(StandardCharsets.UTF_8));
    }

    private static String failure(String text) {
        try {
            CertificateFile.parse("app.cert", text.getBytes(StandardCharsets.UTF_8));
        } catch (InvalidCertificateFileException e) {
            return e.getMessage();
        }
        throw new AssertionError("parsed: " + text);
    }
}
