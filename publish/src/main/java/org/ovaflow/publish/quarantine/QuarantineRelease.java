package org.ovaflow.publish.quarantine;

import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportId;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.ova.PackageForm;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;

import java.time.Clock;
import java.util.Optional;

/**
 * Hands a quarantined OVA back to the pipeline once an operator removed what made it fail (a policy, a
 * trusted certificate, a conflicting catalog entry): a server-side copy of the original into the incoming
 * bucket, which ingest takes up as a new import. The quarantine entry stays, marked by a {@code released.json}
 * beside its report, and a second release is refused.
 *
 * <p>The copy goes to {@code released/<importId>/<original name>}, not back under its original key. An import
 * is named by bucket, key and etag, and ingest lets each importId through once (ova.ingest.seen, kept
 * forever): the same bytes under the same key would be the same, already seen import and never be read again.
 * A copy keeps the etag, so only another key makes a new import; this one is unique per release, keeps the file
 * name (the catalog's fallback product name) and tells where the import came from. User metadata is neither
 * part of the importId nor needed: the server-side copy carries the original's (an onboarding catalog's vendor,
 * product and version overrides) along.
 */
public final class QuarantineRelease {

    public static final String RELEASED_JSON = "released.json";
    public static final String RELEASED_PREFIX = "released/";

    private final ObjectStore store;
    private final String quarantineBucket;
    private final String incomingBucket;
    private final QuarantineReader reader;
    private final Clock clock;

    public QuarantineRelease(ObjectStore store, String quarantineBucket, String incomingBucket, Clock clock) {
        this.store = store;
        this.quarantineBucket = quarantineBucket;
        this.incomingBucket = incomingBucket;
        this.reader = new QuarantineReader(store, quarantineBucket);
        this.clock = clock;
    }

    /**
     * Releases the quarantined import {@code importId}. Copy first, mark second: a crash in between leaves an
     * unmarked entry whose next release copies the same bytes to the same key, which ingest sees as the same
     * new import, so nothing is imported twice.
     */
    public Release release(String importId) {
        RejectionReport report = reader.find(importId).orElseThrow(() -> new QuarantineReleaseException(
                "no quarantined import " + importId));
        if (report.released() != null) {
            Release earlier = report.released();
            throw new QuarantineReleaseException("import " + importId + " was released already at " + earlier.at()
                    + " as s3://" + earlier.bucket() + "/" + earlier.asKey() + " (import " + earlier.importId()
                    + "); a rejected re-import is quarantined under its own id: release that one");
        }
        String heldKey = heldKey(report).orElseThrow(() -> new QuarantineReleaseException("import " + importId
                + " has no original in quarantine (it was replaced or removed before it could be quarantined):"
                + " upload it again instead"));
        ObjectInfo original = store.stat(quarantineBucket, heldKey).orElseThrow(() -> new QuarantineReleaseException(
                "the original of import " + importId + " is gone from s3://" + quarantineBucket + "/" + heldKey));
        String fileName = heldKey.substring(heldKey.lastIndexOf('/') + 1);
        String releasedKey = RELEASED_PREFIX + importId + "/" + fileName;
        if (PackageForm.of(fileName) == PackageForm.UNPACKED) {
            // an unpacked package's files before its descriptor, so that ingest finds it complete (or waits)
            for (ObjectInfo file : store.list(quarantineBucket, importId + "/")) {
                String name = file.key().substring(importId.length() + 1);
                if (!file.key().equals(heldKey) && !name.equals(QuarantineStage.REPORT_JSON)
                        && !name.equals(RELEASED_JSON)) {
                    store.copy(quarantineBucket, file.key(), file.size(), incomingBucket,
                            RELEASED_PREFIX + importId + "/" + name);
                }
            }
        }
        store.copy(quarantineBucket, heldKey, original.size(), incomingBucket, releasedKey);
        ObjectInfo copy = store.stat(incomingBucket, releasedKey).orElseThrow(() -> new QuarantineReleaseException(
                "s3://" + incomingBucket + "/" + releasedKey + " vanished right after the copy"));
        // the importId ingest will derive from the copy as the store lists it
        String newImportId = ImportId.of(new ObjectRef(incomingBucket, releasedKey, copy.etag(), copy.size(),
                copy.versionId()));
        Release release = new Release(clock.instant(), incomingBucket, releasedKey, newImportId);
        store.write(quarantineBucket, importId + "/" + RELEASED_JSON, EventCodec.toPrettyJson(release),
                "application/json");
        return release;
    }

    /** The key of the quarantined original: report.json's {@code quarantinedAs} is {@code <bucket>/<key>}. */
    private Optional<String> heldKey(RejectionReport report) {
        String heldAs = report.quarantinedAs();
        String bucketPrefix = quarantineBucket + "/";
        if (heldAs == null || !heldAs.startsWith(bucketPrefix)) {
            return Optional.empty();
        }
        return Optional.of(heldAs.substring(bucketPrefix.length()));
    }
}
