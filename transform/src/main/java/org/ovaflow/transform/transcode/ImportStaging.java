package org.ovaflow.transform.transcode;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CatalogNames;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One import's files put under its folder ({@code <staging>/imports/<importId>/}, or its catalog entry's
 * {@code <entry>/<importId>/}), or carried in its event while there is room: entries of the OVA copied as they are,
 * and files the conversion made.
 */
final class ImportStaging {

    private final ObjectStore store;
    private final String bucket;
    private final String prefix;
    private final StageMetrics metrics;
    private final ImportEvent event;
    private final OvaBytes ova;
    private final CarryingRoom room = new CarryingRoom();

    /**
     * An entry of the OVA at least this large is copied by the store from its range of the OVA (UploadPartCopy),
     * when its digest is known already: its bytes never pass through ovaflow. Below it a GET and a PUT are fewer
     * requests than a ranged copy's three, for as much store work.
     */
    static final long RANGE_COPY_THRESHOLD = ObjectStore.PART_SIZE;

    ImportStaging(ObjectStore store, String bucket, String prefix, StageMetrics metrics, ImportEvent event,
                  OvaBytes ova) {
        this.store = store;
        this.bucket = bucket;
        this.prefix = prefix;
        this.metrics = metrics;
        this.event = event;
        this.ova = ova;
    }

