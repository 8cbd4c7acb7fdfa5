package org.ovaflow.publish.catalog;

import com.fasterxml.jackson.core.type.TypeReference;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.PoisonEventException;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.ova.PackageForm;
import org.ovaflow.core.stage.BatchOutcome;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.thread.DaemonThreads;
import org.ovaflow.publish.signing.CatalogSigner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The publish stage: server-side copies of the staged artifacts (and of the original OVA, when kept) into
 * {@code <catalog>/<vendor>/<product>/<version>/}, and the files the event carries written there, then
 * {@code appliance.json} as the commit point, then the entry's marker (see {@link CatalogIndex}), then the
 * catalog index, then staging is cleared. A crash between any two of these writes leaves either nothing a reader
 * sees (no appliance.json, nothing in the index) or the whole entry, and the same event delivered again completes
 * the publication: a redelivered event finds its own appliance.json and only finishes the marker, the index and
 * the clean-up.
 *
 * <p>Identical content under another import is a no-op. Other content for a published version, or any new import
 * of a retracted one, is a conflict: rejected, or with {@link PublishSettings.OnConflict#REPLACE} published in
 * the entry's folder under {@code <importId>/} (so the old entry stays whole until the new appliance.json
 * replaces it), the old entry's files removed after the commit.
 */
public final class PublishStage {

    public static final String NAME = "publish";

    /** Every check this stage can reject an import for; their ovaflow_rejects_total series start at 0. */
    public static final Set<String> REJECTING_CHECKS = Set.of(
            "catalog.reserved-name", "catalog.version-conflict");
    public static final String APPLIANCE_JSON = "appliance.json";
    /** The role of the original OVA among an entry's artifacts. */
    public static final String OVA_ROLE = "ova";
    /**
     * Written by a replacement beside its staged files before its commit: the keys of the entry it replaces, so
     * that a retry after a crash still knows which files to remove. Cleared with the staged files, last.
     */
    static final String REPLACED_JSON = "publish-replaced.json";
    /**
     * Entries of a batch committed side by side: a commit is a dozen store requests one after the other (copies,
     * small writes, appliance.json, the marker) and waits on the store most of its time; one at a time, a batch of
     * 50 entries took seconds of the stage's time on two idle cores (bench/onboard.sh).
     */
    static final int COMMITS_AT_ONCE = 8;

    private final ObjectStore store;
    private final CatalogWrites writes;
    private final String catalogBucket;
    private final PublishSettings settings;
    private final CatalogReader catalog;
    private final CatalogIndex index;

    public PublishStage(ObjectStore store, String catalogBucket) {
        this(store, catalogBucket, PublishSettings.DEFAULTS);
    }

    public PublishStage(ObjectStore store, String catalogBucket, PublishSettings settings) {
        this(store, CatalogWrites.to(store), catalogBucket, settings);
    }

    /** A stage whose every write goes through {@code writes}; its index unsigned. */
    public PublishStage(ObjectStore store, CatalogWrites writes, String catalogBucket, PublishSettings settings) {
        this(store, writes, catalogBucket, settings, null);
    }

    /**
     * A stage whose every write goes through {@code writes}, and whose indexes {@code signer} signs (null: unsigned,
     * see {@link CatalogIndex}).
     */
    public PublishStage(ObjectStore store, CatalogWrites writes, String catalogBucket, PublishSettings settings,
                        CatalogSigner signer) {
        this.store = store;
        this.writes = writes;
        this.catalogBucket = catalogBucket;
        this.settings = settings;
        this.catalog = new CatalogReader(store, catalogBucket);
        this.index = new CatalogIndex(store, writes, catalogBucket, signer);
    }

    /** Publishes one event: {@link #publish(List)} of a batch of one. */
    public StageOutcome publish(ImportEvent event) {
        BatchOutcome outcome = publish(List.of(event)).get(0);
        if (outcome.failure() != null) {
            throw outcome.failure();
        }
        return outcome.outcome();
    }

