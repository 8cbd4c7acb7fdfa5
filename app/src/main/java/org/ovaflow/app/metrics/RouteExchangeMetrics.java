package org.ovaflow.app.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeCompletedEvent;
import org.apache.camel.spi.CamelEvent.ExchangeFailedEvent;
import org.apache.camel.support.EventNotifierSupport;

import java.time.Duration;

/**
 * Camel's route metrics, from its own events (camel-micrometer has no release for this Camel):
 * {@code camel_route_exchanges_total{route,outcome="completed|failed"}} and
 * {@code camel_route_exchange_duration_seconds{route}}. An exchange whose failure the error handler handled
 * (dead-lettered) counts as completed.
 */
public final class RouteExchangeMetrics extends EventNotifierSupport {

    private final MeterRegistry registry;

    public RouteExchangeMetrics(MeterRegistry registry) {
        this.registry = registry;
        setIgnoreCamelContextEvents(true);
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeSentEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof ExchangeCompletedEvent || event instanceof ExchangeFailedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        Exchange exchange = ((CamelEvent.ExchangeEvent) event).getExchange();
        String route = exchange.getFromRouteId();
        if (route == null) {
            return; // not from a route: a producer template of a test or a tool
        }
        String outcome = event instanceof ExchangeFailedEvent ? "failed" : "completed";
        Counter.builder("camel.route.exchanges").description("Exchanges a Camel route finished, by outcome")
                .tag("route", route).tag("outcome", outcome)
                .register(registry).increment();
        Timer.builder("camel.route.exchange.duration").description("Time from a route's consumer to the exchange's end")
                .tag("route", route)
                .register(registry).record(Duration.ofMillis(exchange.getClock().elapsed()));
    }
}
