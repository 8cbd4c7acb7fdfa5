package org.ovaflow.transform.route;

import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageRouteBuilder;
import org.ovaflow.transform.transcode.TranscodeStage;

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
    protected void configureStage() {
        stageRoute(Topics.VALIDATED, transcoder::transcode);
    }
}
