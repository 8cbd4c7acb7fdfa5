package org.ovaflow.transform.passthrough;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The transcode stage until the disk codecs exist: every file of the package goes unchanged from the OVA into
 * {@code <staging>/imports/<importId>/}, streamed from one ranged GET into a multipart upload, its sha256
 * computed on the way. The original manifest (and signature) stay valid since no byte changes.
 */
public final class PassThroughTranscoder {

    public static final String NAME = "transcode";

    private final ObjectStore store;
    private final String stagingBucket;

    public PassThroughTranscoder(ObjectStore store, String stagingBucket) {
        this.store = store;
        this.stagingBucket = stagingBucket;
    }

    /** Where an import's staged files live: deterministic, so a re-run overwrites rather than duplicates. */
    public static String stagingPrefix(String importId) {
        return "imports/" + importId + "/";
    }

    public StageOutcome transcode(ImportEvent event) {
        List<StagedArtifact> staged = new ArrayList<>();
        for (TarEntry entry : event.tarIndex().entries()) {
            staged.add(stage(event, entry));
        }
        return StageOutcome.forward(Topics.TRANSCODED, event.withArtifacts(staged), StatusEvent.State.TRANSCODED,
                staged.size() + " files staged unchanged");
    }

    private StagedArtifact stage(ImportEvent event, TarEntry entry) {
        String key = stagingPrefix(event.importId()) + entry.name();
        MessageDigest sha256 = sha256();
        try (InputStream data = new DigestInputStream(store.readRange(event.source(), entry.offset(), entry.size()),
                sha256)) {
            store.write(stagingBucket, key, data, entry.size(), contentType(entry.name()));
        } catch (IOException e) {
            throw new UncheckedIOException("staging " + entry.name() + " of " + event.source() + " failed", e);
        }
        String digest = HexFormat.of().formatHex(sha256.digest());
        if (entry.sha256() != null && !entry.sha256().equals(digest)) {
            // the OVA changed under us although the GET was pinned to its etag: never stage other bytes
            store.remove(stagingBucket, key);
            throw new IllegalStateException(entry.name() + " read back with sha256 " + digest + ", the checksum stage saw "
                    + entry.sha256());
        }
        StageMetrics.bytes(NAME, "in", entry.size());
        StageMetrics.bytes(NAME, "out", entry.size());
        return new StagedArtifact(role(entry.name(), event.appliance()), entry.name(), stagingBucket, key,
                entry.size(), digest, diskFormat(entry.name(), event.appliance()).orElse(null));
    }

    static String role(String name, ApplianceMetadata appliance) {
        String lower = name.toLowerCase();
        if (lower.endsWith(".ovf")) {
            return "descriptor";
        } else if (lower.endsWith(".mf")) {
            return "manifest";
        } else if (lower.endsWith(".cert")) {
            return "certificate";
        }
        return diskFormat(name, appliance).isPresent() ? "disk" : "file";
    }

    /** The format the DiskSection declares for the file {@code name}, if a Disk refers to it. */
    static Optional<String> diskFormat(String name, ApplianceMetadata appliance) {
        if (appliance == null) {
            return Optional.empty();
        }
        return appliance.files().stream().filter(f -> name.equals(f.href())).findFirst()
                .flatMap(file -> appliance.disks().stream().filter(d -> file.id().equals(d.fileRef())).findFirst())
                .map(disk -> disk.format() == null ? "unknown" : disk.format());
    }

    private static String contentType(String name) {
        String lower = name.toLowerCase();
        if (lower.endsWith(".ovf")) {
            return "application/xml";
        } else if (lower.endsWith(".mf") || lower.endsWith(".cert")) {
            return "text/plain";
        }
        return "application/octet-stream";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
