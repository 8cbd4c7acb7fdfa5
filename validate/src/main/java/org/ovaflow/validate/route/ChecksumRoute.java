package org.ovaflow.validate.route;

import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageRouteBuilder;
import org.ovaflow.validate.checksum.ChecksumStage;

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
    protected void configureStage() {
        stageRoute(Topics.ARRIVED, checksum::verify);
    }
}
