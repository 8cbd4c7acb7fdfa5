package org.ovaflow.publish.catalog;

import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.publish.catalog.CatalogIndex.Document;
import org.ovaflow.publish.catalog.CatalogIndex.Item;
import org.ovaflow.publish.catalog.CatalogIndex.Product;
import org.ovaflow.publish.catalog.CatalogIndex.Version;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * What the index says of the entries: their products built from the markers, reusing what the previous index and
 * this process's own marks already say of an entry.
 */
final class IndexContents {

    private final ObjectStore store;
    private final String bucket;
    /** What the index will say of the entries this process marked, by folder, until a rebuild lists them. */
    private final Map<String, Version> marked = new ConcurrentHashMap<>();

    IndexContents(ObjectStore store, String bucket) {
        this.store = store;
        this.bucket = bucket;
    }

    /** Keeps what the index says of the entry in {@code folder} this process just marked. */
    void marked(String folder, Version version) {
        marked.put(folder, version);
    }

    /** The products of {@code entries}, reusing what {@code previous} says of an entry whose etag did not change. */
    Map<String, Product> build(SortedMap<String, String> entries, Document previous) {
        Map<String, Version> known = new HashMap<>();
        if (previous != null) {
            previous.products().values().forEach(p -> p.versions().values().forEach(v -> known.put(v.path(), v)));
        }
        Map<String, SortedMap<String, Version>> versionsByProduct = new TreeMap<>();
        for (Map.Entry<String, String> entry : entries.entrySet()) {
            String path = entry.getKey();
            // listed: taken out whether needed or not (another process may have indexed it already)
            Version mine = marked.remove(path);
            Version version = known.get(path);
            if (version == null || !entry.getValue().equals(version.etag())) {
                Optional<Version> read = mine != null && entry.getValue().equals(mine.etag()) ? Optional.of(mine)
                        : readVersion(path, entry.getValue());
                if (read.isEmpty()) {
                    continue; // removed since the listing: the second listing will tell
                }
                version = read.get();
            }
            String[] parts = path.split("/");
            versionsByProduct.computeIfAbsent(parts[0] + "/" + parts[1], p -> new TreeMap<>(VersionOrder.INSTANCE))
                    .put(parts[2], version);
        }
        Map<String, Product> products = new LinkedHashMap<>();
        versionsByProduct.forEach((key, versions) -> {
            String[] parts = key.split("/");
            String latest = versions.entrySet().stream()
                    .filter(v -> ApplianceRecord.AVAILABLE.equals(v.getValue().state()))
                    .map(Map.Entry::getKey).max(VersionOrder.INSTANCE).orElse(null);
            products.put(key, new Product(parts[0], parts[1], latest, new LinkedHashMap<>(versions)));
        });
        return products;
    }

    private Optional<Version> readVersion(String path, String etag) {
        String key = EntryMarkers.markerOf(path);
        ApplianceRecord record;
        try (InputStream json = store.read(bucket, key)) {
            record = EventCodec.JSON.readValue(json, ApplianceRecord.class);
        } catch (ObjectGoneException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read s3://" + bucket + "/" + key, e);
        }
        return Optional.of(version(record, path, etag));
    }

    /** What the index says of the entry {@code record} in {@code path}, its marker's etag {@code etag}. */
    static Version version(ApplianceRecord record, String path, String etag) {
        Map<String, Item> items = new LinkedHashMap<>();
        for (ApplianceRecord.Artifact artifact : record.artifacts()) {
            items.put(artifact.name(), new Item(artifact.size(), artifact.sha256(), artifact.format(),
                    artifact.target(), artifact.role(), artifact.key()));
        }
        return new Version(record.state(), record.provenance().publishedAt(), record.provenance().importId(), path,
                etag, record.retraction(), items);
    }

    /**
     * When the catalog last changed as the index says it: the latest publication or retraction of a version it
     * lists (absent for an empty catalog). Derived, not the clock's: the same entries give the same bytes.
     */
    static Instant updated(Map<String, Product> products) {
        return products.values().stream().flatMap(p -> p.versions().values().stream())
                .flatMap(v -> Stream.of(v.published(), v.retraction() == null ? null : v.retraction().at()))
                .filter(Objects::nonNull).max(Comparator.naturalOrder()).orElse(null);
    }

    /** The products of {@code vendor} among {@code all}, in their order. */
    static Map<String, Product> ofVendor(Map<String, Product> all, String vendor) {
        Map<String, Product> products = new LinkedHashMap<>();
        all.forEach((key, product) -> {
            if (product.vendor().equals(vendor)) {
                products.put(key, product);
            }
        });
        return products;
    }
}
