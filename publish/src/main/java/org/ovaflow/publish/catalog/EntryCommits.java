package org.ovaflow.publish.catalog;

import org.ovaflow.core.event.CatalogNames;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.PoisonEventException;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.ovaflow.publish.catalog.PublishStage.APPLIANCE_JSON;
import static org.ovaflow.publish.catalog.PublishStage.OVA_ROLE;

/**
 * One event's publication up to the index: the checks against what the catalog holds (this import again, the
 * same content, a conflict), the entry's files copied or written, appliance.json as the commit point, its marker.
 */
final class EntryCommits {

    private final ObjectStore store;
    private final CatalogWrites writes;
    private final String catalogBucket;
    private final PublishSettings settings;
    private final CatalogReader catalog;
    private final CatalogIndex index;
    private final ReplacedEntry replacedEntry;

    EntryCommits(ObjectStore store, CatalogWrites writes, String catalogBucket, PublishSettings settings,
                 CatalogIndex index) {
        this.store = store;
        this.writes = writes;
        this.catalogBucket = catalogBucket;
        this.settings = settings;
        this.catalog = new CatalogReader(store, catalogBucket);
        this.index = index;
        this.replacedEntry = new ReplacedEntry(store, writes, catalogBucket);
    }

    /**
     * An event's publication up to the index: its outcome, the vendor whose index must name the entry (null when
     * nothing was published), and what is left to do once it does besides clearing staging.
     */
    record Commit(StageOutcome outcome, String vendor, Runnable afterIndex) {

        static final Runnable NOTHING = () -> {
        };

        static Commit rejected(StageOutcome outcome) {
            return new Commit(outcome, null, NOTHING);
        }
    }

    Commit commit(ImportEvent event) {
        CatalogPath path = CatalogPath.of(event);
        Optional<StagedArtifact> reserved = event.artifacts().stream()
                .filter(a -> a.name().equals(APPLIANCE_JSON)).findFirst();
        if (reserved.isPresent()) {
            return Commit.rejected(reject(event, path, CheckResult.fail("catalog.reserved-name",
                    reserved.get().name(),
                    "the package has a file named " + APPLIANCE_JSON + ", the name of the catalog entry's own file")));
        }
        // one listing of the entry's folder says whether it is published (its appliance.json) and what transcode
        // wrote for this import; the entry is read only when there is one
        Map<String, ObjectInfo> listed = new HashMap<>();
        store.list(catalogBucket, path.prefix()).forEach(o -> listed.put(o.key(), o));
        Optional<ApplianceRecord> existing = listed.containsKey(path.prefix() + APPLIANCE_JSON)
                ? catalog.at(path.prefix()) : Optional.empty();
        if (existing.isPresent()) {
            ApplianceRecord entry = existing.get();
            if (entry.provenance().importId().equals(event.importId())) {
                // this very import again (redelivered, or retried after a crash): finish what follows the commit,
                // its marker first (the crash may have come before it)
                index.mark(entry, EventCodec.toPrettyJson(entry));
                return new Commit(published(event, path, "already published at "), path.vendor(),
                        () -> replacedEntry.removeUnused(event, entry));
            }
            if (entry.available() && sameContent(entry, event)) {
                // the files transcode wrote for it into its own folder of the entry are not needed
                return new Commit(published(event, path, "already published at "), path.vendor(),
                        () -> writes.removeAll(catalogBucket, inPlace(event, path).stream().map(StagedArtifact::key)
                                .toList()));
            }
            if (settings.onConflict() == PublishSettings.OnConflict.REJECT) {
                return Commit.rejected(reject(event, path, CheckResult.fail("catalog.version-conflict",
                        event.source().fileName(), path.prefix() + (entry.available()
                                ? " is already published by import " + entry.provenance().importId()
                                + " with different content"
                                : " was published by import " + entry.provenance().importId() + " and retracted"))));
            }
        }

        ApplianceRecord replaced = existing.orElse(null);
        // files transcode wrote straight into the import's own folder of the entry stay where they are, and the
        // entry's other files join them there; staged files are copied into the entry's folder (a replacement's:
        // its own folder, so that the old entry stays whole until the new appliance.json replaces it)
        List<StagedArtifact> inPlace = inPlace(event, path);
        String folder = replaced == null && inPlace.isEmpty() ? path.prefix() : importFolder(event, path);
        checkThere(inPlace, listed);
        List<ApplianceRecord.Artifact> artifacts = new ArrayList<>();
        // every carried file checked before anything is written
        Map<String, byte[]> carried = new HashMap<>();
        event.artifacts().stream().filter(StagedArtifact::carriesContent).forEach(a -> carried.put(a.name(),
                carried(event, a)));
        List<String> unnamed = new ArrayList<>();
        for (StagedArtifact a : event.artifacts()) {
            if (keptOva(a) && !settings.keepOva()) {
                // kept by a transcode stage configured otherwise: not part of the entry
                if (inPlace.contains(a)) {
                    unnamed.add(a.key());
                }
                continue;
            }
            String key = folder + a.name();
            if (a.carriesContent()) {
                writes.write(catalogBucket, key, carried.get(a.name()), a.contentType());
            } else if (inPlace.contains(a)) {
                // written there by transcode: nothing to move
                key = a.key();
            } else {
                writes.copy(a.bucket(), a.key(), a.size(), a.etag(), catalogBucket, key);
            }
            artifacts.add(new ApplianceRecord.Artifact(a.name(), a.role(), key, a.size(), a.sha256(), a.format(),
                    a.target()));
        }
        if (settings.keepOva() && event.artifacts().stream().noneMatch(EntryCommits::keptOva)) {
            // transcode did not copy it (it stages its outputs, or the event is from before it did)
            artifacts.add(keepOva(event, folder, artifacts));
        }
        if (replaced != null) {
            replacedEntry.note(event, replaced);
        }
        ApplianceRecord record = new ApplianceRecord(ImportEvent.SCHEMA_VERSION, path.vendor(), path.product(),
                path.version(), event.appliance(), List.copyOf(artifacts), new ApplianceRecord.Provenance(
                event.importId(), event.source().toString(), event.source().etag(), event.origin(), event.arrivedAt(),
                Instant.now(), event.checks(), event.manifest() == null ? null : event.manifest().signer()),
                ApplianceRecord.AVAILABLE, null);
        byte[] json = EventCodec.toPrettyJson(record);
        writes.write(catalogBucket, path.prefix() + APPLIANCE_JSON, json, "application/json");
        index.mark(record, json);
        return new Commit(published(event, path, replaced == null ? "published at "
                : "replaced import " + replaced.provenance().importId() + " at "), path.vendor(), () -> {
            if (replaced != null) {
                replacedEntry.removeUnused(event, record);
            }
            writes.removeAll(catalogBucket, unnamed);
        });
    }

