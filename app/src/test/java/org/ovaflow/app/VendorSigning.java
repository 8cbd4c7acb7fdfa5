package org.ovaflow.app;

import org.ovaflow.core.ova.OvaBuilder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A vendor's signing key as people make one: a key pair and a self-signed certificate from keytool (a JDK tool,
 * there wherever the tests run). Signs OVAs as ovftool does: SHA256withRSA over the manifest's bytes, in a .cert
 * of the signature line and the PEM certificate.
 */
record VendorSigning(PrivateKey key, X509Certificate certificate, Path keystore) {

    /** The password of {@link #keystore}. */
    static final String PASSWORD = "changeit";

    static VendorSigning create(Path dir, String subject) throws Exception {
        Path keystore = dir.resolve("vendor-" + System.nanoTime() + ".p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "vendor", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                "-dname", subject, "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit").redirectErrorStream(true).start();
        assertThat(keytool.waitFor()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        return new VendorSigning((PrivateKey) store.getKey("vendor", "changeit".toCharArray()),
                (X509Certificate) store.getCertificate("vendor"), keystore);
    }

    String pem() throws Exception {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    /** {@code ova} with a .cert named after its descriptor, signing its manifest. */
    OvaBuilder sign(OvaBuilder ova, String certName) throws Exception {
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(key);
        signer.update(ova.manifest().getBytes(StandardCharsets.UTF_8));
        String cert = "SHA256(" + ova.manifestName() + ")= " + HexFormat.of().formatHex(signer.sign()) + "\n" + pem();
        return ova.file(certName, cert.getBytes(StandardCharsets.US_ASCII));
    }
}
