package org.ovaflow.publish.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.publish.catalog.CatalogIndex.ProductIndex;
import org.ovaflow.publish.catalog.CatalogIndex.Ref;
import org.ovaflow.publish.catalog.CatalogIndex.Root;
import org.ovaflow.publish.catalog.CatalogIndex.VendorIndex;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;

import static org.ovaflow.publish.catalog.CatalogIndex.FORMAT;
import static org.ovaflow.publish.catalog.CatalogIndex.INDEX_FOLDER;
import static org.ovaflow.publish.catalog.CatalogIndex.INDEX_JSON;
import static org.ovaflow.publish.catalog.CatalogIndex.LEGACY_FORMAT;
import static org.ovaflow.publish.catalog.CatalogIndex.PRODUCT_FORMAT;
import static org.ovaflow.publish.catalog.CatalogIndex.SIGNATURE_SUFFIX;
import static org.ovaflow.publish.catalog.CatalogIndex.VENDOR_FORMAT;
import static org.ovaflow.publish.catalog.CatalogIndex.unquoted;

/**
 * The index's documents in the store: the root (read again only when its etag changed since this instance wrote
 * or read it), the vendors' and products' content-addressed documents (checked against the size and sha256 their
 * reference states, kept in a small cache since they never change), each written with its signature, superseded
 * ones removed once old.
 */
final class IndexDocuments {

    /** Content-addressed documents kept in memory: those a batch's rebuild reads again at the next. */
    private static final int CACHED = 1024;
    /** More than any document of ours: what is larger is not read. */
    static final long MAX_DOCUMENT_BYTES = 256L * 1024 * 1024;

