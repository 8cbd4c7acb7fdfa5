package org.ovaflow.validate.signature;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.validate.signature.TestPki.Identity;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrustStoreTest {

    private static Identity first;
    private static Identity second;
    private static Identity third;

    @TempDir
    Path dir;

    @BeforeAll
    static void pki() {
        Instant from = Instant.parse("2020-01-01T00:00:00Z");
        Instant until = Instant.parse("2035-01-01T00:00:00Z");
        first = TestPki.root("CN=First CA", from, until);
        second = TestPki.root("CN=Second CA", from, until);
        third = TestPki.root("CN=Third CA", from, until);
    }

    @Test
    void aFolderOfPemFilesEachWithOneOrSeveralCertificates() throws Exception {
        Files.writeString(dir.resolve("bundle.pem"), "# vendors we trust\n" + TestPki.pem(first.certificate())
                + "\nsecond one:\n" + TestPki.pem(second.certificate()));
        Files.writeString(dir.resolve("third.crt"), TestPki.pem(third.certificate(), first.certificate()));
        Files.writeString(dir.resolve("README.txt"), "not a certificate, skipped");
        Files.writeString(dir.resolve(".hidden.pem"), "-----BEGIN CERTIFICATE-----\nbroken");
        Files.createDirectory(dir.resolve("sub"));

        TrustStore store = TrustStore.load(dir, null);

        assertThat(store.certificates()).as("each certificate once")
                .containsExactlyInAnyOrder(first.certificate(), second.certificate(), third.certificate());
        assertThat(store.anchors()).hasSize(3);
        assertThat(store.contains(second.certificate())).isTrue();
    }

    @Test
    void onePemFile() throws Exception {
        Path file = dir.resolve("ca.pem");
        Files.writeString(file, TestPki.pem(first.certificate()));
        assertThat(TrustStore.load(file, null).certificates()).containsExactly(first.certificate());
    }

    @Test
    void aPkcs12FileOpenedWithItsPassword() throws Exception {
        Path file = pkcs12("s3cret".toCharArray(), first.certificate(), second.certificate());

        assertThat(TrustStore.load(file, "s3cret".toCharArray()).certificates())
                .containsExactlyInAnyOrder(first.certificate(), second.certificate());
        assertThatThrownBy(() -> TrustStore.load(file, "wrong".toCharArray()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ovaflow.validate.trust-store").hasMessageContaining(file.toString());
    }

    @Test
    void noPathTrustsTheJdkAuthoritiesAndEmptyTrustsNothing() {
        assertThat(TrustStore.load(null, null).certificates()).isNotEmpty()
                .allSatisfy(ca -> assertThat(ca.getBasicConstraints()).isNotNegative());
        assertThat(TrustStore.load(null, null).source()).contains("JDK");
        assertThat(TrustStore.empty().anchors()).isEmpty();
    }

    @Test
    void aStoreThatCannotBeReadIsAConfigurationError() throws Exception {
        assertThatThrownBy(() -> TrustStore.load(dir.resolve("absent.p12"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absent.p12");
        assertThatThrownBy(() -> TrustStore.load(dir, null))
                .as("an empty folder").isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no certificate found");
        Files.writeString(dir.resolve("bad.pem"), TestPki.pem(first.certificate()).replace("-----END", "x-----END"));
        assertThatThrownBy(() -> TrustStore.load(dir, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad.pem");
        Path garbage = Files.write(dir.resolve("garbage.p12"), new byte[]{1, 2, 3, 4});
        assertThatThrownBy(() -> TrustStore.load(garbage, null)).isInstanceOf(IllegalArgumentException.class);
    }

    private Path pkcs12(char[] password, Certificate... certificates) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < certificates.length; i++) {
            store.setCertificateEntry("ca" + i, certificates[i]);
        }
        Path file = dir.resolve("trust.p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        }
        return file;
    }
}