    /**
     * Publishes a batch of events: commits each one's entry (several entries at once, {@link #commitAll}), then
     * brings the index up to date once for all of them, then finishes each (removes the files of a replaced entry),
     * then clears staging. The index costs the same for one entry as for a hundred and grows with the catalog:
     * rebuilt once a batch, it stops being what limits the stage. An event whose input is gone fails alone; any
     * other failure fails the batch, which, delivered again, finds the entries it committed and only finishes them.
     *
     * @return an outcome for each event, in their order
     */
    public List<BatchOutcome> publish(List<ImportEvent> events) {
        List<BatchOutcome> outcomes = new ArrayList<>();
        List<Runnable> afterIndex = new ArrayList<>();
        List<ObjectRef> staged = new ArrayList<>();
        Set<String> vendors = new TreeSet<>();
        List<Attempt> attempts = commitAll(events);
        for (int i = 0; i < events.size(); i++) {
            Attempt attempt = attempts.get(i);
            if (attempt.failure() != null) {
                outcomes.add(BatchOutcome.failed(attempt.failure()));
                continue;
            }
            Commit commit = attempt.commit();
            outcomes.add(BatchOutcome.of(commit.outcome()));
            if (commit.vendor() != null) {
                vendors.add(commit.vendor());
                afterIndex.add(commit.afterIndex());
                staged.addAll(staged(events.get(i)));
            }
        }
        if (!vendors.isEmpty()) {
            // the index first, so that it never names the files of a replaced entry once they are gone
            index.rebuild(vendors);
            afterIndex.forEach(Runnable::run);
            clearStaging(staged);
        }
        return outcomes;
    }

    /** An event's commit, or why it alone failed: its input is gone, or it is not what it says. */
    private record Attempt(Commit commit, RuntimeException failure) {
    }

