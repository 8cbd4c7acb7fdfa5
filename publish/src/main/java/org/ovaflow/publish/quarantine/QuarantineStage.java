package org.ovaflow.publish.quarantine;

import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;

import java.time.Instant;
import java.util.Optional;

/**
 * Moves a rejected OVA out of the incoming bucket into {@code <quarantine>/<importId>/<original name>} beside
 * a {@code report.json} naming every failed check. Copy, then report, then delete: a crash at any point
 * leaves the original somewhere, and a retry completes the move.
 */
public final class QuarantineStage {

    public static final String NAME = "quarantine";
    public static final String REPORT_JSON = "report.json";

    private final ObjectStore store;
    private final String quarantineBucket;

    public QuarantineStage(ObjectStore store, String quarantineBucket) {
        this.store = store;
        this.quarantineBucket = quarantineBucket;
    }

    public StageOutcome quarantine(ImportEvent event) {
        String folder = event.importId() + "/";
        String quarantined = folder + event.source().fileName();
        Optional<ObjectInfo> original = store.stat(event.source().bucket(), event.source().key());
        boolean sameContent = original.isPresent() && sameEtag(original.get().etag(), event.source().etag());
        if (sameContent) {
            store.copy(event.source().bucket(), event.source().key(), original.get().size(), quarantineBucket,
                    quarantined);
        }
        // the copy is there when made now or by an earlier run; an original replaced before any run is not
        boolean held = sameContent || store.exists(quarantineBucket, quarantined);
        String heldAs = held ? quarantineBucket + "/" + quarantined : null;
        RejectionReport report = new RejectionReport(ImportEvent.SCHEMA_VERSION, event.importId(),
                event.source().toString(), event.source().etag(), heldAs,
                event.arrivedAt(), Instant.now(), event.failedChecks(), event.checks(), null);
        store.write(quarantineBucket, folder + REPORT_JSON, EventCodec.toPrettyJson(report), "application/json");
        if (sameContent) {
            // only now that the copy and its report are safe; a newer upload under the key is left alone
            store.remove(event.source().bucket(), event.source().key());
        }
        for (StagedArtifact artifact : event.artifacts()) {
            store.remove(artifact.bucket(), artifact.key());
        }
        String reasons = String.join("; ", event.failedChecks().stream().map(CheckResult::where).toList());
        return StageOutcome.finish(event, StatusEvent.State.QUARANTINED, (held ? "quarantined as " + heldAs
                : "rejected, the original was replaced or removed before it could be quarantined") + ": " + reasons);
    }

    private static boolean sameEtag(String a, String b) {
        return a != null && b != null && a.replace("\"", "").equalsIgnoreCase(b.replace("\"", ""));
    }
}
