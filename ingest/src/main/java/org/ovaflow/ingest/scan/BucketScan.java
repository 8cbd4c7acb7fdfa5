package org.ovaflow.ingest.scan;

import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.ingest.Arrivals;

import java.time.Clock;
import java.util.List;

/**
 * Lists the incoming bucket for stores that send no notifications (the embedded one, many S3 stores). S3
 * lists an object only once its upload is complete, so a multipart upload in progress is never seen half.
 * Every listed object becomes an arrival; the ingest route drops those it has already emitted.
 */
public final class BucketScan {

    private final ObjectStore store;
    private final Arrivals arrivals;
    private final Clock clock;

    public BucketScan(ObjectStore store, Arrivals arrivals, Clock clock) {
        this.store = store;
        this.arrivals = arrivals;
        this.clock = clock;
    }

    public List<ImportEvent> scan() {
        return store.list(arrivals.bucket(), "").stream()
                .filter(o -> arrivals.isImport(o.bucket(), o.key()))
                .map(o -> ImportEvent.arrived(o.ref(),
                        "scan", clock.instant()))
                .toList();
    }
}
