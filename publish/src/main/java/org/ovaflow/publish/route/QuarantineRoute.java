package org.ovaflow.publish.route;

import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageRouteBuilder;
import org.ovaflow.publish.quarantine.QuarantineStage;

import java.util.Set;

/** ova.rejected → quarantine: the original and its report.json in the quarantine bucket. */
public final class QuarantineRoute extends StageRouteBuilder {

    private final QuarantineStage quarantine;

    public QuarantineRoute(QuarantineStage quarantine, StageMetrics metrics) {
        super(metrics);
        this.quarantine = quarantine;
    }

    @Override
    protected String stage() {
        return QuarantineStage.NAME;
    }

    @Override
    protected Set<StatusEvent.State> outcomes() {
        return Set.of(StatusEvent.State.QUARANTINED);
    }

    @Override
    protected void configureStage() {
        stageRoute(Topics.REJECTED, quarantine::quarantine);
    }
}
