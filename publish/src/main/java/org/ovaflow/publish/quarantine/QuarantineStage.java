package org.ovaflow.publish.quarantine;

import org.ovaflow.core.event.CheckConcern;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.ova.UnpackedPackage;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Moves a rejected OVA out of the incoming bucket into {@code <quarantine>/<importId>/<original name>} beside
 * a {@code report.json} naming every failed check (and every warning), each with its severity and remedy; an unpacked package with every file of it the checksum stage
 * read, and a normalised plain OVA left in staging is removed. Copy, then report, then delete: a crash at any point
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
        // an unpacked package's other files first, each beside the descriptor as it lay beside it in incoming
        String sourceFolder = UnpackedPackage.folderOf(event.source().key());
        List<ObjectRef> moved = new ArrayList<>();
        for (ObjectRef member : event.members()) {
            String name = member.key().startsWith(sourceFolder) ? member.key().substring(sourceFolder.length())
                    : member.fileName();
            if (copyIfSame(member, folder + name)) {
                moved.add(member);
            }
        }
        boolean sameContent = copyIfSame(event.source(), quarantined);
        // the copy is there when made now or by an earlier run; an original replaced before any run is not
        boolean held = sameContent || store.exists(quarantineBucket, quarantined);
        String heldAs = held ? quarantineBucket + "/" + quarantined : null;
        RejectionReport report = new RejectionReport(ImportEvent.SCHEMA_VERSION, event.importId(),
                event.source().toString(), event.source().etag(), heldAs,
                event.arrivedAt(), Instant.now(), CheckConcern.failed(event.checks()),
                CheckConcern.warnings(event.checks()), event.checks(), null);
        store.write(quarantineBucket, folder + REPORT_JSON, EventCodec.toPrettyJson(report), "application/json");
        // only now that the copies and the report are safe; a newer upload under a key is left alone
        if (sameContent) {
            store.remove(event.source().bucket(), event.source().key());
        }
        for (ObjectRef member : moved) {
            store.remove(member.bucket(), member.key());
        }
        for (StagedArtifact artifact : event.artifacts()) {
            if (!artifact.carriesContent()) {
                store.remove(artifact.bucket(), artifact.key());
            }
        }
        if (event.normalised() != null) {
            store.remove(event.normalised().bucket(), event.normalised().key());
        }
        String reasons = String.join("; ", event.failedChecks().stream().map(CheckResult::where).toList());
        return StageOutcome.finish(event, StatusEvent.State.QUARANTINED, (held ? "quarantined as " + heldAs
                : "rejected, the original was replaced or removed before it could be quarantined") + ": " + reasons);
    }

    /** Copies {@code original} into quarantine as {@code key} when it still has the content the import read. */
    private boolean copyIfSame(ObjectRef original, String key) {
        Optional<ObjectInfo> current = store.stat(original.bucket(), original.key());
        if (current.isEmpty() || !sameEtag(current.get().etag(), original.etag())) {
            return false;
        }
        store.copy(original.bucket(), original.key(), current.get().size(), quarantineBucket, key);
        return true;
    }

    private static boolean sameEtag(String a, String b) {
        return a != null && b != null && a.replace("\"", "").equalsIgnoreCase(b.replace("\"", ""));
    }
}
