package org.ovaflow.validate.route;

import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageRouteBuilder;
import org.ovaflow.validate.schema.SchemaStage;

import java.util.Set;

/** ova.verified → schema → ova.validated or ova.rejected. */
public final class SchemaRoute extends StageRouteBuilder {

    private final SchemaStage schema;

    public SchemaRoute(SchemaStage schema, StageMetrics metrics) {
        super(metrics);
        this.schema = schema;
    }

    @Override
    protected String stage() {
        return SchemaStage.NAME;
    }

    @Override
    protected Set<StatusEvent.State> outcomes() {
        return Set.of(StatusEvent.State.VALIDATED, StatusEvent.State.REJECTED);
    }

    @Override
    protected Set<String> rejectingChecks() {
        return SchemaStage.REJECTING_CHECKS;
    }

    @Override
    protected void configureStage() {
        stageRoute(Topics.VERIFIED, schema::validate);
    }
}
