package org.ovaflow.validate.signature;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.ovaflow.core.ova.OvaBuilder;
import org.ovaflow.core.sample.SampleAppliance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

import javax.security.auth.x500.X500Principal;

/** Keys, certificates, signed manifests and signed OVAs made on the spot for the signature tests. */
public final class TestPki {

    /** The time the tests verify at: every "good" certificate below is valid then. */
    public static final Instant NOW = Instant.parse("2025-06-01T00:00:00Z");

    private static final AtomicLong SERIAL = new AtomicLong(1000);

    private TestPki() {
    }

    /** A key pair and its certificate. */
    public record Identity(KeyPair keys, X509Certificate certificate) {
    }

    public static KeyPair rsa() {
        return keys("RSA", 2048);
    }

    static KeyPair ec() {
        return keys("EC", 256);
    }

    private static KeyPair keys(String algorithm, int size) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            generator.initialize(size);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed CA valid from {@code from} until {@code until}. */
    public static Identity root(String subject, Instant from, Instant until) {
        KeyPair keys = rsa();
        return new Identity(keys, certificate(subject, keys, subject, keys, from, until, true));
    }

    /** A certificate for {@code keys} issued by {@code issuer}; {@code ca} makes it an intermediate. */
    public static Identity issue(Identity issuer, String subject, KeyPair keys, Instant from, Instant until, boolean ca) {
        String issuerName = issuer.certificate().getSubjectX500Principal().getName(X500Principal.RFC2253);
        return new Identity(keys, certificate(subject, keys, issuerName, issuer.keys(), from, until, ca));
    }

    static X509Certificate certificate(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys,
                                       Instant from, Instant until, boolean ca) {
        try {
            // names parsed as the JDK parses them, so that they print back as written and issuers match subjects
            var builder = new JcaX509v3CertificateBuilder(x500(issuer),
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(from), Date.from(until),
                    x500(subject), subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(ca
                    ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
            String algorithm = issuerKeys.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            var signer = new JcaContentSignerBuilder(algorithm).build(issuerKeys.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (Exception e) {
            throw new IllegalStateException("making a test certificate failed", e);
        }
    }

    private static X500Name x500(String rfc2253) {
        return X500Name.getInstance(new X500Principal(rfc2253).getEncoded());
    }

    public static String pem(X509Certificate... certificates) {
        StringBuilder pem = new StringBuilder();
        for (X509Certificate certificate : certificates) {
            try {
                pem.append(PemCertificates.BEGIN).append('\n')
                        .append(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                .encodeToString(certificate.getEncoded()))
                        .append('\n').append(PemCertificates.END).append('\n');
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return pem.toString();
    }

    /** The signature of {@code data} with {@code signer}'s key, by {@code digest} (SHA1, SHA256, SHA512). */
    public static byte[] sign(byte[] data, KeyPair signer, String digest) {
        try {
            Signature signature = Signature.getInstance(digest + "with"
                    + (signer.getPrivate().getAlgorithm().equals("EC") ? "ECDSA" : "RSA"));
            signature.initSign(signer.getPrivate());
            signature.update(data);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A .cert as ovftool writes it: the signature line of {@code manifestName}, then the certificates. */
    public static String certFile(String digest, String manifestName, byte[] signature, X509Certificate... chain) {
        return digest + "(" + manifestName + ")= " + HexFormat.of().formatHex(signature) + "\n" + pem(chain);
    }

    /** The sample appliance's descriptor, disk and manifest, before signing. */
    record Package(String descriptorName, byte[] descriptor, byte[] disk, String manifestName, byte[] manifest) {

        static Package sample() {
            byte[] disk = SampleAppliance.disk(8_192, 7);
            String descriptor = SampleAppliance.descriptor("Acme", "Widget", "1.0", "disk1.img", disk.length);
            OvaBuilder builder = new OvaBuilder("widget.ovf", descriptor).file("disk1.img", disk);
            return new Package("widget.ovf", descriptor.getBytes(StandardCharsets.UTF_8), disk,
                    builder.manifestName(), builder.manifest().getBytes(StandardCharsets.UTF_8));
        }

        /** This package with {@code manifest} in place of its manifest. */
        Package withManifest(byte[] manifest) {
            return new Package(descriptorName, descriptor, disk, manifestName, manifest);
        }

        /**
         * An OVA of descriptor, manifest, .cert and disk (ovftool's order); {@code cert} null for an unsigned one,
         * a null manifest leaves it out.
         */
        byte[] ova(String cert) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
                put(tar, descriptorName, descriptor);
                if (manifest != null) {
                    put(tar, manifestName, manifest);
                }
                if (cert != null) {
                    put(tar, "widget.cert", cert.getBytes(StandardCharsets.UTF_8));
                }
                put(tar, "disk1.img", disk);
            } catch (IOException e) {
                throw new IllegalStateException("writing to memory failed", e);
            }
            return bytes.toByteArray();
        }
    }

    private static void put(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
