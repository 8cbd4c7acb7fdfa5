package org.ovaflow.publish.catalog;

import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectInfo;
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

    public List<ApplianceRecord> list() {
        return store.list(catalogBucket, "").stream()
                .filter(o -> o.key().endsWith("/" + PublishStage.APPLIANCE_JSON))
                .map(this::read)
                .toList();
    }

    /** The entry at {@code vendor/product/version}, or the one published by import {@code id}. */
    public Optional<ApplianceRecord> find(String id) {
        String path = id.endsWith("/") ? id : id + "/";
        if (id.contains("/") && store.exists(catalogBucket, path + PublishStage.APPLIANCE_JSON)) {
            return Optional.of(read(store.stat(catalogBucket, path + PublishStage.APPLIANCE_JSON).orElseThrow()));
        }
        return list().stream().filter(r -> r.provenance().importId().equals(id)).findFirst();
    }

    private ApplianceRecord read(ObjectInfo object) {
        try (InputStream json = store.read(object.bucket(), object.key())) {
            return EventCodec.JSON.readValue(json, ApplianceRecord.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read s3://" + object.bucket() + "/" + object.key(), e);
        }
    }
}
