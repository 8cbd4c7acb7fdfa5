package org.ovaflow.core.ova;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes an OVA the way DSP0243 lays it out: the descriptor first, then the manifest of every other file,
 * then the files. Used to make the bundled samples and test packages; a digest can be spoiled on purpose.
 */
public final class OvaBuilder {

    private final String descriptorName;
    private final byte[] descriptor;
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private String manifestAlgorithm = "SHA256";
    private String spoiledDigestOf;

    public OvaBuilder(String descriptorName, String descriptor) {
        this.descriptorName = descriptorName;
        this.descriptor = descriptor.getBytes(StandardCharsets.UTF_8);
    }

    public OvaBuilder file(String name, byte[] content) {
        files.put(name, content);
        return this;
    }

    /** SHA1, SHA256 or SHA512; null for a package without a manifest. */
    public OvaBuilder manifestAlgorithm(String algorithm) {
        this.manifestAlgorithm = algorithm;
        return this;
    }

    /** Writes a wrong digest for {@code name} into the manifest, as a corrupted download would show. */
    public OvaBuilder spoilDigestOf(String name) {
        this.spoiledDigestOf = name;
        return this;
    }

    public String manifestName() {
        return descriptorName.replaceFirst("\\.ovf$", "") + ".mf";
    }

    public String manifest() {
        StringBuilder manifest = new StringBuilder();
        Map<String, byte[]> listed = new LinkedHashMap<>();
        listed.put(descriptorName, descriptor);
        // DSP0243: the certificate signs the manifest, so the manifest cannot list it
        files.forEach((name, content) -> {
            if (!isCertificate(name)) {
                listed.put(name, content);
            }
        });
        listed.forEach((name, content) -> {
            String digest = digest(content);
            if (name.equals(spoiledDigestOf)) {
                digest = digest(("spoiled " + name).getBytes(StandardCharsets.UTF_8));
            }
            manifest.append(manifestAlgorithm).append('(').append(name).append(")= ").append(digest).append('\n');
        });
        return manifest.toString();
    }

    /**
     * The package's files as ovftool's "OVF" target writes them side by side, in DSP0243's order: descriptor,
     * manifest, certificate, then the other files.
     */
    public Map<String, byte[]> unpackedFiles() {
        Map<String, byte[]> unpacked = new LinkedHashMap<>();
        unpacked.put(descriptorName, descriptor);
        if (manifestAlgorithm != null) {
            unpacked.put(manifestName(), manifest().getBytes(StandardCharsets.UTF_8));
        }
        files.forEach((name, content) -> {
            if (isCertificate(name)) {
                unpacked.put(name, content);
            }
        });
        files.forEach((name, content) -> {
            if (!isCertificate(name)) {
                unpacked.put(name, content);
            }
        });
        return unpacked;
    }

    public void writeTo(OutputStream out) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            put(tar, descriptorName, descriptor);
            if (manifestAlgorithm != null) {
                put(tar, manifestName(), manifest().getBytes(StandardCharsets.UTF_8));
            }
            // DSP0243's order: descriptor, manifest, certificate, then the other files
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                if (isCertificate(file.getKey())) {
                    put(tar, file.getKey(), file.getValue());
                }
            }
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                if (!isCertificate(file.getKey())) {
                    put(tar, file.getKey(), file.getValue());
                }
            }
        }
    }

    public byte[] toBytes() {
        var out = new java.io.ByteArrayOutputStream();
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    private static boolean isCertificate(String name) {
        return name.toLowerCase(java.util.Locale.ROOT).endsWith(".cert");
    }

    private static void put(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        entry.setMode(0644);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private String digest(byte[] content) {
        String jca = switch (manifestAlgorithm) {
            case "SHA1" -> "SHA-1";
            case "SHA512" -> "SHA-512";
            default -> "SHA-256";
        };
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(jca).digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jca + " missing from the JDK", e);
        }
    }
}
