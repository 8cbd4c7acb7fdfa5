package org.ovaflow.transform.profile;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/** The digest a profile's manifest (and signature) uses: SHA256 by default, SHA1 for vSphere before 6.5. */
public enum ManifestAlgorithm {
    SHA1("SHA1", "SHA-1"),
    SHA256("SHA256", "SHA-256");

    private final String manifestName;
    private final String jdkName;

    ManifestAlgorithm(String manifestName, String jdkName) {
        this.manifestName = manifestName;
        this.jdkName = jdkName;
    }

    /** As a manifest line names it: {@code SHA256(file)= hex}. */
    public String manifestName() {
        return manifestName;
    }

    public MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(jdkName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jdkName + " missing from the JDK", e);
        }
    }

    public static ManifestAlgorithm of(String name) {
        return switch (name.trim().toUpperCase(Locale.ROOT).replace("-", "")) {
            case "SHA1" -> SHA1;
            case "SHA256" -> SHA256;
            default -> throw new IllegalArgumentException("manifest algorithm '" + name + "' is not sha1 or sha256");
        };
    }
}
