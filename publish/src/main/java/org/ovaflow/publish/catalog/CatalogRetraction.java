package org.ovaflow.publish.catalog;

import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.publish.signing.CatalogSigner;

import java.time.Clock;
import java.util.Optional;

/**
 * Withdraws a catalog entry: it stays, files and all, but its appliance.json says {@code retracted} (when and
 * why) and the index no longer offers it as the latest of its product. Retracting a retracted entry changes
 * nothing but brings the index up to date. A new import of a retracted version is a conflict unless the publish
 * stage replaces ({@code ovaflow.publish.on-conflict=replace}), which makes the version available again.
 */
public final class CatalogRetraction {

    private final CatalogWrites writes;
    private final String catalogBucket;
    private final CatalogReader catalog;
    private final CatalogIndex index;
    private final Clock clock;

    /** @param signer signs the index it rewrites, or null (see {@link CatalogIndex}) */
    public CatalogRetraction(ObjectStore store, CatalogWrites writes, String catalogBucket, Clock clock,
                             CatalogSigner signer) {
        this(store, writes, catalogBucket, clock, signer, FeedLog.DEFAULT_PAGE_ITEMS);
    }

    /** @param feedItems the most items a page of a feed holds, as the publish stage's ({@code ovaflow.publish.feed-items}) */
    public CatalogRetraction(ObjectStore store, CatalogWrites writes, String catalogBucket, Clock clock,
                             CatalogSigner signer, int feedItems) {
        this.writes = writes;
        this.catalogBucket = catalogBucket;
        this.catalog = new CatalogReader(store, catalogBucket);
        this.index = new CatalogIndex(store, writes, catalogBucket, signer, CatalogIndex.DEFAULT_EXPIRY,
                Clock.systemUTC(), feedItems);
        this.clock = clock;
    }

    public CatalogRetraction(ObjectStore store, String catalogBucket, CatalogSigner signer) {
        this(store, CatalogWrites.to(store), catalogBucket, Clock.systemUTC(), signer);
    }

    public CatalogRetraction(ObjectStore store, String catalogBucket) {
        this(store, catalogBucket, null);
    }

    /**
     * Retracts the entry {@code id} names ({@code vendor/product/version} or the importId that published it).
     *
     * @return the entry as it now is, empty when there is no such entry
     */
    public Optional<ApplianceRecord> retract(String id, String reason) {
        Optional<ApplianceRecord> found = catalog.find(id);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        ApplianceRecord entry = found.get();
        if (entry.available()) {
            entry = entry.retracted(clock.instant(), reason);
            byte[] json = EventCodec.toPrettyJson(entry);
            writes.write(catalogBucket, entry.vendor() + "/" + entry.product() + "/" + entry.version() + "/"
                    + PublishStage.APPLIANCE_JSON, json, "application/json");
            index.mark(entry, json);
        }
        index.rebuild(entry.vendor());
        return Optional.of(entry);
    }
}
