package org.ovaflow.publish.route;

import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageDefinition;
import org.ovaflow.publish.catalog.PublishStage;
import org.ovaflow.publish.quarantine.QuarantineStage;

import java.util.Set;

/** The publish module's stages, as {@link org.ovaflow.core.stage.StageRoutes} builds their routes. */
public final class PublishStageDefinitions {

    private PublishStageDefinitions() {
    }

    /**
     * ova.transcoded → publish → ova.published (or ova.rejected on a version conflict). In batches: the catalog
     * index is rebuilt once for every entry a batch commits.
     */
    public static StageDefinition publish(PublishStage publish) {
        return StageDefinition.batched(PublishStage.NAME, Topics.TRANSCODED,
                Set.of(StatusEvent.State.PUBLISHED, StatusEvent.State.REJECTED), PublishStage.REJECTING_CHECKS,
                publish::publish);
    }

    /** ova.rejected → quarantine: the original and its report.json in the quarantine bucket. */
    public static StageDefinition quarantine(QuarantineStage quarantine) {
        return StageDefinition.of(QuarantineStage.NAME, Topics.REJECTED, Set.of(StatusEvent.State.QUARANTINED),
                Set.of(), quarantine::quarantine);
    }
}
