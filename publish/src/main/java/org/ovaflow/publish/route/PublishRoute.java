package org.ovaflow.publish.route;

import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageRouteBuilder;
import org.ovaflow.publish.catalog.PublishStage;

import java.util.Set;

/** ova.transcoded → publish → ova.published (or ova.rejected on a version conflict). */
public final class PublishRoute extends StageRouteBuilder {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PublishRoute.class);

    private final PublishStage publish;

    public PublishRoute(PublishStage publish, StageMetrics metrics) {
        super(metrics);
        this.publish = publish;
    }

    @Override
    protected String stage() {
        return PublishStage.NAME;
    }

    @Override
    protected Set<StatusEvent.State> outcomes() {
        return Set.of(StatusEvent.State.PUBLISHED, StatusEvent.State.REJECTED);
    }

    @Override
    protected Set<String> rejectingChecks() {
        return PublishStage.REJECTING_CHECKS;
    }

    @Override
    protected void configureStage() {
        // in batches: the catalog index is rebuilt once for every entry a batch commits
        batchStageRoute(Topics.TRANSCODED, publish::publish);
        // the signed root expires: written again (a new version) once half of its lifetime passed, published or not
        from("timer:ovaflow-index-refresh?delay=" + publish.indexRefreshPeriod().toMillis() + "&period="
                + publish.indexRefreshPeriod().toMillis())
                .routeId("publish-index-refresh")
                .process(exchange -> {
                    try {
                        publish.refreshIndex();
                        // the retention policy (ovaflow.publish.retention.*) on the same timer: at most an hour late
                        publish.applyRetention();
                    } catch (RuntimeException e) {
                        // the next tick tries again, long before the root expires (an eighth of its lifetime)
                        LOG.warn("the catalog index could not be refreshed or its retention applied: {}",
                                e.toString());
                    }
                });
    }
}
