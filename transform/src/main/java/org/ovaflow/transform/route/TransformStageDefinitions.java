package org.ovaflow.transform.route;

import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageDefinition;
import org.ovaflow.transform.transcode.TranscodeStage;

import java.util.Set;

/** The transform module's stage, as {@link org.ovaflow.core.stage.StageRoutes} builds its route. */
public final class TransformStageDefinitions {

    private TransformStageDefinitions() {
    }

    /** ova.validated → transcode → ova.transcoded (or ova.rejected). */
    public static StageDefinition transcode(TranscodeStage transcoder) {
        return StageDefinition.of(TranscodeStage.NAME, Topics.VALIDATED,
                Set.of(StatusEvent.State.TRANSCODED, StatusEvent.State.REJECTED), TranscodeStage.REJECTING_CHECKS,
                transcoder::transcode);
    }
}