    private final ObjectStore store;
    private final CatalogWrites writes;
    private final String bucket;
    private final IndexSignatures signatures;
    /** The root as this instance last wrote or read it, with its etag. */
    private final AtomicReference<Seen> root = new AtomicReference<>();
    private final Map<String, Object> cache = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
            return size() > CACHED;
        }
    });

    IndexDocuments(ObjectStore store, CatalogWrites writes, String bucket, IndexSignatures signatures) {
        this.store = store;
        this.writes = writes;
        this.bucket = bucket;
        this.signatures = signatures;
    }

    /**
     * The root as read: what it says, its bytes (which its signature signs), and for a root of the former format
     * (one document) the vendors whose documents that format kept at {@code <vendor>/index.json} (else null).
     */
    record StoredRoot(Root root, byte[] bytes, Set<String> legacy) {
    }

    private record Seen(String etag, StoredRoot stored) {
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    /** The root as it is in the store: empty when there is none, or one this code cannot read (rebuilt whole). */
    Optional<StoredRoot> readRoot() {
        Seen seen = root.get();
        if (seen != null) {
            Optional<ObjectInfo> there = store.stat(bucket, INDEX_JSON);
            if (there.isPresent() && unquoted(there.get().etag()).equals(seen.etag())) {
                return Optional.of(seen.stored()); // still what this instance wrote or read
            }
        }
        try (InputStream json = store.read(bucket, INDEX_JSON)) {
            byte[] bytes = json.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_DOCUMENT_BYTES));
            JsonNode tree = EventCodec.JSON.readTree(bytes);
            String format = tree.path("format").asText();
            if (LEGACY_FORMAT.equals(format)) {
                Set<String> vendors = new TreeSet<>();
                tree.path("products").forEach(p -> vendors.add(p.path("vendor").asText()));
                vendors.remove("");
                Root empty = new Root(LEGACY_FORMAT, tree.path("version").asLong(0), null, null, Map.of());
                return Optional.of(new StoredRoot(empty, bytes, vendors));
            }
            Root document = EventCodec.JSON.treeToValue(tree, Root.class);
            if (!FORMAT.equals(document.format()) || document.vendors() == null) {
                return Optional.empty(); // another format: rebuilt
            }
            return Optional.of(new StoredRoot(document, bytes, null));
        } catch (ObjectGoneException e) {
            return Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            // unreadable (not JSON, another shape): the entries are the truth, the index is rebuilt from them
            return Optional.empty();
        }
    }

    /** The vendor's document {@code ref} names, if it is there as stated (size, sha256, format). */
    Optional<VendorIndex> vendor(Ref ref) {
        return read(ref, VendorIndex.class).filter(v -> VENDOR_FORMAT.equals(v.format()) && v.products() != null);
    }

    /** The product's document {@code ref} names, if it is there as stated. */
    Optional<ProductIndex> product(Ref ref) {
        return read(ref, ProductIndex.class).filter(p -> PRODUCT_FORMAT.equals(p.format()) && p.versions() != null);
    }

    private <T> Optional<T> read(Ref ref, Class<T> type) {
        if (ref == null || ref.path() == null || !ref.path().startsWith(INDEX_FOLDER)) {
            return Optional.empty();
        }
        Object cached = cache.get(ref.path());
        if (type.isInstance(cached)) {
            return Optional.of(type.cast(cached));
        }
        if (ref.size() < 0 || ref.size() > MAX_DOCUMENT_BYTES) {
            return Optional.empty();
        }
        try (InputStream json = store.read(bucket, ref.path())) {
            byte[] bytes = json.readNBytes((int) ref.size() + 1);
            if (bytes.length != ref.size() || !sha256(bytes).equals(ref.sha256())) {
                return Optional.empty(); // not what the reference states: rebuilt from the markers
            }
            T document = EventCodec.JSON.readValue(bytes, type);
            cache.put(ref.path(), document);
            return Optional.of(document);
        } catch (ObjectGoneException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Writes a product's document (and its signature) under its content's name: the reference to it. */
    Ref writeProduct(ProductIndex document, String markers) {
        byte[] bytes = EventCodec.toJson(document);
        String path = INDEX_FOLDER + document.vendor() + "/" + document.product() + "/" + sha256(bytes) + ".json";
        writeDocument(path, bytes, document);
        return new Ref(path, bytes.length, sha256(bytes), document.updated(), document.latest(),
                document.versions().size(), markers);
    }

    /** Writes a vendor's document (and its signature) under its content's name: the reference to it. */
    Ref writeVendor(VendorIndex document, String markers) {
        byte[] bytes = EventCodec.toJson(document);
        String path = INDEX_FOLDER + document.vendor() + "/" + sha256(bytes) + ".json";
        writeDocument(path, bytes, document);
        return new Ref(path, bytes.length, sha256(bytes), document.updated(), null, document.products().size(),
                markers);
    }

    /**
     * A content-addressed document, then its signature: both before any root names it. Compact, not indented:
     * serialising the index was a third of the publish thread's CPU samples (bench/onboard.sh, 2,000 entries).
     */
    private void writeDocument(String path, byte[] bytes, Object document) {
        writes.write(bucket, path, bytes, "application/json");
        if (signatures.signing()) {
            signatures.write(path, bytes);
        }
        cache.put(path, document);
    }

    /** The root, then its signature from the same bytes (a crash in between is repaired by the next rebuild). */
    void writeRoot(Root document) {
        byte[] bytes = EventCodec.toJson(document);
        String etag = writes.write(bucket, INDEX_JSON, bytes, "application/json");
        root.set(etag == null ? null : new Seen(unquoted(etag), new StoredRoot(document, bytes, null)));
        if (!signatures.signing()) {
            signatures.remove(INDEX_JSON);
        } else {
            signatures.write(INDEX_JSON, bytes);
        }
    }

    /**
     * Signs again, with this key, every document {@code root} leads to whose signature does not verify with it:
     * after the root's own signature had to be made again (another key, or a crash between the root and its
     * signature, when the documents' signatures may be missing or another key's too).
     */
    void signTree(Root root) {
        for (Ref vendorRef : root.vendors().values()) {
            Optional<byte[]> vendorBytes = bytes(vendorRef);
            if (vendorBytes.isEmpty()) {
                continue;
            }
            signatures.signIfNeeded(vendorRef.path(), vendorBytes.get());
            vendor(vendorRef).ifPresent(vendor -> vendor.products().values().forEach(productRef ->
                    bytes(productRef).ifPresent(bytes -> signatures.signIfNeeded(productRef.path(), bytes))));
        }
    }

    private Optional<byte[]> bytes(Ref ref) {
        if (ref.path() == null || !ref.path().startsWith(INDEX_FOLDER) || ref.size() > MAX_DOCUMENT_BYTES) {
            return Optional.empty();
        }
        try (InputStream in = store.read(bucket, ref.path())) {
            byte[] bytes = in.readNBytes((int) ref.size() + 1);
            return bytes.length == ref.size() && sha256(bytes).equals(ref.sha256()) ? Optional.of(bytes)
                    : Optional.empty();
        } catch (ObjectGoneException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The former format's vendor documents ({@code <vendor>/index.json} and signature), once a root replaced it. */
    void removeLegacy(Set<String> vendors) {
        for (String vendor : vendors) {
            String key = vendor + "/" + INDEX_JSON;
            writes.remove(bucket, key);
            writes.remove(bucket, key + SIGNATURE_SUFFIX);
        }
    }

    /**
     * Removes {@code vendor}'s documents that neither its reference {@code now} (null: it has none) nor the one it
     * replaced ({@code before}) lead to and that are older than {@link IndexJournal#KEPT} (by the store's clock: the
     * newest document's time in the same listing), so that a reader that fetched an older root meanwhile still
     * finds what it names.
     */
    void collect(String vendor, Ref before, Ref now) {
        Set<String> kept = new HashSet<>();
        for (Ref ref : new Ref[]{before, now}) {
            if (ref != null) {
                kept.add(ref.path());
                vendor(ref).ifPresent(v -> v.products().values().forEach(p -> kept.add(p.path())));
            }
        }
        List<ObjectInfo> documents = store.list(bucket, INDEX_FOLDER + vendor + "/");
        Instant newest = documents.stream().map(ObjectInfo::lastModified).filter(java.util.Objects::nonNull)
                .max(Instant::compareTo).orElse(null);
        if (newest == null) {
            return;
        }
        Instant removable = newest.minus(IndexJournal.KEPT);
        List<String> old = new ArrayList<>();
        for (ObjectInfo document : documents) {
            String key = document.key();
            String of = key.endsWith(SIGNATURE_SUFFIX) ? key.substring(0, key.length() - SIGNATURE_SUFFIX.length())
                    : key;
            if (!kept.contains(of) && document.lastModified() != null && document.lastModified().isBefore(removable)) {
                old.add(key);
            }
        }
        if (!old.isEmpty()) {
            for (Iterator<String> keys = old.iterator(); keys.hasNext(); ) {
                cache.remove(keys.next());
            }
            writes.removeAll(bucket, old);
        }
    }
}