    /**
     * Commits each event of a batch, {@value #COMMITS_AT_ONCE} entries at once: the events of one entry (a
     * redelivery, a conflicting import) one after the other in their order, as a batch of one each would be; the
     * entries of different versions write different keys and go side by side. A failure other than an event's own
     * stops its entry's events, waits for the other entries' and fails the batch.
     *
     * @return an attempt for each event, in their order
     */
    private List<Attempt> commitAll(List<ImportEvent> events) {
        Map<String, List<Integer>> byEntry = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            byEntry.computeIfAbsent(entryOf(events.get(i), i), entry -> new ArrayList<>()).add(i);
        }
        Attempt[] attempts = new Attempt[events.size()];
        Consumer<List<Integer>> commitEntry = indexes -> indexes.forEach(i -> attempts[i] = attempt(events.get(i)));
        if (byEntry.size() <= 1) {
            byEntry.values().forEach(commitEntry);
            return List.of(attempts);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(COMMITS_AT_ONCE, byEntry.size()),
                DaemonThreads.named("ovaflow-publish-commit"));
        try {
            List<Future<?>> entries = new ArrayList<>();
            byEntry.values().forEach(indexes -> entries.add(pool.submit(() -> commitEntry.accept(indexes))));
            RuntimeException failure = null;
            for (Future<?> entry : entries) {
                RuntimeException thrown = outcomeOf(entry);
                if (failure == null) {
                    failure = thrown;
                } else if (thrown != null) {
                    failure.addSuppressed(thrown);
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            pool.shutdownNow();
        }
        return List.of(attempts);
    }

    /** The folder of the event's entry; an event without one (it fails its commit) is an entry of its own. */
    private static String entryOf(ImportEvent event, int position) {
        try {
            return CatalogPath.of(event).prefix();
        } catch (RuntimeException unreadable) {
            return "#" + position;
        }
    }

    private Attempt attempt(ImportEvent event) {
        try {
            return new Attempt(commit(event), null);
        } catch (ObjectGoneException | PoisonEventException e) {
            return new Attempt(null, e);
        }
    }

    /** What an entry's commits threw (null: nothing), once they are done. */
    private static RuntimeException outcomeOf(Future<?> entry) {
        try {
            entry.get();
            return null;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                return failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            return new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new IllegalStateException("interrupted while the batch's entries were committed", e);
        }
    }

    /**
     * An event's publication up to the index: its outcome, the vendor whose index must name the entry (null when
     * nothing was published), and what is left to do once it does besides clearing staging.
     */
    private record Commit(StageOutcome outcome, String vendor, Runnable afterIndex) {

        static final Runnable NOTHING = () -> {
        };

        static Commit rejected(StageOutcome outcome) {
            return new Commit(outcome, null, NOTHING);
        }
    }

    private Commit commit(ImportEvent event) {
        CatalogPath path = CatalogPath.of(event);
        Optional<StagedArtifact> reserved = event.artifacts().stream()
                .filter(a -> a.name().equals(APPLIANCE_JSON)).findFirst();
        if (reserved.isPresent()) {
            return Commit.rejected(reject(event, path, CheckResult.fail("catalog.reserved-name",
                    reserved.get().name(),
                    "the package has a file named " + APPLIANCE_JSON + ", the name of the catalog entry's own file")));
        }
        Optional<ApplianceRecord> existing = catalog.at(path.prefix());
        if (existing.isPresent()) {
            ApplianceRecord entry = existing.get();
            if (entry.provenance().importId().equals(event.importId())) {
                // this very import again (redelivered, or retried after a crash): finish what follows the commit,
                // its marker first (the crash may have come before it)
                index.mark(entry, EventCodec.toPrettyJson(entry));
                return new Commit(published(event, path, "already published at "), path.vendor(),
                        () -> removeReplaced(event, entry));
            }
            if (entry.available() && sameContent(entry, event)) {
                return new Commit(published(event, path, "already published at "), path.vendor(), Commit.NOTHING);
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
        String folder = replaced == null ? path.prefix() : path.prefix() + event.importId() + "/";
        List<ApplianceRecord.Artifact> artifacts = new ArrayList<>();
        // every carried file checked before anything is written
        Map<String, byte[]> carried = new HashMap<>();
        event.artifacts().stream().filter(StagedArtifact::carriesContent).forEach(a -> carried.put(a.name(),
                carried(event, a)));
        for (StagedArtifact a : event.artifacts()) {
            String key = folder + a.name();
            if (a.carriesContent()) {
                writes.write(catalogBucket, key, carried.get(a.name()), a.contentType());
            } else {
                writes.copy(a.bucket(), a.key(), a.size(), a.etag(), catalogBucket, key);
            }
            artifacts.add(new ApplianceRecord.Artifact(a.name(), a.role(), key, a.size(), a.sha256(), a.format(),
                    a.target()));
        }
        if (settings.keepOva()) {
            artifacts.add(keepOva(event, folder, artifacts));
        }
        if (replaced != null) {
            noteReplaced(event, replaced);
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
                removeReplaced(event, record);
            }
        });
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
        String stem = CatalogPath.slug(PackageForm.stem(event.source().fileName()), "appliance");
        // "original-" when the package has a file of that name
        String name = others.stream().anyMatch(a -> a.name().equalsIgnoreCase(stem + ".ova"))
                ? "original-" + stem + ".ova" : stem + ".ova";
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
        List<String> staged = event.artifacts().stream().map(a -> a.name() + "=" + a.sha256()).sorted().toList();
        return published.equals(staged);
    }

    private void noteReplaced(ImportEvent event, ApplianceRecord replaced) {
        Optional<ObjectRef> note = replacedNote(event);
        if (note.isPresent()) {
            List<String> keys = replaced.artifacts().stream().map(ApplianceRecord.Artifact::key).toList();
            writes.write(note.get().bucket(), note.get().key(), EventCodec.toJson(keys), "application/json");
        }
    }

    /** Removes the files of the entry this import replaced that {@code current} does not use. */
    private void removeReplaced(ImportEvent event, ApplianceRecord current) {
        Optional<ObjectRef> note = replacedNote(event);
        if (note.isEmpty() || !store.exists(note.get().bucket(), note.get().key())) {
            return;
        }
        List<String> keys;
        try (InputStream json = store.read(note.get().bucket(), note.get().key())) {
            keys = EventCodec.JSON.readValue(json, new TypeReference<List<String>>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + note.get(), e);
        }
        Set<String> used = new HashSet<>();
        current.artifacts().forEach(a -> used.add(a.key()));
        for (String key : keys) {
            if (!used.contains(key)) {
                writes.remove(catalogBucket, key);
            }
        }
    }

    /** Where this import's replacement note lives: in its staging folder, beside its staged files. */
    private static Optional<ObjectRef> replacedNote(ImportEvent event) {
        return event.artifacts().stream().filter(a -> a.key().endsWith("/" + a.name())).findFirst()
                .map(a -> new ObjectRef(a.bucket(), a.key().substring(0, a.key().length() - a.name().length())
                        + REPLACED_JSON, null, 0, null));
    }

    /** What staging holds for an import once it is published: its staged files, its note, its normalised OVA. */
    private static List<ObjectRef> staged(ImportEvent event) {
        List<ObjectRef> staged = new ArrayList<>();
        for (StagedArtifact artifact : event.artifacts()) {
            if (!artifact.carriesContent()) {
                staged.add(new ObjectRef(artifact.bucket(), artifact.key(), null, artifact.size(), null));
            }
        }
        replacedNote(event).ifPresent(staged::add);
        if (event.normalised() != null) {
            staged.add(event.normalised());
        }
        return staged;
    }

    /**
     * Clears staging of a batch's published imports: one DeleteObjects request per bucket (an import delivered
     * twice in one batch names its files twice: the store sends each key once).
     */
    private void clearStaging(List<ObjectRef> staged) {
        Map<String, List<String>> keysByBucket = new TreeMap<>();
        staged.forEach(o -> keysByBucket.computeIfAbsent(o.bucket(), b -> new ArrayList<>()).add(o.key()));
        keysByBucket.forEach(writes::removeAll);
    }
}
