package org.ovaflow.transform.route;

import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageRouteBuilder;
import org.ovaflow.transform.passthrough.PassThroughTranscoder;

/** ova.validated → transcode → ova.transcoded. */
public final class TranscodeRoute extends StageRouteBuilder {

    private final PassThroughTranscoder transcoder;

    public TranscodeRoute(PassThroughTranscoder transcoder) {
        this.transcoder = transcoder;
    }

    @Override
    protected String stage() {
        return PassThroughTranscoder.NAME;
    }

    @Override
    protected void configureStage() {
        stageRoute(Topics.VALIDATED, transcoder::transcode);
    }
}
