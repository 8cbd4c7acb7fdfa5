package org.ovaflow.validate.checksum;

import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.ova.OvaArchive;
import org.ovaflow.core.ova.OvaEntry;
import org.ovaflow.disk.DiskHeader;
import org.ovaflow.validate.disk.DiskImageProbe;
import org.ovaflow.validate.signature.CertificateFile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Hashes every file of an OVA as the tar walk streams it past, so the whole package is verified in one read.
 * SHA-256 always (the catalog records it); before the manifest is seen, every algorithm a manifest may name
 * (tools put the .mf before or after the disks); after it, the ones it names. The manifest itself is kept,
 * bounded by {@link Manifest#MAX_BYTES}, and so is the first .cert (bounded by {@link CertificateFile#MAX_BYTES}):
 * the signature is over the manifest's exact bytes. Each file's header is probed in the same pass
 * ({@link DiskImageProbe}).
 *
 * <p>The digests are computed on a thread of their own ({@link DigestThread}), in order, while this thread reads
 * on: the tar walk, the whole-file digest and the entries' digests use both cores. {@link #finish()} waits for
 * the digests; close it.
 */
final class EntryDigests implements OvaArchive.EntryReader, AutoCloseable {

    private final DigestThread hasher = new DigestThread("ovaflow-entry-digests", 4);
    /** Written by the hashing thread, read after {@link #finish()}. */
    private final Map<String, Map<String, String>> digestsByEntry = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, DiskHeader> diskHeaders = new LinkedHashMap<>();
    private Manifest manifest;
    private byte[] manifestRaw;
    private String certName;
    private byte[] certBytes;
    private String oversizeManifest;
    /** The first entry's bytes when it is a descriptor small enough to travel in the event; else null. */
    private byte[] descriptorBytes;
    private boolean firstEntry = true;
    private long bytesRead;
    private long trailingNonZeroBytes;
    /** Who else reads the entries in this pass (inspect's disk readers), null when no one. */
    private final EntryTap tap;

    EntryDigests(EntryTap tap) {
        this.tap = tap;
    }

    @Override
    public void read(OvaEntry entry, InputStream data) throws IOException {
        boolean isManifest = manifest == null && entry.name().toLowerCase().endsWith(".mf");
        if (isManifest && entry.size() > Manifest.MAX_BYTES) {
            oversizeManifest = entry.name();
            isManifest = false;
        }
        boolean isCert = certName == null && entry.name().toLowerCase().endsWith(".cert");
        if (isCert) {
            certName = entry.name();
            isCert = entry.size() <= CertificateFile.MAX_BYTES;
        }
        boolean isDescriptor = firstEntry && entry.name().toLowerCase().endsWith(".ovf")
                && entry.size() <= StagedArtifact.CARRIED_MAX;
        firstEntry = false;
        Map<String, MessageDigest> digests = new HashMap<>();
        for (String algorithm : algorithmsFor()) {
            digests.put(algorithm, newDigest(algorithm));
        }
        ByteArrayOutputStream kept = isManifest || isCert || isDescriptor ? new ByteArrayOutputStream() : null;
        DiskImageProbe probe = DiskImageProbe.forEntry(entry.name());
        EntryTap.Sink sink = null;
        boolean first = true;
        while (true) {
            DigestThread.Buffer buffer = hasher.take();
            int n = data.readNBytes(buffer.bytes, 0, DigestThread.BUFFER_SIZE);
            if (n > 0) {
                if (first && tap != null) {
                    sink = tap.open(entry.name(), entry.size(), buffer.bytes, n, manifest != null
                            && manifest.lines().stream().anyMatch(l -> l.file().equals(entry.name())));
                }
                first = false;
                if (sink != null) {
                    sink.accept(buffer.bytes, n, buffer.lend());
                }
                probe.update(buffer.bytes, 0, n);
                if (kept != null) {
                    kept.write(buffer.bytes, 0, n);
                }
                bytesRead += n;
                hasher.digest(buffer, n, digests.values());
            }
            buffer.release();
            if (n <= 0) {
                break;
            }
        }
        if (sink != null) {
            sink.end();
        }
        String name = entry.name();
        hasher.then(() -> {
            Map<String, String> hex = new HashMap<>();
            digests.forEach((algorithm, digest) -> hex.put(algorithm, HexFormat.of().formatHex(digest.digest())));
            digestsByEntry.putIfAbsent(name, hex);
        });
        DiskHeader header = probe.finish();
        if (header != null) {
            diskHeaders.putIfAbsent(entry.name(), header);
        }
        if (isDescriptor) {
            descriptorBytes = kept.toByteArray();
        } else if (isCert) {
            certBytes = kept.toByteArray();
        } else if (kept != null) {
            manifestRaw = kept.toByteArray();
            manifest = Manifest.parse(entry.name(), new String(manifestRaw, StandardCharsets.UTF_8));
        }
    }

    private Set<String> algorithmsFor() {
        if (manifest == null) {
            return Manifest.ALGORITHMS;
        }
        Set<String> wanted = new java.util.HashSet<>(manifest.algorithms());
        wanted.add("SHA256");
        return wanted;
    }

    private static MessageDigest newDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(Manifest.jcaName(algorithm));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " missing from the JDK", e);
        }
    }

    /** Waits until every entry read so far is digested; call before asking for digests. */
    void finish() throws IOException {
        hasher.finish();
    }

    @Override
    public void close() {
        hasher.close();
    }

    /** The hex digest of {@code entry} by {@code algorithm}, null when it was not computed. */
    String digest(String entry, String algorithm) {
        Map<String, String> digests = digestsByEntry.get(entry);
        return digests == null ? null : digests.get(algorithm);
    }

    /** Counts the bytes after the archive that are not zero: tar pads with zeros, anything else was put there. */
    @Override
    public void afterArchive(InputStream rest) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = rest.read(buffer)) > 0) {
            for (int i = 0; i < n; i++) {
                if (buffer[i] != 0) {
                    trailingNonZeroBytes++;
                }
            }
        }
    }

    long trailingNonZeroBytes() {
        return trailingNonZeroBytes;
    }

    /** What the probe read of each file's header, in tar order; the descriptor, manifest and certificate have none. */
    Map<String, DiskHeader> diskHeaders() {
        return diskHeaders;
    }

    Manifest manifest() {
        return manifest;
    }

    /** The manifest's exact bytes, null when there is none (or it was too large to keep). */
    byte[] manifestBytes() {
        return manifestRaw;
    }

    /** The name of the package's first .cert, null when it has none. */
    String certName() {
        return certName;
    }

    /** The bytes of {@link #certName()}, null when there is none or it was too large to keep. */
    /** The descriptor's bytes, when it came first and is at most {@link StagedArtifact#CARRIED_MAX}; else null. */
    byte[] descriptorBytes() {
        return descriptorBytes;
    }

    byte[] certBytes() {
        return certBytes;
    }

    /** The name of a manifest too large to be one, null when there was none. */
    String oversizeManifest() {
        return oversizeManifest;
    }

    long bytesRead() {
        return bytesRead;
    }
}
