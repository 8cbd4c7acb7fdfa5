package org.ovaflow.transform.route;

import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageRouteBuilder;
import org.ovaflow.transform.transcode.TranscodeStage;

import java.util.Set;

/** ova.validated → transcode → ova.transcoded. */
public final class TranscodeRoute extends StageRouteBuilder {

    private final TranscodeStage transcoder;

    public TranscodeRoute(TranscodeStage transcoder, StageMetrics metrics) {
        super(metrics);
        this.transcoder = transcoder;
    }

    @Override
    protected String stage() {
        return TranscodeStage.NAME;
    }

    @Override
    protected Set<StatusEvent.State> outcomes() {
        return Set.of(StatusEvent.State.TRANSCODED, StatusEvent.State.REJECTED);
    }

    @Override
    protected Set<String> rejectingChecks() {
        return TranscodeStage.REJECTING_CHECKS;
    }

    @Override
    protected void configureStage() {
        stageRoute(Topics.VALIDATED, transcoder::transcode);
    }
}
