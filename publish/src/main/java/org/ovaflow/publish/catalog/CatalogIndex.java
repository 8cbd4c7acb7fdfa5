package org.ovaflow.publish.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.store.ObjectStoreException;
import org.ovaflow.publish.signing.CatalogSigner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The catalog's {@code index.json} (every product at the root, each vendor's under {@code <vendor>/index.json}),
 * derived from the committed entries, the appliance.json files, which stay the truth: products, their versions
 * (retracted ones too, marked so) and each version's files, in the shape of simplestreams' products:versions:items.
 * Documented in docs/events.md.
 *
 * <p>Any number of processes may rebuild it at once without losing an entry: a rebuild lists the entries, writes
 * the index, then lists again, and starts over when the entries changed meanwhile. A writer that put a stale index
 * over a newer one thus sees the newer entry on its second listing and writes again, and the publisher of an entry
 * rebuilds after committing it, so the last index written has every entry. A rebuild reads only the appliance.json
 * files whose etag differs from the one the current index was made from: one rebuild costs two listings of the
 * catalog bucket (1,000 keys a request), a GET of index.json and of each vendor's concerned, a GET of each new
 * appliance.json, and a PUT of each changed vendor's index and of the root's; a rebuild that finds the index current
 * costs a listing and the GETs. Both listings and both documents grow with the catalog, so the publish stage
 * rebuilds once per batch of entries it committed, not once per entry.
 *
 * <p>With a {@link CatalogSigner}, each index written gets its detached signature beside it, {@code index.json.asc},
 * made from the very bytes written (two more PUTs), and the signer's public key is put at {@value #PUBLIC_KEY}
 * before the first signature. An index's bytes follow from the entries alone ({@code updated} is the latest
 * publication or retraction, not the time of writing), so writers racing on the same entries write the same bytes
 * and any one's signature verifies the index that stays. A rebuild that finds the index current checks the
 * signatures of the root's and the vendor's index too (two more GETs) and signs again what does not verify with
 * this key (a crash between an index and its signature, an index written without a key, another key), then lists
 * again like any writer. Without a signer an index is written unsigned and a signature beside it, which would no
 * longer match, is removed.
 */
public final class CatalogIndex {

    public static final String INDEX_JSON = "index.json";
    /** What a detached signature's key adds to the key of what it signs. */
    public static final String SIGNATURE_SUFFIX = ".asc";
    /** Where the public key of the signatures is published in the catalog bucket. */
    public static final String PUBLIC_KEY = "keys/ovaflow-signing.asc";
    public static final String SIGNATURE_TYPE = "application/pgp-signature";
    public static final String PUBLIC_KEY_TYPE = "application/pgp-keys";
    public static final String FORMAT = "ovaflow-index:1";

    /** Rounds before giving up (a retryable failure) when the entries keep changing under the rebuild. */
    static final int MAX_ROUNDS = 20;
    /** Far more than a detached signature: a larger object at a signature's key is not one of ours. */
    private static final int MAX_SIGNATURE_BYTES = 64 * 1024;

    private final ObjectStore store;
    private final CatalogWrites writes;
    private final String bucket;
    private final CatalogSigner signer;
    private final AtomicBoolean keyPublished = new AtomicBoolean();
    /** One rebuild at a time in this process; callers that waited for one may find their entries covered. */
    private final ReentrantLock rebuilding = new ReentrantLock();
    /** Tickets of rebuild requests, taken after the caller's entries were committed. */
    private final AtomicLong requested = new AtomicLong();
    /** The vendors of the requests waiting, by request. */
    private final Map<Object, Collection<String>> waiting = new ConcurrentHashMap<>();
    /** The last ticket a finished rebuild covered (guarded by {@link #rebuilding}), and what it built. */
    private long covered;
    private Document lastBuilt;

