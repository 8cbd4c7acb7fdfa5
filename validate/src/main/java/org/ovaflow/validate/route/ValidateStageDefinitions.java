package org.ovaflow.validate.route;

import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageDefinition;
import org.ovaflow.validate.checksum.ChecksumStage;
import org.ovaflow.validate.schema.SchemaStage;

import java.util.Set;

/** The validate module's stages, as {@link org.ovaflow.core.stage.StageRoutes} builds their routes. */
public final class ValidateStageDefinitions {

    private ValidateStageDefinitions() {
    }

    /** ova.arrived → checksum → ova.verified or ova.rejected. */
    public static StageDefinition checksum(ChecksumStage checksum) {
        return StageDefinition.of(ChecksumStage.NAME, Topics.ARRIVED,
                Set.of(StatusEvent.State.VERIFIED, StatusEvent.State.REJECTED), ChecksumStage.REJECTING_CHECKS,
                checksum::verify);
    }

    /** ova.verified → schema → ova.validated or ova.rejected. */
    public static StageDefinition schema(SchemaStage schema) {
        return StageDefinition.of(SchemaStage.NAME, Topics.VERIFIED,
                Set.of(StatusEvent.State.VALIDATED, StatusEvent.State.REJECTED), SchemaStage.REJECTING_CHECKS,
                schema::validate);
    }
}
