package org.ovaflow.validate.route;

import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageRouteBuilder;
import org.ovaflow.validate.checksum.ChecksumStage;

import java.util.Set;

/** ova.arrived → checksum → ova.verified or ova.rejected. */
public final class ChecksumRoute extends StageRouteBuilder {

    private final ChecksumStage checksum;

    public ChecksumRoute(ChecksumStage checksum, StageMetrics metrics) {
        super(metrics);
        this.checksum = checksum;
    }

    @Override
    protected String stage() {
        return ChecksumStage.NAME;
    }

    @Override
    protected Set<StatusEvent.State> outcomes() {
        return Set.of(StatusEvent.State.VERIFIED, StatusEvent.State.REJECTED);
    }

    @Override
    protected Set<String> rejectingChecks() {
        return ChecksumStage.REJECTING_CHECKS;
    }

    @Override
    protected void configureStage() {
        stageRoute(Topics.ARRIVED, checksum::verify);
    }
}