    /**
     * One entry of the OVA copied as it is, under {@code folder} (or the root for the original), staged or carried
     * in the event as there is room; its SHA-1 put into {@code sha1s} when that is not null.
     */
    StagedArtifact unchanged(TarEntry entry, String folder, Map<String, String> sha1s) {
        String name = folder == null ? entry.name() : folder + "/" + entry.name();
        String key = prefix + name;
        String role = role(entry.name(), event.appliance());
        String format = diskFormat(entry.name(), event.appliance()).orElse(null);
        if (copiedByTheStore(entry, sha1s)) {
            // the checksum stage hashed these very bytes (the copy is pinned to the etag it read)
            ObjectInfo copied = store.copyRange(ova.ref(), entry.offset(), entry.size(), bucket, key,
                    contentType(entry.name()));
            return new StagedArtifact(role, name, bucket, key, entry.size(), entry.sha256(), format, folder,
                    copied.etag());
        }
        MessageDigest sha256 = digest("SHA-256");
        MessageDigest sha1 = digest("SHA-1");
        InputStream range = new DigestInputStream(ova.range(entry.offset(), entry.size()), sha256);
        byte[] carried = null;
        ObjectInfo stored = null;
        try (InputStream data = sha1s == null ? range : new DigestInputStream(range, sha1)) {
            // a disk is staged whatever its size: publication copies disks on the server
            if (!"disk".equals(role) && room.take(entry.size())) {
                carried = data.readNBytes((int) entry.size());
                if (carried.length != entry.size()) {
                    throw new IOException("the OVA ended after " + carried.length + " of the " + entry.size()
                            + " bytes of " + entry.name());
                }
            } else {
                stored = store.write(bucket, key, data, entry.size(), contentType(entry.name()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("staging " + entry.name() + " of " + event.source() + " failed", e);
        }
        String digest = HexFormat.of().formatHex(sha256.digest());
        if (entry.sha256() != null && !entry.sha256().equals(digest)) {
            // the OVA changed under us although the GET was pinned to its etag: never stage other bytes
            if (stored != null) {
                store.remove(bucket, key);
            }
            throw new IllegalStateException(entry.name() + " read back with sha256 " + digest + ", the checksum stage saw "
                    + entry.sha256());
        }
        if (sha1s != null) {
            sha1s.put(key, HexFormat.of().formatHex(sha1.digest()));
        }
        metrics.bytes(TranscodeStage.NAME, "in", entry.size());
        metrics.bytes(TranscodeStage.NAME, "out", entry.size());
        return carried != null
                ? StagedArtifact.carried(role, name, bucket, key, digest, format, folder,
                contentType(entry.name()), carried)
                : new StagedArtifact(role, name, bucket, key, entry.size(), digest, format, folder, stored.etag());
    }

    /**
     * {@link #unchanged} of an original file (under the import's folder itself), started on {@code copier} when the
     * store copies it from its range of the OVA, so that the copy runs while the disks are converted: the store's
     * work and ovaflow's overlap instead of following each other. Other files are staged before this returns, in
     * the order of the calls, so what the event carries is the same whatever the copies' pace.
     */
    CompletableFuture<StagedArtifact> unchangedAlongside(TarEntry entry, Executor copier) {
        if (copiedByTheStore(entry, null)) {
            return CompletableFuture.supplyAsync(() -> unchanged(entry, null, null), copier);
        }
        return CompletableFuture.completedFuture(unchanged(entry, null, null));
    }

    /**
     * The whole OVA copied by the store into the import's folder, started on {@code copier} so that it runs while
     * the disks are converted: the entry's kept OVA (role {@value CatalogNames#KEPT_OVA_ROLE}), pinned to the etag
     * the import was made from, with the sha256 the checksum stage computed of that object. Empty for an event from
     * before ingest recorded the OVA's etag and size and checksum its digest: publish copies it then.
     *
     * @param originalsKept whether the package's own files are in the import's folder too (a name to avoid)
     */
    Optional<CompletableFuture<StagedArtifact>> keptOvaAlongside(Executor copier, boolean originalsKept) {
        ObjectRef source = ova.ref();
        if (source.etag() == null || source.size() <= 0 || event.tarIndex() == null
                || event.tarIndex().sha256() == null) {
            return Optional.empty();
        }
        String name = CatalogNames.keptOva(event, candidate -> originalsKept && event.tarIndex().entries().stream()
                .anyMatch(e -> e.name().equalsIgnoreCase(candidate)));
        String key = prefix + name;
        return Optional.of(CompletableFuture.supplyAsync(() -> {
            ObjectInfo copied = store.copy(source.bucket(), source.key(), source.size(), source.etag(), bucket, key);
            return new StagedArtifact(CatalogNames.KEPT_OVA_ROLE, name, bucket, key, source.size(),
                    event.tarIndex().sha256(), null, null, copied.etag());
        }, copier));
    }

    /** Whether the store copies {@code entry} from its range of the OVA, its bytes never passing through ovaflow. */
    private boolean copiedByTheStore(TarEntry entry, Map<String, String> sha1s) {
        return sha1s == null && entry.sha256() != null && entry.size() >= RANGE_COPY_THRESHOLD && !ova.readWhole();
    }

    /**
     * A file the conversion made, under {@code folder}, carried in the event when there is room, else staged; its
     * SHA-1 put into {@code sha1s} when that is not null.
     */
    StagedArtifact made(String folder, String fileName, String role, byte[] bytes, String contentType,
                        Map<String, String> sha1s) {
        String name = folder + "/" + fileName;
        String key = prefix + name;
        String sha256 = hex(digest("SHA-256").digest(bytes));
        if (sha1s != null) {
            sha1s.put(key, hex(digest("SHA-1").digest(bytes)));
        }
        if (room.take(bytes.length)) {
            return StagedArtifact.carried(role, name, bucket, key, sha256, null, folder, contentType, bytes);
        }
        ObjectInfo stored = store.write(bucket, key, bytes, contentType);
        return new StagedArtifact(role, name, bucket, key, bytes.length, sha256, null, folder, stored.etag());
    }

    static String role(String name, ApplianceMetadata appliance) {
        String lower = name.toLowerCase(Locale.ROOT);
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
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".ovf")) {
            return "application/xml";
        } else if (lower.endsWith(".mf") || lower.endsWith(".cert")) {
            return "text/plain";
        }
        return "application/octet-stream";
    }

    private static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " missing from the JDK", e);
        }
    }
}