    /**
     * @param signer signs every index written, or null: the index is written unsigned (and a signature beside it,
     *               stale from then on, removed)
     */
    public CatalogIndex(ObjectStore store, CatalogWrites writes, String bucket, CatalogSigner signer) {
        this.store = store;
        this.writes = writes;
        this.bucket = bucket;
        this.signer = signer;
    }

    public CatalogIndex(ObjectStore store, String bucket) {
        this(store, CatalogWrites.to(store), bucket, null);
    }

    /** The root index.json document. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Document(String format, Instant updated, Map<String, Product> products) {
    }

    /**
     * One product, key {@code <vendor>/<product>}: its versions in {@link VersionOrder}, the latest available one
     * (absent when every version is retracted).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Product(String vendor, String product, String latest, Map<String, Version> versions) {
    }

    /**
     * One version of a product: what its appliance.json says, and that file's etag when indexed.
     *
     * @param path the entry's folder, {@code <vendor>/<product>/<version>/}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Version(String state, Instant published, String importId, String path, String etag,
                          ApplianceRecord.Retraction retraction, Map<String, Item> items) {
    }

    /** A file of a version, by its name in the entry. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Item(long size, String sha256, String format, String target, String role, String key) {
    }

    /** The root index as it is in the store, if there is one this code can read. */
    public Optional<Document> read() {
        return read(INDEX_JSON).map(Stored::document);
    }

    /** {@code vendor}'s index as it is in the store. */
    public Optional<Document> readVendor(String vendor) {
        return read(vendorIndex(vendor)).map(Stored::document);
    }

    /** The key of {@code vendor}'s index. */
    public static String vendorIndex(String vendor) {
        return vendor + "/" + INDEX_JSON;
    }

    /** An index as read: what it says and its bytes, which its signature signs. */
    private record Stored(Document document, byte[] bytes) {
    }

    /** {@link #rebuild(Collection)} without a vendor index to check. */
    public Document rebuild() {
        return rebuild(List.of());
    }

    /** {@link #rebuild(Collection)} of one vendor, or none when null. */
    public Document rebuild(String vendor) {
        return rebuild(vendor == null ? List.of() : List.of(vendor));
    }

    /**
     * Brings the index up to date with the committed entries and returns it: writes it (each changed vendor's,
     * then the root's) unless it already says what the entries say, and checks after writing that no entry was
     * committed or changed meanwhile (else it starts over). One rebuild serves any number of entries committed
     * before it: the publish stage commits a batch of entries, then rebuilds once.
     *
     * @param vendors vendors whose own index is read and checked too (the vendors of the entries just written: a
     *                writer stopped between a vendor's index and the root's may have left it behind)
     * @throws ObjectStoreException when the entries kept changing for {@value #MAX_ROUNDS} rounds (retry later)
     */
    public Document rebuild(Collection<String> vendors) {
        // group commit: the consumers of a process share this index; a rebuild that starts after a caller's entries
        // were committed lists them, so a caller that waited for it has nothing left to do. Without it, rebuilds
        // racing in one process each see the others' entries appear and start over.
        Object request = new Object();
        waiting.put(request, List.copyOf(vendors));
        long ticket = requested.incrementAndGet();
        rebuilding.lock();
        try {
            if (covered >= ticket) {
                return lastBuilt;
            }
            long covering = requested.get();
            // every request up to `covering` put its vendors before it took its ticket: they are all in here
            Set<String> checked = new TreeSet<>();
            waiting.values().forEach(checked::addAll);
            Document built = rebuildRounds(checked);
            covered = covering;
            lastBuilt = built;
            return built;
        } finally {
            rebuilding.unlock();
            waiting.remove(request);
        }
    }

