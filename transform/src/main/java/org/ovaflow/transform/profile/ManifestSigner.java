package org.ovaflow.transform.profile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * Signs a package's manifest the way ovftool does, so vSphere shows the package as signed: a {@code .cert} file
 * holding {@code SHA256(name.mf)= <hex signature>} and the signer's certificate chain in PEM. The key and its
 * chain come from a PKCS12 file (what {@code keytool} and {@code openssl pkcs12} write), never from the command line.
 */
public final class ManifestSigner {

    private final PrivateKey key;
    private final List<Certificate> chain;

    private ManifestSigner(PrivateKey key, List<Certificate> chain) {
        this.key = key;
        this.chain = List.copyOf(chain);
    }

    /** The first key entry of a PKCS12 file with its chain. */
    public static ManifestSigner load(Path pkcs12, char[] password) {
        try (InputStream in = Files.newInputStream(pkcs12)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    Certificate[] chain = store.getCertificateChain(alias);
                    if (chain == null || chain.length == 0) {
                        throw new IllegalArgumentException(pkcs12 + ": the key '" + alias + "' has no certificate");
                    }
                    return new ManifestSigner((PrivateKey) store.getKey(alias, password), List.of(chain));
                }
            }
            throw new IllegalArgumentException(pkcs12 + " holds no private key");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the signing key " + pkcs12 + ": " + e.getMessage(), e);
        }
    }

    /** The {@code .cert} file's bytes for the manifest {@code manifestName} holding {@code manifest}. */
    public byte[] certificateFile(String manifestName, byte[] manifest, ManifestAlgorithm algorithm) {
        try {
            Signature signature = Signature.getInstance(algorithm.manifestName() + "with"
                    + ("EC".equals(key.getAlgorithm()) ? "ECDSA" : key.getAlgorithm()));
            signature.initSign(key);
            signature.update(manifest);
            StringBuilder text = new StringBuilder();
            text.append(algorithm.manifestName()).append('(').append(manifestName).append(")= ")
                    .append(HexFormat.of().formatHex(signature.sign())).append('\n');
            Base64.Encoder pem = Base64.getMimeEncoder(64, new byte[]{'\n'});
            for (Certificate certificate : chain) {
                text.append("-----BEGIN CERTIFICATE-----\n")
                        .append(pem.encodeToString(certificate.getEncoded())).append('\n')
                        .append("-----END CERTIFICATE-----\n");
            }
            return text.toString().getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing " + manifestName + " failed: " + e.getMessage(), e);
        }
    }
}
