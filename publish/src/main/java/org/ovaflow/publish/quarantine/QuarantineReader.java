package org.ovaflow.publish.quarantine;

import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/** Reads the rejection reports of the quarantine bucket. */
public final class QuarantineReader {

    private final ObjectStore store;
    private final String quarantineBucket;

    public QuarantineReader(ObjectStore store, String quarantineBucket) {
        this.store = store;
        this.quarantineBucket = quarantineBucket;
    }

    public List<RejectionReport> list() {
        return store.list(quarantineBucket, "").stream()
                .filter(o -> o.key().endsWith("/" + QuarantineStage.REPORT_JSON))
                .map(o -> read(o.key()))
                .toList();
    }

    public Optional<RejectionReport> find(String importId) {
        String key = importId + "/" + QuarantineStage.REPORT_JSON;
        return store.exists(quarantineBucket, key) ? Optional.of(read(key)) : Optional.empty();
    }

    private RejectionReport read(String key) {
        try (InputStream json = store.read(quarantineBucket, key)) {
            return EventCodec.JSON.readValue(json, RejectionReport.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read s3://" + quarantineBucket + "/" + key, e);
        }
    }
}