    private Document rebuildRounds(Set<String> checked) {
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            SortedMap<String, String> entries = listEntries();
            Optional<Stored> current = read(INDEX_JSON);
            Document previous = current.map(Stored::document).orElse(null);
            Map<String, Product> products = build(entries, previous);
            boolean rootCurrent = previous != null && previous.products().equals(products);
            Map<String, Optional<Stored>> vendorIndexes = new TreeMap<>();
            Set<String> behind = new TreeSet<>();
            for (String vendor : checked) {
                Optional<Stored> stored = read(vendorIndex(vendor));
                vendorIndexes.put(vendor, stored);
                if (!stored.map(v -> v.document().products()).orElse(Map.of()).equals(ofVendor(products, vendor))) {
                    behind.add(vendor);
                }
            }
            Document built;
            if (rootCurrent && behind.isEmpty()) {
                // already says what every entry listed says: only its signatures may need writing
                boolean signed = false;
                if (signer != null) {
                    for (Map.Entry<String, Optional<Stored>> stored : vendorIndexes.entrySet()) {
                        if (stored.getValue().isPresent()) {
                            signed |= signIfNeeded(vendorIndex(stored.getKey()), stored.getValue().get().bytes());
                        }
                    }
                    signed |= signIfNeeded(INDEX_JSON, current.get().bytes());
                }
                if (!signed) {
                    return previous;
                }
                built = previous;
            } else {
                built = new Document(FORMAT, updated(products), products);
                write(built, previous, behind, !rootCurrent);
                if (signer != null) {
                    // what was not rewritten just now keeps its signature: checked as in a current index
                    if (rootCurrent) {
                        signIfNeeded(INDEX_JSON, current.get().bytes());
                    }
                    for (String vendor : checked) {
                        if (!behind.contains(vendor)) {
                            // read again: write() may have rewritten it all the same (the root's view was behind)
                            read(vendorIndex(vendor)).ifPresent(v -> signIfNeeded(vendorIndex(vendor), v.bytes()));
                        }
                    }
                }
            }
            if (listEntries().equals(entries)) {
                return built;
            }
            // an entry was committed or rewritten while we built: ours may have overwritten a newer index
        }
        throw new ObjectStoreException("the entries of s3://" + bucket + " kept changing during " + MAX_ROUNDS
                + " index rebuilds", null);
    }

    /**
     * When the catalog last changed as the index says it: the latest publication or retraction of a version it
     * lists (absent for an empty catalog). Derived, not the clock's: the same entries give the same bytes.
     */
    private static Instant updated(Map<String, Product> products) {
        return products.values().stream().flatMap(p -> p.versions().values().stream())
                .flatMap(v -> Stream.of(v.published(), v.retraction() == null ? null : v.retraction().at()))
                .filter(Objects::nonNull).max(Comparator.naturalOrder()).orElse(null);
    }

    /** The committed entries: key of each {@code <vendor>/<product>/<version>/appliance.json} and its etag. */
    private SortedMap<String, String> listEntries() {
        SortedMap<String, String> entries = new TreeMap<>();
        for (ObjectInfo object : store.list(bucket, "")) {
            if (CatalogReader.isEntry(object.key())) {
                // listings quote etags, stat and HTTP answers may not: kept without quotes
                entries.put(object.key(), Objects.requireNonNullElse(object.etag(), "").replace("\"", ""));
            }
        }
        return entries;
    }

    /** The products of {@code entries}, reusing what {@code previous} says of an entry whose etag did not change. */
    private Map<String, Product> build(SortedMap<String, String> entries, Document previous) {
        Map<String, Version> known = new HashMap<>();
        if (previous != null) {
            previous.products().values().forEach(p -> p.versions().values().forEach(v -> known.put(v.path(), v)));
        }
        Map<String, SortedMap<String, Version>> versionsByProduct = new TreeMap<>();
        for (Map.Entry<String, String> entry : entries.entrySet()) {
            String path = entry.getKey().substring(0, entry.getKey().length() - PublishStage.APPLIANCE_JSON.length());
            Version version = known.get(path);
            if (version == null || !entry.getValue().equals(version.etag())) {
                Optional<Version> read = readVersion(entry.getKey(), path, entry.getValue());
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

    private Optional<Version> readVersion(String key, String path, String etag) {
        ApplianceRecord record;
        try (InputStream json = store.read(bucket, key)) {
            record = EventCodec.JSON.readValue(json, ApplianceRecord.class);
        } catch (ObjectGoneException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read s3://" + bucket + "/" + key, e);
        }
        Map<String, Item> items = new LinkedHashMap<>();
        for (ApplianceRecord.Artifact artifact : record.artifacts()) {
            items.put(artifact.name(), new Item(artifact.size(), artifact.sha256(), artifact.format(),
                    artifact.target(), artifact.role(), artifact.key()));
        }
        return Optional.of(new Version(record.state(), record.provenance().publishedAt(),
                record.provenance().importId(), path, etag, record.retraction(), items));
    }

    /**
     * Each vendor's index whose products changed (and those {@code behind}), then the root's, so that a root
     * listing an entry implies its vendor's does.
     */
    private void write(Document built, Document previous, Set<String> behind, boolean root) {
        Set<String> vendors = new TreeSet<>();
        built.products().values().forEach(p -> vendors.add(p.vendor()));
        for (String vendor : vendors) {
            Map<String, Product> now = ofVendor(built.products(), vendor);
            if (previous == null || behind.contains(vendor) || !ofVendor(previous.products(), vendor).equals(now)) {
                writeDocument(vendorIndex(vendor), new Document(FORMAT, built.updated(), now));
            }
        }
        if (previous != null) {
            for (String gone : previous.products().values().stream().map(Product::vendor)
                    .filter(Predicate.not(vendors::contains)).collect(Collectors.toCollection(TreeSet::new))) {
                writes.remove(bucket, vendorIndex(gone));
                removeSignature(vendorIndex(gone));
            }
        }
        if (root) {
            writeDocument(INDEX_JSON, built);
        }
    }

    private static Map<String, Product> ofVendor(Map<String, Product> all, String vendor) {
        Map<String, Product> products = new LinkedHashMap<>();
        all.forEach((key, product) -> {
            if (product.vendor().equals(vendor)) {
                products.put(key, product);
            }
        });
        return products;
    }

    /** The index, then its signature from the same bytes (a crash in between is repaired by the next rebuild). */
    private void writeDocument(String key, Document document) {
        byte[] bytes = EventCodec.toPrettyJson(document);
        writes.write(bucket, key, bytes, "application/json");
        if (signer == null) {
            removeSignature(key);
        } else {
            writeSignature(key, bytes);
        }
    }

    /** Signs {@code bytes} of the index at {@code key} unless its signature already verifies with our key. */
    private boolean signIfNeeded(String key, byte[] bytes) {
        Optional<byte[]> signature = readSignature(key + SIGNATURE_SUFFIX);
        if (signature.isPresent() && signer.verifies(bytes, signature.get())) {
            return false;
        }
        writeSignature(key, bytes);
        return true;
    }

    private void writeSignature(String key, byte[] bytes) {
        if (keyPublished.compareAndSet(false, true)) {
            // before the first signature, so that none is out without the key that checks it
            writes.write(bucket, PUBLIC_KEY, signer.armoredPublicKey(), PUBLIC_KEY_TYPE);
        }
        writes.write(bucket, key + SIGNATURE_SUFFIX, signer.sign(bytes), SIGNATURE_TYPE);
    }

    /** An unsigned writer's index no longer matches the signature beside it: gone rather than wrong. */
    private void removeSignature(String key) {
        if (store.exists(bucket, key + SIGNATURE_SUFFIX)) {
            writes.remove(bucket, key + SIGNATURE_SUFFIX);
        }
    }

    private Optional<byte[]> readSignature(String key) {
        try (InputStream in = store.read(bucket, key)) {
            byte[] bytes = in.readNBytes(MAX_SIGNATURE_BYTES + 1);
            return bytes.length > MAX_SIGNATURE_BYTES ? Optional.empty() : Optional.of(bytes);
        } catch (ObjectGoneException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read s3://" + bucket + "/" + key, e);
        }
    }

    private Optional<Stored> read(String key) {
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
