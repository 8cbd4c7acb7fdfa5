package org.ovaflow.publish.catalog;

import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.publish.catalog.CatalogIndex.Item;
import org.ovaflow.publish.catalog.CatalogIndex.ProductIndex;
import org.ovaflow.publish.catalog.CatalogIndex.Version;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Collection;
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
 * What the index says of the entries: a product's document built from its markers, reusing what its previous
 * document and this process's own marks already say of an entry.
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

    /**
     * The document of {@code vendor}/{@code product} as its markers say ({@code folders}: each marked entry's
     * folder and its marker's etag), reusing what {@code previous} and this process's marks say of an entry whose
     * etag did not change; empty when none of its markers is left.
     */
    Optional<ProductIndex> product(String vendor, String product, SortedMap<String, String> folders,
                                   ProductIndex previous) {
        Map<String, Version> known = new HashMap<>();
        if (previous != null) {
            previous.versions().values().forEach(v -> known.put(v.path(), v));
        }
        SortedMap<String, Version> versions = new TreeMap<>(VersionOrder.INSTANCE);
        for (Map.Entry<String, String> entry : folders.entrySet()) {
            String path = entry.getKey();
            // listed: taken out whether needed or not (another process may have indexed it already)
            Version mine = marked.remove(path);
            Version version = known.get(path);
            if (version == null || !entry.getValue().equals(version.etag())) {
                Optional<Version> read = mine != null && entry.getValue().equals(mine.etag()) ? Optional.of(mine)
                        : readVersion(path, entry.getValue());
                if (read.isEmpty()) {
                    continue; // removed since the listing: the next rebuild will tell
                }
                version = read.get();
            }
            if (ApplianceRecord.PRUNED.equals(version.state())) {
                continue; // pruned: out of the index, its marker kept until its files are removed
            }
            versions.put(path.split("/")[2], version);
        }
        if (versions.isEmpty()) {
            return Optional.empty();
        }
        String latest = versions.entrySet().stream()
                .filter(v -> ApplianceRecord.AVAILABLE.equals(v.getValue().state()))
                .map(Map.Entry::getKey).max(VersionOrder.INSTANCE).orElse(null);
        return Optional.of(new ProductIndex(CatalogIndex.PRODUCT_FORMAT, vendor, product,
                updated(versions.values()), latest, new LinkedHashMap<>(versions)));
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
     * When a product last changed as its document says: the latest publication or retraction of a version it
     * lists. Derived, not the clock's: the same entries give the same bytes.
     */
    static Instant updated(Collection<Version> versions) {
        return versions.stream()
                .flatMap(v -> Stream.of(v.published(), v.retraction() == null ? null : v.retraction().at()))
                .filter(Objects::nonNull).max(Comparator.naturalOrder()).orElse(null);
    }
}
