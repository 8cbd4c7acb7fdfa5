package org.ovaflow.validate.signature;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OVF certificate file (.cert) as VMware ovftool writes it (DSP0243 5.3): the signature of the manifest,
 * {@code SHA256(package.mf)= 1a2b…}, then the signer's X.509 certificate and any intermediates, PEM encoded,
 * signer first. The signature is over the manifest's exact bytes, hex encoded. Other text (a certificate's
 * openssl text dump, VirtualBox's {@code -----BEGIN CMS-----} block) is passed over.
 *
 * @param fileName     the .cert's name in the package
 * @param algorithm    the digest of the signature: SHA1, SHA256 or SHA512
 * @param signedFile   the file the signature line names (the manifest)
 * @param signature    the signature bytes
 * @param certificates the signer, then the intermediates as given
 */
public record CertificateFile(String fileName, String algorithm, String signedFile, byte[] signature,
                              List<X509Certificate> certificates) {

    /** A signature line and a few certificates; anything much larger is not a certificate file. */
    public static final int MAX_BYTES = 1 << 20;

    /** The digests a signature line may name, as the manifest names them. */
    public static final Set<String> ALGORITHMS = Set.of("SHA1", "SHA256", "SHA512");

    // spacing varies between tools as in manifests: "SHA256(a.mf)= x", "SHA256 (a.mf) = x"
    private static final Pattern SIGNATURE_LINE =
            Pattern.compile("^\\s*([A-Za-z0-9-]+)\\s*\\((.+)\\)\\s*=\\s*([0-9A-Fa-f]*)\\s*$");

    public X509Certificate signer() {
        return certificates.get(0);
    }

    public static CertificateFile parse(String fileName, byte[] content) throws InvalidCertificateFileException {
        if (content.length > MAX_BYTES) {
            throw new InvalidCertificateFileException("larger than " + MAX_BYTES + " bytes: not a certificate file");
        }
        String[] lines = new String(content, StandardCharsets.UTF_8).split("\r?\n", -1);
        List<PemCertificates.Block> blocks = PemCertificates.read(lines);
        boolean[] inBlock = new boolean[lines.length];
        for (PemCertificates.Block block : blocks) {
            for (int i = block.firstLine() - 1; i < block.lastLine(); i++) {
                inBlock[i] = true;
            }
        }
        Matcher signatureLine = null;
        int signatureLineNumber = 0;
        for (int i = 0; i < lines.length; i++) {
            if (inBlock[i] || lines[i].isBlank()) {
                continue;
            }
            Matcher m = SIGNATURE_LINE.matcher(lines[i]);
            if (!m.matches()) {
                // tools copy the signer's certificate file verbatim, openssl's text dump included, and
                // VirtualBox may add a PKCS#7 block: neither carries the signature line or a certificate
                continue;
            }
            if (signatureLine != null) {
                throw new InvalidCertificateFileException("two signature lines, " + signatureLineNumber + " and "
                        + (i + 1));
            }
            signatureLine = m;
            signatureLineNumber = i + 1;
        }
        if (signatureLine == null) {
            throw new InvalidCertificateFileException("no signature line 'ALGORITHM(file.mf)= hex'");
        }
        String algorithm = signatureLine.group(1).toUpperCase(Locale.ROOT).replace("-", "");
        if (!ALGORITHMS.contains(algorithm)) {
            throw new InvalidCertificateFileException("the signature line names algorithm " + signatureLine.group(1)
                    + ", not one of " + new java.util.TreeSet<>(ALGORITHMS));
        }
        String hex = signatureLine.group(3);
        if (hex.isEmpty() || hex.length() % 2 != 0) {
            throw new InvalidCertificateFileException("the signature line holds " + hex.length()
                    + " hex digits, not a signature");
        }
        if (blocks.isEmpty()) {
            throw new InvalidCertificateFileException("no PEM certificate (" + PemCertificates.BEGIN + ")");
        }
        List<X509Certificate> certificates = new ArrayList<>();
        blocks.forEach(b -> certificates.add(b.certificate()));
        return new CertificateFile(fileName, algorithm, signatureLine.group(2).trim(), HexFormat.of().parseHex(hex),
                List.copyOf(certificates));
    }
}
