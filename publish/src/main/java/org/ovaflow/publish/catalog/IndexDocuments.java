package org.ovaflow.publish.catalog;

import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.publish.catalog.CatalogIndex.Document;
import org.ovaflow.publish.catalog.CatalogIndex.Product;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.ovaflow.publish.catalog.CatalogIndex.FORMAT;
import static org.ovaflow.publish.catalog.CatalogIndex.INDEX_JSON;
import static org.ovaflow.publish.catalog.CatalogIndex.unquoted;
import static org.ovaflow.publish.catalog.CatalogIndex.vendorIndex;

/**
 * The index documents in the store, the root's and each vendor's: read (not again while this instance's own
 * write is still there), written with their signatures, a vanished vendor's removed.
 */
final class IndexDocuments {

    private final ObjectStore store;
    private final CatalogWrites writes;
    private final String bucket;
    private final IndexSignatures signatures;
    /**
     * The index documents this instance wrote last, by key, with the etag the store answered: while a HEAD finds
     * that etag there, the document needs no GET and no parse (the root's grows with the catalog, megabytes).
     */
    private final Map<String, Written> written = new ConcurrentHashMap<>();

    IndexDocuments(ObjectStore store, CatalogWrites writes, String bucket, IndexSignatures signatures) {
        this.store = store;
        this.writes = writes;
        this.bucket = bucket;
        this.signatures = signatures;
    }

    /** An index as read: what it says and its bytes, which its signature signs. */
    record Stored(Document document, byte[] bytes) {
    }

    private record Written(String etag, Stored stored) {
    }

    /**
     * Each vendor's index whose products changed (and those {@code behind}), then the root's, so that a root
     * listing an entry implies its vendor's does.
     */
    void write(Document built, Document previous, Set<String> behind, boolean root) {
        Set<String> vendors = new TreeSet<>();
        built.products().values().forEach(p -> vendors.add(p.vendor()));
        for (String vendor : vendors) {
            Map<String, Product> now = IndexContents.ofVendor(built.products(), vendor);
            if (previous == null || behind.contains(vendor)
                    || !IndexContents.ofVendor(previous.products(), vendor).equals(now)) {
                writeDocument(vendorIndex(vendor), new Document(FORMAT, built.updated(), now));
            }
        }
        if (previous != null) {
            for (String gone : previous.products().values().stream().map(Product::vendor)
                    .filter(Predicate.not(vendors::contains)).collect(Collectors.toCollection(TreeSet::new))) {
                writes.remove(bucket, vendorIndex(gone));
                written.remove(vendorIndex(gone));
                signatures.remove(vendorIndex(gone));
            }
        }
        if (root) {
            writeDocument(INDEX_JSON, built);
        }
    }

    /**
     * The index, then its signature from the same bytes (a crash in between is repaired by the next rebuild).
     * Compact, not indented: the root's grows with the catalog and is rewritten once a batch, and serialising the
     * indexes was a third of the publish thread's CPU samples (bench/onboard.sh, 2,000 entries).
     */
    private void writeDocument(String key, Document document) {
        byte[] bytes = EventCodec.toJson(document);
        String etag = writes.write(bucket, key, bytes, "application/json");
        if (etag == null) {
            written.remove(key);
        } else {
            written.put(key, new Written(unquoted(etag), new Stored(document, bytes)));
        }
        if (!signatures.signing()) {
            signatures.remove(key);
        } else {
            signatures.write(key, bytes);
        }
    }

    /** The index document at {@code key} as it is in the store, if there is one this code can read. */
    Optional<Stored> read(String key) {
        Written mine = written.get(key);
        if (mine != null) {
            Optional<ObjectInfo> there = store.stat(bucket, key);
            if (there.isPresent() && unquoted(there.get().etag()).equals(mine.etag())) {
                return Optional.of(mine.stored()); // still what this instance wrote
            }
            written.remove(key, mine);
        }
        try (InputStream json = store.read(bucket, key)) {
            byte[] bytes = json.readAllBytes();
            Document document = EventCodec.JSON.readValue(bytes, Document.class);
            return FORMAT.equals(document.format()) && document.products() != null
                    ? Optional.of(new Stored(document, bytes)) : Optional.empty(); // another format: rebuilt
        } catch (ObjectGoneException e) {
            return Optional.empty();
        } catch (IOException e) {
            // unreadable (not JSON, another shape): the entries are the truth, the index is rebuilt from them
            return Optional.empty();
        }
    }
}
