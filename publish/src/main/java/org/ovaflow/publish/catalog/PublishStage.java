package org.ovaflow.publish.catalog;

import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectStore;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The publish stage: server-side copies of the staged artifacts into {@code <catalog>/<vendor>/<product>/
 * <version>/}, then {@code appliance.json} as the commit point, then staging is cleared. Idempotent: a
 * redelivered event finds its own appliance.json and only finishes the clean-up; identical content under
 * another import is a no-op; different content under the same version is rejected as a conflict.
 */
public final class PublishStage {

    public static final String NAME = "publish";
    public static final String APPLIANCE_JSON = "appliance.json";

    private final ObjectStore store;
    private final String catalogBucket;
    private final CatalogReader catalog;

    public PublishStage(ObjectStore store, String catalogBucket) {
        this.store = store;
        this.catalogBucket = catalogBucket;
        this.catalog = new CatalogReader(store, catalogBucket);
    }

    public StageOutcome publish(ImportEvent event) {
        CatalogPath path = CatalogPath.of(event);
        String commitKey = path.prefix() + APPLIANCE_JSON;
        Optional<ApplianceRecord> existing = catalog.at(path.prefix());
        if (existing.isPresent()) {
            ApplianceRecord record = existing.get();
            if (!record.provenance().importId().equals(event.importId()) && !sameContent(record, event)) {
                return StageOutcome.reject(event.withCatalogPath(path.prefix()).withChecks(List.of(CheckResult.fail(
                        "catalog.version-conflict", event.source().fileName(), path.prefix()
                                + " is already published by import " + record.provenance().importId()
                                + " with different content"))));
            }
            clearStaging(event);
            return published(event.withCatalogPath(path.prefix()), "already published at " + path.prefix());
        }

        List<ApplianceRecord.Artifact> artifacts = event.artifacts().stream().map(a -> {
            String key = path.prefix() + a.name();
            store.copy(a.bucket(), a.key(), a.size(), catalogBucket, key);
            return new ApplianceRecord.Artifact(a.name(), a.role(), key, a.size(), a.sha256(), a.format(),
                    a.target());
        }).toList();
        ApplianceRecord record = new ApplianceRecord(ImportEvent.SCHEMA_VERSION, path.vendor(), path.product(),
                path.version(), event.appliance(), artifacts, new ApplianceRecord.Provenance(event.importId(),
                event.source().toString(), event.source().etag(), event.origin(), event.arrivedAt(), Instant.now(),
                event.checks()), ApplianceRecord.AVAILABLE, null);
        store.write(catalogBucket, commitKey, EventCodec.toPrettyJson(record), "application/json");
        clearStaging(event);
        return published(event.withCatalogPath(path.prefix()), "published at " + path.prefix());
    }

    private StageOutcome published(ImportEvent event, String message) {
        return StageOutcome.forward(Topics.PUBLISHED, event, StatusEvent.State.PUBLISHED, message);
    }

    /** Same files with the same digests: a re-upload of what is already there. */
    private static boolean sameContent(ApplianceRecord record, ImportEvent event) {
        List<String> published = record.artifacts().stream().map(a -> a.name() + "=" + a.sha256()).sorted().toList();
        List<String> staged = event.artifacts().stream().map(a -> a.name() + "=" + a.sha256()).sorted().toList();
        return published.equals(staged);
    }

    private void clearStaging(ImportEvent event) {
        for (StagedArtifact artifact : event.artifacts()) {
            store.remove(artifact.bucket(), artifact.key());
        }
    }
}
