package org.ovaflow.ingest.route;

import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.OutcomeRecords;
import org.ovaflow.core.stage.StageErrorHandling;
import org.ovaflow.core.stage.StageKafka;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageRoutes;
import org.ovaflow.ingest.IngestModule;
import org.ovaflow.ingest.UploaderOverrides;
import org.ovaflow.ingest.notification.S3EventNotification;
import org.ovaflow.ingest.scan.BucketScan;
import org.ovaflow.ingest.unpacked.UnpackedArrivals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Ingest: bucket scan (timer) and S3 event notifications (ova.notifications) → ova.arrived. Both sources
 * name an object by bucket, key and etag, so both give the same importId for it; the idempotent repository
 * (kept in Kafka, so it survives restarts) lets only the first through. An unpacked package's descriptor goes
 * only once its files are there ({@link UnpackedArrivals}). The notifications route reads, writes and commits
 * like every stage route ({@link StageRoutes}, {@link StageErrorHandling}).
 */
public final class IngestRoutes extends RouteBuilder {

    public static final String NAME = "ingest";
    /** The exchange's arrivals whose notification stated their user metadata (no HEAD for their overrides). */
    private static final String DESCRIBED = "ovaflowDescribed";

    private final BucketScan scan;
    private final S3EventNotification notifications;
    private final IdempotentRepository seen;
    private final UploaderOverrides overrides;
    private final UnpackedArrivals unpacked;
    private final StageMetrics metrics;
    /** importIds being written right now: the scan and the notifications race for the same new object. */
    private final Set<String> claimed = ConcurrentHashMap.newKeySet();

    public IngestRoutes(BucketScan scan, S3EventNotification notifications, IdempotentRepository seen,
                        UploaderOverrides overrides, UnpackedArrivals unpacked, StageMetrics metrics) {
        this.scan = scan;
        this.notifications = notifications;
        this.seen = seen;
        this.overrides = overrides;
        this.unpacked = unpacked;
        this.metrics = metrics;
    }

    @Override
    public void configure() throws Exception {
        metrics.declare(NAME, Set.of(StatusEvent.State.ARRIVED), Set.of());
        // the context starts and stops the repository with the routes (it loads its topic when it starts)
        getContext().addService(seen, true, true);

        from("timer:ingest-scan?delay=" + IngestModule.SCAN_DELAY_MS.placeholder()
                + "&period=" + IngestModule.SCAN_INTERVAL_MS.placeholder())
                .routeId("ingest-scan")
                // a failed scan (store down) is not a record to dead-letter: the next scan tries again
                .onException(Exception.class).handled(true)
                    .log(LoggingLevel.WARN, "bucket scan failed, retrying at the next scan: ${exception.message}")
                .end()
                .process(exchange -> exchange.getIn().setBody(scan.scan()))
                .process(this::keepUnseen)
                .filter(IngestRoutes::hasRecords)
                    .to(StageKafka.PRODUCER)
                    .process(this::markSeen)
                .end();

        from(StageKafka.consumer(NAME, Topics.NOTIFICATIONS))
                .routeId(NAME)
                .routeConfigurationId(StageErrorHandling.ID)
                .process(StageRoutes.takeUp(NAME, metrics)).id(NAME + "-take-up")
                .process(this::notified)
                .process(this::keepUnseen)
                .filter(IngestRoutes::hasRecords)
                    .to(StageKafka.PRODUCER)
                    .process(this::markSeen)
                .end()
                .process(StageRoutes::commitOffset);
    }

    /** The notified imports, and the unpacked packages beside other files just created (maybe their last file). */
    private void notified(Exchange exchange) {
        byte[] json = exchange.getIn().getBody(byte[].class);
        List<S3EventNotification.Notified> notified = notifications.notified(json);
        List<ImportEvent> arrivals = new ArrayList<>(notified.stream().map(S3EventNotification.Notified::arrival)
                .toList());
        exchange.setProperty(DESCRIBED, notified.stream().filter(S3EventNotification.Notified::described)
                .map(n -> n.arrival().importId()).collect(Collectors.toSet()));
        arrivals.addAll(unpacked.descriptorsBeside(notifications.otherObjects(json)));
        exchange.getIn().setBody(arrivals);
    }

    /**
     * Keeps the arrivals not emitted before and turns them into their records (ova.arrived and status).
     * They are marked seen only after the records are written, so a failed write is retried, never lost;
     * meanwhile they are claimed, so that the other route of this process does not emit them too.
     */
    private void keepUnseen(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<ImportEvent> arrivals = exchange.getIn().getBody(List.class);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<String> fresh = exchange.getProperty("ovaflowFresh", List.class);
        // arrivals whose notification stated the object's user metadata: their overrides are read already
        @SuppressWarnings("unchecked")
        Set<String> described = exchange.getProperty(DESCRIBED, Set.class);
        if (fresh == null) {
            List<String> claims = new ArrayList<>();
            fresh = claims;
            exchange.setProperty("ovaflowFresh", claims);
            // released when the exchange ends, written and marked seen, or failed (even half-way through this
            // loop, the store failing) and to be tried again
            exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onDone(Exchange done) {
                    claims.forEach(claimed::remove);
                }
            });
        } else {
            // a redelivery of this exchange after this step failed: its own claims are no one else's
            fresh.forEach(claimed::remove);
            fresh.clear();
        }
        for (ImportEvent arrival : arrivals) {
            if (seen.contains(arrival.importId()) || !claimed.add(arrival.importId())) {
                continue;
            }
            fresh.add(arrival.importId());
            if (!unpacked.ready(arrival)) {
                // an unpacked package still missing files: asked again at the next scan or notification
                fresh.remove(arrival.importId());
                claimed.remove(arrival.importId());
                continue;
            }
            if (described == null || !described.contains(arrival.importId())) {
                arrival = overrides.apply(arrival);
            }
            records.add(EventCodec.toRecord(Topics.ARRIVED, NAME, arrival));
            records.add(EventCodec.toRecord(Topics.STATUS, NAME,
                    OutcomeRecords.status(NAME, arrival, StatusEvent.State.ARRIVED, "from " + arrival.origin())));
            metrics.outcome(NAME, StatusEvent.State.ARRIVED);
        }
        exchange.getIn().setBody(StageKafka.messages(exchange, records));
    }

    private static boolean hasRecords(Exchange exchange) {
        return !exchange.getIn().getBody(List.class).isEmpty();
    }

    private void markSeen(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<String> fresh = exchange.getProperty("ovaflowFresh", List.class);
        fresh.forEach(seen::add);
    }
}
