package org.ovaflow.publish.route;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageRoutes;
import org.ovaflow.publish.catalog.PublishStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publish stage's route ({@link StageRoutes}, from {@link PublishStageDefinitions#publish}) and the timer that
 * writes the catalog's signed root again before it expires, published or not.
 */
public final class PublishRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(PublishRoutes.class);

    private final PublishStage publish;
    private final StageMetrics metrics;

    public PublishRoutes(PublishStage publish, StageMetrics metrics) {
        this.publish = publish;
        this.metrics = metrics;
    }

    /** The stage's route beside this builder's own. */
    @Override
    public void addRoutesToCamelContext(CamelContext context) throws Exception {
        context.addRoutes(new StageRoutes(PublishStageDefinitions.publish(publish), metrics));
        super.addRoutesToCamelContext(context);
    }

    @Override
    public void configure() {
        // a new version of the root once half of its lifetime passed: checked every eighth of it
        long period = publish.indexRefreshPeriod().toMillis();
        from("timer:ovaflow-index-refresh?delay=" + period + "&period=" + period)
                .routeId("publish-index-refresh")
                .process(exchange -> {
                    try {
                        publish.refreshIndex();
                        // the retention policy (ovaflow.publish.retention.*) on the same timer: at most an hour late
                        publish.applyRetention();
                    } catch (RuntimeException e) {
                        // the next tick tries again, long before the root expires
                        LOG.warn("the catalog index could not be refreshed or its retention applied: {}",
                                e.toString());
                    }
                });
    }
}