    /**
     * Every file transcode wrote in place still there as it wrote it (in the listing of the entry's folder): what the
     * conditional copy of a staged file checks. An entry is never committed naming a file that is not there.
     */
    private void checkThere(List<StagedArtifact> inPlace, Map<String, ObjectInfo> there) {
        for (StagedArtifact a : inPlace) {
            ObjectInfo object = there.get(a.key());
            if (object == null || object.size() != a.size()
                    || a.etag() != null && object.etag() != null && !unquoted(a.etag()).equals(unquoted(object.etag()))) {
                throw new ObjectGoneException("s3://" + catalogBucket + "/" + a.key() + " is gone or is not the file "
                        + "transcode wrote", null);
            }
        }
    }

    private static String unquoted(String etag) {
        return etag.replace("\"", "");
    }

    /** The import's own folder of its entry: {@code <entry>/<importId>/}. */
    static String importFolder(ImportEvent event, CatalogPath path) {
        return path.prefix() + event.importId() + "/";
    }

    /**
     * The artifacts transcode wrote straight into the import's own folder of its entry (only there: an event
     * naming any other catalog object gets it copied like a staged file, never adopted or removed).
     */
    private List<StagedArtifact> inPlace(ImportEvent event, CatalogPath path) {
        String folder = importFolder(event, path);
        return event.artifacts().stream().filter(a -> !a.carriesContent() && catalogBucket.equals(a.bucket())
                && a.key().equals(folder + a.name())).toList();
    }

    /** The bytes of a file the event carries, checked: an event that does not hold what it says is poison. */
    private static byte[] carried(ImportEvent event, StagedArtifact artifact) {
        try {
            return artifact.decodedContent();
        } catch (IllegalArgumentException e) {
            throw new PoisonEventException("import " + event.importId() + ": " + e.getMessage(), e);
        }
    }

    private StageOutcome reject(ImportEvent event, CatalogPath path, CheckResult check) {
        return StageOutcome.reject(event.withCatalogPath(path.prefix()).withChecks(List.of(check)));
    }

    private static StageOutcome published(ImportEvent event, CatalogPath path, String message) {
        return StageOutcome.forward(Topics.PUBLISHED, event.withoutCarriedContent().withCatalogPath(path.prefix()),
                StatusEvent.State.PUBLISHED, message + path.prefix());
    }

    /**
     * The OVA as it was imported, copied on the server, with the sha256 the checksum stage computed of the whole
     * object (absent for events from before it did); its etag is the entry's {@code provenance.etag}.
     */
    private ApplianceRecord.Artifact keepOva(ImportEvent event, String folder, List<ApplianceRecord.Artifact> others) {
        // a compressed OVA or an unpacked package is kept as the plain OVA the checksum stage made and hashed
        ObjectRef source = event.ova();
        long size = source.size();
        if (source.etag() == null || size <= 0) {
            // an event from before ingest recorded both: what is there now
            ObjectInfo current = store.stat(source.bucket(), source.key()).orElseThrow(() ->
                    new ObjectGoneException(source + " is gone: the original OVA cannot be kept", null));
            size = current.size();
        }
        String name = CatalogNames.keptOva(event, candidate -> others.stream()
                .anyMatch(a -> a.name().equalsIgnoreCase(candidate)));
        String key = folder + name;
        try {
            // pinned to the etag the import was made from: an OVA replaced or removed since is gone, not kept
            writes.copy(source.bucket(), source.key(), size, source.etag(), catalogBucket, key);
        } catch (ObjectGoneException e) {
            throw new ObjectGoneException(source + " was replaced or removed since it was imported: the original OVA "
                    + "cannot be kept (" + e.getMessage() + ")", e);
        }
        // the checksum stage hashed the object it read, pinned to this etag: the digest of what is copied
        String sha256 = event.tarIndex() == null ? null : event.tarIndex().sha256();
        return new ApplianceRecord.Artifact(name, OVA_ROLE, key, size, sha256, null, null);
    }

    /** Same files with the same digests: a re-upload of what is already there (the kept OVA aside). */
    private static boolean sameContent(ApplianceRecord record, ImportEvent event) {
        List<String> published = record.artifacts().stream().filter(a -> !OVA_ROLE.equals(a.role()))
                .map(a -> a.name() + "=" + a.sha256()).sorted().toList();
        List<String> staged = event.artifacts().stream().filter(a -> !keptOva(a))
                .map(a -> a.name() + "=" + a.sha256()).sorted().toList();
        return published.equals(staged);
    }

    /** The original OVA, copied into the import's folder by transcode. */
    private static boolean keptOva(StagedArtifact artifact) {
        return OVA_ROLE.equals(artifact.role());
    }
}
