package org.ovaflow.publish.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.store.ObjectStoreException;
import org.ovaflow.publish.catalog.IndexDocuments.Stored;
import org.ovaflow.publish.signing.CatalogSigner;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.ovaflow.publish.catalog.IndexContents.ofVendor;
import static org.ovaflow.publish.catalog.IndexContents.updated;

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
 * ({@link EntryMarkers#reconcile}) and copies what differs: a catalog written before markers gets its markers so.
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

    private final String bucket;
    private final EntryMarkers markers;
    private final IndexContents contents;
    private final IndexSignatures signatures;
    private final IndexDocuments documents;
    private final SharedRebuild rebuilds = new SharedRebuild();
    /**
     * Whether this instance compared the entries with their markers yet: read and set by rebuilds only, one at a
     * time ({@link SharedRebuild}).
     */
    private boolean reconciled;

    /**
     * @param signer signs every index written, or null: the index is written unsigned (and a signature beside it,
     *               stale from then on, removed)
     */
    public CatalogIndex(ObjectStore store, CatalogWrites writes, String bucket, CatalogSigner signer) {
        this.bucket = bucket;
        this.markers = new EntryMarkers(store, writes, bucket);
        this.contents = new IndexContents(store, bucket);
        this.signatures = new IndexSignatures(store, writes, bucket, signer);
        this.documents = new IndexDocuments(store, writes, bucket, signatures);
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
        return documents.read(INDEX_JSON).map(Stored::document);
    }

    /** {@code vendor}'s index as it is in the store. */
    public Optional<Document> readVendor(String vendor) {
        return documents.read(vendorIndex(vendor)).map(Stored::document);
    }

    /** The key of {@code vendor}'s index. */
    public static String vendorIndex(String vendor) {
        return vendor + "/" + INDEX_JSON;
    }

    /** The key of the marker of the entry in {@code folder} ({@code <vendor>/<product>/<version>/}). */
    public static String markerOf(String folder) {
        return EntryMarkers.markerOf(folder);
    }

    /**
     * Marks an entry committed, once its appliance.json is written: puts its marker, {@code json} being the bytes of
     * that appliance.json, and keeps what the index says of it, so that the next rebuild lists it and needs not
     * read it back.
     */
    public void mark(ApplianceRecord record, byte[] json) {
        String folder = record.vendor() + "/" + record.product() + "/" + record.version() + "/";
        String etag = markers.put(folder, json);
        if (etag != null) {
            contents.marked(folder, IndexContents.version(record, folder, unquoted(etag)));
        }
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
        return rebuilds.request(vendors, this::rebuildRounds);
    }

    private Document rebuildRounds(Set<String> checked) {
        if (!reconciled) {
            markers.reconcile();
            reconciled = true;
        }
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            SortedMap<String, String> entries = markers.list();
            Optional<Stored> current = documents.read(INDEX_JSON);
            Document previous = current.map(Stored::document).orElse(null);
            Map<String, Product> products = contents.build(entries, previous);
            boolean rootCurrent = previous != null && previous.products().equals(products);
            Map<String, Optional<Stored>> vendorIndexes = new TreeMap<>();
            Set<String> behind = new TreeSet<>();
            for (String vendor : checked) {
                Optional<Stored> stored = documents.read(vendorIndex(vendor));
                vendorIndexes.put(vendor, stored);
                if (!stored.map(v -> v.document().products()).orElse(Map.of()).equals(ofVendor(products, vendor))) {
                    behind.add(vendor);
                }
            }
            Document built;
            if (rootCurrent && behind.isEmpty()) {
                // already says what every entry listed says: only its signatures may need writing
                boolean signed = false;
                if (signatures.signing()) {
                    for (Map.Entry<String, Optional<Stored>> stored : vendorIndexes.entrySet()) {
                        if (stored.getValue().isPresent()) {
                            signed |= signatures.signIfNeeded(vendorIndex(stored.getKey()),
                                    stored.getValue().get().bytes());
                        }
                    }
                    signed |= signatures.signIfNeeded(INDEX_JSON, current.get().bytes());
                }
                if (!signed) {
                    return previous;
                }
                built = previous;
            } else {
                built = new Document(FORMAT, updated(products), products);
                documents.write(built, previous, behind, !rootCurrent);
                if (signatures.signing()) {
                    // what was not rewritten just now keeps its signature: checked as in a current index
                    if (rootCurrent) {
                        signatures.signIfNeeded(INDEX_JSON, current.get().bytes());
                    }
                    for (String vendor : checked) {
                        if (!behind.contains(vendor)) {
                            // read again: write() may have rewritten it all the same (the root's view was behind)
                            documents.read(vendorIndex(vendor))
                                    .ifPresent(v -> signatures.signIfNeeded(vendorIndex(vendor), v.bytes()));
                        }
                    }
                }
            }
            if (markers.list().equals(entries)) {
                return built;
            }
            // an entry was committed or rewritten while we built: ours may have overwritten a newer index
        }
        throw new ObjectStoreException("the entries of s3://" + bucket + " kept changing during " + MAX_ROUNDS
                + " index rebuilds", null);
    }

    /** Listings quote etags, stat and HTTP answers may not: compared without quotes. */
    static String unquoted(String etag) {
        return Objects.requireNonNullElse(etag, "").replace("\"", "");
    }
}
