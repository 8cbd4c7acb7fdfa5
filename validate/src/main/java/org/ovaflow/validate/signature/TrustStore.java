package org.ovaflow.validate.signature;

import org.ovaflow.core.ova.FailureDescription;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The certificates an OVA signature must chain to ({@code ovaflow.validate.trust-store}): every certificate of
 * a folder of PEM files (each may hold several), of one PEM file, or of a PKCS12 file.
 */
public final class TrustStore {

    /** Trust stores are the operator's, but a file this large is a wrong path, not a list of CAs. */
    static final long MAX_FILE_BYTES = 16L << 20;

    private static final TrustStore EMPTY = new TrustStore("no trust store", List.of());

    private final String source;
    private final List<X509Certificate> certificates;

    private TrustStore(String source, List<X509Certificate> certificates) {
        this.source = source;
        this.certificates = certificates;
    }

    /** Trusts nothing: every signature is untrusted. */
    public static TrustStore empty() {
        return EMPTY;
    }

    /**
     * The certificate authorities the JVM trusts (its {@code cacerts}, or the {@code javax.net.ssl.trustStore} it
     * was started with): what vendors' commercial code-signing certificates chain to, so signed appliances verify
     * without configuration. Self-signed vendors still need the operator's own store.
     */
    public static TrustStore jdkDefault() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            List<X509Certificate> authorities = new ArrayList<>();
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    authorities.addAll(Arrays.asList(x509.getAcceptedIssuers()));
                }
            }
            return new TrustStore("the JDK's certificate authorities", List.copyOf(authorities));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's trust store cannot be read", e);
        }
    }

    /**
     * The certificates at {@code path}: a folder of PEM files, a PEM file, or a PKCS12 file opened with
     * {@code password} (null for none). Null path gives the JDK's certificate authorities ({@link #jdkDefault}).
     *
     * @throws IllegalArgumentException when the store cannot be read: a configuration error, named with its path
     */
    public static TrustStore load(Path path, char[] password) {
        if (path == null) {
            return jdkDefault();
        }
        try {
            List<X509Certificate> certificates = new ArrayList<>();
            if (Files.isDirectory(path)) {
                List<Path> files;
                try (Stream<Path> listing = Files.list(path)) {
                    files = listing.filter(Files::isRegularFile)
                            .filter(f -> !f.getFileName().toString().startsWith("."))
                            .sorted().toList();
                }
                for (Path file : files) {
                    byte[] content = read(file);
                    if (isPem(content)) {
                        certificates.addAll(pem(file, content));
                    }
                }
            } else {
                byte[] content = read(path);
                certificates.addAll(isPem(content) ? pem(path, content) : pkcs12(content, password));
            }
            if (certificates.isEmpty()) {
                // a PKCS12 made by openssl -nokeys lacks the attribute that makes Java list its certificates
                throw new IOException("no certificate found (a PKCS12 file needs trusted-certificate entries, "
                        + "as keytool -importcert writes them; or use a folder of PEM files)");
            }
            return new TrustStore(path.toString(), List.copyOf(new LinkedHashSet<>(certificates)));
        } catch (IOException | GeneralSecurityException | InvalidCertificateFileException e) {
            throw new IllegalArgumentException("ovaflow.validate.trust-store " + path + " cannot be read: "
                    + FailureDescription.of(e), e);
        }
    }

    private static byte[] read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new IOException(file + " has " + size + " bytes, more than " + MAX_FILE_BYTES);
        }
        return Files.readAllBytes(file);
    }

    private static boolean isPem(byte[] content) {
        return new String(content, StandardCharsets.ISO_8859_1).contains(PemCertificates.BEGIN);
    }

    private static List<X509Certificate> pem(Path file, byte[] content) throws InvalidCertificateFileException {
        try {
            return PemCertificates.read(new String(content, StandardCharsets.UTF_8).split("\r?\n", -1)).stream()
                    .map(PemCertificates.Block::certificate).toList();
        } catch (InvalidCertificateFileException e) {
            throw new InvalidCertificateFileException(file.getFileName() + ": " + FailureDescription.of(e));
        }
    }

    private static List<X509Certificate> pkcs12(byte[] content, char[] password)
            throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(new ByteArrayInputStream(content), password);
        List<X509Certificate> certificates = new ArrayList<>();
        // trusted-certificate entries, and the certificate of any key entry: tools differ in which they write
        for (String alias : Collections.list(store.aliases())) {
            Certificate certificate = store.getCertificate(alias);
            if (certificate instanceof X509Certificate x509) {
                certificates.add(x509);
            }
        }
        return certificates;
    }

    public List<X509Certificate> certificates() {
        return certificates;
    }

    /** The certificates as PKIX trust anchors. */
    Set<TrustAnchor> anchors() {
        Set<TrustAnchor> anchors = new LinkedHashSet<>();
        certificates.forEach(c -> anchors.add(new TrustAnchor(c, null)));
        return anchors;
    }

    boolean contains(X509Certificate certificate) {
        return certificates.contains(certificate);
    }

    /** Where the certificates came from, for messages. */
    String source() {
        return source;
    }

    @Override
    public String toString() {
        return source + " (" + certificates.size() + " certificate(s))";
    }
}
