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
 * derived from the committed entries: products, their versions (retracted ones too, marked so) and each version's
 * files, in the shape of simplestreams' products:versions:items. Documented in docs/events.md.
 *
 * <p>An entry's appliance.json is its truth and its commit point. Beside it, under {@value #ENTRIES}, the writer
 * of an entry puts a copy of the same bytes once it is committed: {@code .entries/<vendor>/<product>/<version>/
 * appliance.json}, the entry's <em>marker</em>. The index is built from the markers alone, so a rebuild lists one
 * key per entry (1,000 entries a request) instead of every file of the catalog; stores that walk a folder for each
 * page of a listing (s3proxy's filesystem store) made the old listing's cost grow with the square of the catalog.
 * No slug begins with '.', so no entry's folder can be mistaken for the markers'. A crash between an
 * appliance.json and its marker is mended by the same event delivered again (it copies its appliance.json over
 * the marker) and by the first rebuild of every process, which compares the entries with the markers once
 * ({@link #reconcileMarkers}) and copies what differs: a catalog written before markers gets its markers so.
 *
 * <p>Any number of processes may rebuild it at once without losing an entry: a rebuild lists the markers, writes
 * the index, then lists again, and starts over when the markers changed meanwhile. A writer that put a stale
 * index over a newer one thus sees the newer entry on its second listing and writes again, and the writer of an
 * entry rebuilds after its marker, so the last index written has every entry. A rebuild reads only the markers
 * whose etag differs from the one the current index was made from, and not even those whose record this process
 * has just written ({@link #mark}): one rebuild costs two listings of the markers, a read of index.json and of
 * each vendor's concerned (a HEAD when the document is still the one this instance wrote last, else a GET), and a
 * PUT of each changed vendor's index and of the root's. The indexes grow with the catalog, so the publish stage
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
    /** The folder of the entries' markers (copies of their appliance.json), which the index is built from. */
    public static final String ENTRIES = ".entries/";

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
    /** Whether this instance compared the entries with their markers yet (guarded by {@link #rebuilding}). */
    private boolean reconciled;
    /** What the index will say of the entries this process marked, by folder, until a rebuild lists them. */
    private final Map<String, Version> marked = new ConcurrentHashMap<>();
    /**
     * The index documents this instance wrote last, by key, with the etag the store answered: while a HEAD finds
     * that etag there, the document needs no GET and no parse (the root's grows with the catalog, megabytes).
     */
    private final Map<String, Written> written = new ConcurrentHashMap<>();

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
     * One version of a product: what its appliance.json says, and the etag of the entry's marker (the same bytes)
     * when indexed.
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

    /** The key of the marker of the entry in {@code folder} ({@code <vendor>/<product>/<version>/}). */
    public static String markerOf(String folder) {
        return ENTRIES + folder + PublishStage.APPLIANCE_JSON;
    }

    /**
     * Marks an entry committed, once its appliance.json is written: puts its marker, {@code json} being the bytes of
     * that appliance.json, and keeps what the index says of it, so that the next rebuild lists it and needs not
     * read it back.
     */
    public void mark(ApplianceRecord record, byte[] json) {
        String folder = record.vendor() + "/" + record.product() + "/" + record.version() + "/";
        String etag = writes.write(bucket, markerOf(folder), json, "application/json");
        if (etag != null) {
            marked.put(folder, version(record, folder, unquoted(etag)));
        }
    }

    /** An index as read: what it says and its bytes, which its signature signs. */
    private record Stored(Document document, byte[] bytes) {
    }

    private record Written(String etag, Stored stored) {
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
        if (!reconciled) {
            reconcileMarkers();
            reconciled = true;
        }
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

    /** The marked entries: the folder of each ({@code <vendor>/<product>/<version>/}) and its marker's etag. */
    private SortedMap<String, String> listEntries() {
        SortedMap<String, String> entries = new TreeMap<>();
        for (ObjectInfo marker : store.list(bucket, ENTRIES)) {
            String folder = markedFolder(marker.key());
            if (folder != null) {
                entries.put(folder, unquoted(marker.etag()));
            }
        }
        return entries;
    }

    /**
     * Gives every entry its marker as its appliance.json now is, and removes the markers of entries that are gone:
     * after a crash between an appliance.json and its marker, for catalogs written before markers, for entries
     * written or removed by hand. One listing of the whole catalog, once per process. A marker is stale when its
     * etag differs and it is not newer than the appliance.json (stores whose etags are not the content's MD5 give a
     * copy another etag than its source).
     */
    private void reconcileMarkers() {
        Map<String, ObjectInfo> entries = new TreeMap<>();
        Map<String, ObjectInfo> markers = new TreeMap<>();
        // a marker sorts before its entry ('.' before any slug) and is written after it: a listing that sees a
        // marker sees its entry, unless the entry was removed
        for (ObjectInfo object : store.list(bucket, "")) {
            String marked = markedFolder(object.key());
            if (marked != null) {
                markers.put(marked, object);
            } else if (CatalogReader.isEntry(object.key())) {
                entries.put(folderOf(object.key()), object);
            }
        }
        entries.forEach((folder, entry) -> {
            ObjectInfo marker = markers.get(folder);
            if (marker == null || !unquoted(marker.etag()).equals(unquoted(entry.etag()))
                    && !newer(marker, entry)) {
                try {
                    writes.copy(bucket, entry.key(), entry.size(), unquoted(entry.etag()), bucket, markerOf(folder));
                } catch (ObjectGoneException e) {
                    // rewritten or removed since the listing: its writer marks it, or the marker is an orphan
                }
            }
        });
        markers.keySet().stream().filter(Predicate.not(entries::containsKey))
                .forEach(folder -> writes.remove(bucket, markerOf(folder)));
    }

    private static boolean newer(ObjectInfo object, ObjectInfo than) {
        return object.lastModified() != null && than.lastModified() != null
                && object.lastModified().isAfter(than.lastModified());
    }

    /** The folder of the entry whose marker is at {@code key}, or null when that is no marker's key. */
    private static String markedFolder(String key) {
        if (!key.startsWith(ENTRIES)) {
            return null;
        }
        String entryKey = key.substring(ENTRIES.length());
        return CatalogReader.isEntry(entryKey) ? folderOf(entryKey) : null;
    }

    /** {@code <vendor>/<product>/<version>/} of the key of an appliance.json. */
    private static String folderOf(String entryKey) {
        return entryKey.substring(0, entryKey.length() - PublishStage.APPLIANCE_JSON.length());
    }

    /** Listings quote etags, stat and HTTP answers may not: compared without quotes. */
    private static String unquoted(String etag) {
        return Objects.requireNonNullElse(etag, "").replace("\"", "");
    }

    /** The products of {@code entries}, reusing what {@code previous} says of an entry whose etag did not change. */
    private Map<String, Product> build(SortedMap<String, String> entries, Document previous) {
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
        String key = markerOf(path);
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

    private static Version version(ApplianceRecord record, String path, String etag) {
        Map<String, Item> items = new LinkedHashMap<>();
        for (ApplianceRecord.Artifact artifact : record.artifacts()) {
            items.put(artifact.name(), new Item(artifact.size(), artifact.sha256(), artifact.format(),
                    artifact.target(), artifact.role(), artifact.key()));
        }
        return new Version(record.state(), record.provenance().publishedAt(), record.provenance().importId(), path,
                etag, record.retraction(), items);
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
                written.remove(vendorIndex(gone));
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
