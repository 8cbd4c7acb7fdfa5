package org.ovaflow.publish.quarantine;

import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads the rejection reports of the quarantine bucket, each with its release ({@code released.json} beside it)
 * when the import was handed back to the pipeline.
 */
public final class QuarantineReader {

    private final ObjectStore store;
    private final String quarantineBucket;

    public QuarantineReader(ObjectStore store, String quarantineBucket) {
        this.store = store;
        this.quarantineBucket = quarantineBucket;
    }

    public List<RejectionReport> list() {
        List<ObjectInfo> objects = store.list(quarantineBucket, "");
        // one listing tells which entries were released: no HEAD per report
        Set<String> released = objects.stream().map(ObjectInfo::key)
                .filter(k -> k.endsWith("/" + QuarantineRelease.RELEASED_JSON))
                .map(QuarantineReader::folder)
                .collect(Collectors.toSet());
        return objects.stream()
                .filter(o -> o.key().endsWith("/" + QuarantineStage.REPORT_JSON))
                .map(o -> {
                    RejectionReport report = read(o.key(), RejectionReport.class);
                    String folder = folder(o.key());
                    return released.contains(folder) ? withRelease(report, folder) : report;
                })
                .toList();
    }

    public Optional<RejectionReport> find(String importId) {
        String key = importId + "/" + QuarantineStage.REPORT_JSON;
        if (!store.exists(quarantineBucket, key)) {
            return Optional.empty();
        }
        return Optional.of(withRelease(read(key, RejectionReport.class), importId + "/"));
    }

    private RejectionReport withRelease(RejectionReport report, String folder) {
        try {
            return report.withReleased(read(folder + QuarantineRelease.RELEASED_JSON, Release.class));
        } catch (ObjectGoneException e) {
            return report; // not released
        }
    }

    private static String folder(String key) {
        return key.substring(0, key.lastIndexOf('/') + 1);
    }

    private <T> T read(String key, Class<T> type) {
        try (InputStream json = store.read(quarantineBucket, key)) {
            return EventCodec.JSON.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read s3://" + quarantineBucket + "/" + key, e);
        }
    }
}
