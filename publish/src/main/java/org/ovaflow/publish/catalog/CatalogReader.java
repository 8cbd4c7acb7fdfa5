package org.ovaflow.publish.catalog;

import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/** Reads the catalog as its users see it: only entries whose appliance.json (the commit point) exists. */
public final class CatalogReader {

    private final ObjectStore store;
    private final String catalogBucket;

    public CatalogReader(ObjectStore store, String catalogBucket) {
        this.store = store;
        this.catalogBucket = catalogBucket;
    }

    /** Every entry, retracted ones too (see {@link ApplianceRecord#available()}), in key order. */
    public List<ApplianceRecord> list() {
        return store.list(catalogBucket, "").stream()
                .filter(o -> isEntry(o.key()))
                .map(o -> read(o.key()))
                .toList();
    }

    /** Whether {@code key} is the appliance.json of an entry: {@code <vendor>/<product>/<version>/appliance.json}. */
    static boolean isEntry(String key) {
        String[] parts = key.split("/", -1);
        return parts.length == 4 && parts[3].equals(PublishStage.APPLIANCE_JSON);
    }

    /** The entry at {@code vendor/product/version}, or the one published by import {@code id}. */
    public Optional<ApplianceRecord> find(String id) {
        if (id.contains("/")) {
            Optional<ApplianceRecord> entry = at(id.endsWith("/") ? id : id + "/");
            if (entry.isPresent()) {
                return entry;
            }
        }
        return list().stream().filter(r -> r.provenance().importId().equals(id)).findFirst();
    }

    /**
     * The entry whose folder is {@code prefix} ({@code vendor/product/version/}): a HEAD, then a GET when there is
     * one. Most lookups find none (publishing a new version), and the answer to a GET of a missing key is an XML
     * error document that MinIO's client parses at the cost of a simple-xml {@code Persister} built for it; a HEAD's
     * answer has no body.
     */
    public Optional<ApplianceRecord> at(String prefix) {
        String key = prefix + PublishStage.APPLIANCE_JSON;
        try {
            // one GET, no HEAD first: publish asks this of every import, and most find nothing
            return Optional.of(read(key));
        } catch (ObjectGoneException e) {
            return Optional.empty(); // nothing published there (yet)
        }
    }

    private ApplianceRecord read(String key) {
        try (InputStream json = store.read(catalogBucket, key)) {
            return EventCodec.JSON.readValue(json, ApplianceRecord.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read s3://" + catalogBucket + "/" + key, e);
        }
    }
}
