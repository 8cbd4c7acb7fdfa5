package org.ovaflow.app.http;

import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.publish.catalog.CatalogReader;
import org.ovaflow.publish.quarantine.QuarantineReader;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The documents of the store that the HTTP API serves: a catalog entry's appliance.json and a quarantined
 * import's report.json. Paths from the URL are checked before they become keys.
 */
final class StoredDocuments {

    /** A catalog path segment as publish makes it (a slug); never "." or "..". */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._+-]{0,127}");
    private static final Pattern IMPORT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final CatalogReader catalog;
    private final QuarantineReader quarantine;

    StoredDocuments(ObjectStore store, String catalogBucket, String quarantineBucket) {
        this.catalog = new CatalogReader(store, catalogBucket);
        this.quarantine = new QuarantineReader(store, quarantineBucket);
    }

    /** The appliance.json of {@code vendor/product/version}, empty when there is no such entry. */
    Optional<byte[]> appliance(String path) {
        List<String> segments = List.of(path.split("/", -1));
        if (segments.size() != 3 || !segments.stream().allMatch(s -> SEGMENT.matcher(s).matches())) {
            return Optional.empty();
        }
        // at, not find: on a miss find would list the whole catalog looking for an importId
        return catalog.at(String.join("/", segments) + "/").map(EventCodec::toJson);
    }

    /** The report.json of a quarantined import, empty when there is none. */
    Optional<byte[]> rejectionReport(String importId) {
        if (!IMPORT_ID.matcher(importId).matches()) {
            return Optional.empty();
        }
        return quarantine.find(importId).map(EventCodec::toJson);
    }
}
