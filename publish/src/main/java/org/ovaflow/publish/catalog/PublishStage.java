package org.ovaflow.publish.catalog;

import org.ovaflow.core.event.CatalogNames;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.stage.BatchOutcome;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.publish.signing.CatalogSigner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The publish stage: the artifacts transcode wrote into the import's own folder of its entry
 * ({@code <catalog>/<vendor>/<product>/<version>/<importId>/}) left where they are, staged ones copied on the server
 * (into the entry's folder, or its import's folder beside artifacts already there), a server-side copy of the
 * original OVA when kept, and the files the event carries written beside them, then
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
    public static final String OVA_ROLE = CatalogNames.KEPT_OVA_ROLE;
    /**
     * Written by a replacement beside its staged files before its commit: the keys of the entry it replaces, so
     * that a retry after a crash still knows which files to remove. Cleared with the staged files, last.
     */
    static final String REPLACED_JSON = "publish-replaced.json";

    private final CatalogWrites writes;
    private final String catalogBucket;
    private final CatalogIndex index;
    private final BatchCommits commits;
    private final java.time.Duration indexExpiry;
    private final CatalogRetention retention;

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
        this(store, writes, catalogBucket, settings, signer, FeedLog.DEFAULT_PAGE_ITEMS, RetentionPolicy.KEEP_ALL);
    }

    /**
     * @param feedItems the most items a page of a feed holds ({@code ovaflow.publish.feed-items})
     * @param retention which versions the catalog keeps ({@code ovaflow.publish.retention.*}), applied by
     *                  {@link #applyRetention()}
     */
    public PublishStage(ObjectStore store, CatalogWrites writes, String catalogBucket, PublishSettings settings,
                        CatalogSigner signer, int feedItems, RetentionPolicy retention) {
        this.writes = writes;
        this.catalogBucket = catalogBucket;
        this.index = new CatalogIndex(store, writes, catalogBucket, signer, settings.indexExpiry(),
                java.time.Clock.systemUTC(), feedItems);
        this.retention = new CatalogRetention(store, writes, catalogBucket, index, retention,
                java.time.Clock.systemUTC());
        this.indexExpiry = settings.indexExpiry();
        this.commits = new BatchCommits(new EntryCommits(store, writes, catalogBucket, settings, index));
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
     * Publishes a batch of events: commits each one's entry (several entries at once,
     * {@link BatchCommits#commitAll}), then brings the index up to date once for all of them, then finishes each
     * (removes the files of a replaced entry), then clears staging. The index costs the same for one entry as for
     * a hundred and grows with the catalog: rebuilt once a batch, it stops being what limits the stage. An event
     * whose input is gone fails alone; any other failure fails the batch, which, delivered again, finds the entries
     * it committed and only finishes them.
     *
     * @return an outcome for each event, in their order
     */
    public List<BatchOutcome> publish(List<ImportEvent> events) {
        List<BatchOutcome> outcomes = new ArrayList<>();
        List<Runnable> afterIndex = new ArrayList<>();
        List<ObjectRef> staged = new ArrayList<>();
        Set<String> vendors = new TreeSet<>();
        List<BatchCommits.Attempt> attempts = commits.commitAll(events);
        for (int i = 0; i < events.size(); i++) {
            BatchCommits.Attempt attempt = attempts.get(i);
            if (attempt.failure() != null) {
                outcomes.add(BatchOutcome.failed(attempt.failure()));
                continue;
            }
            EntryCommits.Commit commit = attempt.commit();
            outcomes.add(BatchOutcome.of(commit.outcome()));
            if (commit.vendor() != null) {
                vendors.add(commit.vendor());
                afterIndex.add(commit.afterIndex());
                staged.addAll(staged(events.get(i), catalogBucket));
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

    /**
     * Brings the index up to date and writes its root again when half of its lifetime passed (a new version, a new
     * expiry, signed): run by the publish route's timer every {@link #indexRefreshPeriod()}, so that a catalog
     * nothing was published into for days still reaches its consumers unexpired.
     */
    public void refreshIndex() {
        index.rebuild();
    }

    /**
     * Applies the retention policy: prunes the versions it no longer keeps (out of the index, announced in the
     * feeds) and removes the files of those pruned longer than the grace period ago. Run by the publish route's timer
     * with {@link #refreshIndex()}; nothing to do under the default policy (every version kept) but files of versions
     * pruned before under another policy.
     *
     * @return the versions pruned now
     */
    public List<CatalogRetention.Candidate> applyRetention() {
        List<CatalogRetention.Candidate> pruned = retention.prune();
        retention.purge();
        return pruned;
    }

    /** How often {@link #refreshIndex()} runs: an eighth of the root's lifetime, between a minute and an hour. */
    public java.time.Duration indexRefreshPeriod() {
        java.time.Duration eighth = indexExpiry.dividedBy(8);
        java.time.Duration hour = java.time.Duration.ofHours(1);
        java.time.Duration minute = java.time.Duration.ofMinutes(1);
        return eighth.compareTo(hour) > 0 ? hour : eighth.compareTo(minute) < 0 ? minute : eighth;
    }

    /**
     * What staging holds for an import once it is published: its staged files (not those transcode wrote into the
     * catalog: they are the entry's now, or removed by the commit when the entry already held the same content),
     * its note, its normalised OVA.
     */
    private static List<ObjectRef> staged(ImportEvent event, String catalogBucket) {
        List<ObjectRef> staged = new ArrayList<>();
        for (StagedArtifact artifact : event.artifacts()) {
            if (!artifact.carriesContent() && !catalogBucket.equals(artifact.bucket())) {
                staged.add(new ObjectRef(artifact.bucket(), artifact.key(), null, artifact.size(), null));
            }
        }
        // a note in the catalog goes with the replaced files (ReplacedEntry.removeUnused)
        ReplacedEntry.noteOf(event).filter(note -> !catalogBucket.equals(note.bucket())).ifPresent(staged::add);
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
