package org.ovaflow.publish.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.store.ObjectStoreException;
import org.ovaflow.publish.signing.CatalogSigner;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The catalog's index, a tree of signed documents in the shape of simplestreams' index and products files
 * (documented in docs/events.md and docs/catalog.md): the root {@value #INDEX_JSON} names each vendor's document
 * (path, size, sha256, updated), a vendor's document names each of its products' documents the same way, and a
 * product's document lists its versions (retracted ones too, marked so) and each version's files. The vendors' and
 * products' documents are content-addressed ({@code .index/<vendor>/<sha256>.json},
 * {@code .index/<vendor>/<product>/<sha256>.json}) and never change once written: a publication writes the
 * documents of the products it changed, then their vendors', then the root last, so that a crash between any two
 * writes leaves the root naming only documents that are there, and a reader fetching the root then what it names
 * gets one consistent catalog. Superseded documents stay {@link IndexJournal#KEPT} for the readers that fetched
 * the root before. The root carries a {@code version} that grows with every root written and an {@code expires}
 * time ({@link #DEFAULT_EXPIRY} ahead unless configured): a consumer refuses an older version than one it saw and
 * an expired root, and every rebuild (the publish stage runs one on a timer) writes the root again once half of
 * its lifetime has passed.
 *
 * <p>An entry's appliance.json is its truth and its commit point. Beside it, under {@value #ENTRIES}, the writer
 * of an entry puts a copy of the same bytes once it is committed: {@code .entries/<vendor>/<product>/<version>/
 * appliance.json}, the entry's <em>marker</em>. The index is built from the markers alone. A rebuild lists the
 * markers of the vendors it concerns only ({@code .entries/<vendor>/}) and compares them with the digest of the
 * marker etags each vendor's and product's reference carries ({@code markers}), so it reads and rewrites only the
 * products whose entries changed: its cost follows the vendors and products of a batch, not the catalog. A crash
 * between an appliance.json and its marker is mended by the same event delivered again and by the first rebuild of
 * every process, which compares the entries with the markers once ({@link EntryMarkers#reconcile}) and then checks
 * every vendor.
 *
 * <p>Any number of processes may rebuild it at once without losing an entry: each announces the vendors it
 * rebuilds in a journal and goes round again when another rebuild appeared while it wrote ({@link IndexJournal}).
 *
 * <p>With a {@link CatalogSigner}, every document written gets its detached signature beside it ({@code .asc}),
 * made from the very bytes written, and the signer's public key is put at {@value #PUBLIC_KEY} before the first
 * signature; the root names each vendor's document by its sha256, which names each product's, so the root's
 * signature covers the whole tree. A rebuild that finds the root current checks its signature and signs again what
 * does not verify with this key (a crash between the root and its signature, another key). Without a signer the
 * documents are written unsigned and the root's signature, which would no longer match, is removed.
 */
public final class CatalogIndex {

    public static final String INDEX_JSON = "index.json";
    /** What a detached signature's key adds to the key of what it signs. */
    public static final String SIGNATURE_SUFFIX = ".asc";
    /** Where the public key of the signatures is published in the catalog bucket. */
    public static final String PUBLIC_KEY = "keys/ovaflow-signing.asc";
    public static final String SIGNATURE_TYPE = "application/pgp-signature";
    public static final String PUBLIC_KEY_TYPE = "application/pgp-keys";
    /** The root's format; {@value #LEGACY_FORMAT} was one document listing every version, rebuilt into this. */
    public static final String FORMAT = "ovaflow-index:2";
    public static final String VENDOR_FORMAT = "ovaflow-vendor-index:2";
    public static final String PRODUCT_FORMAT = "ovaflow-product-index:2";
    public static final String LEGACY_FORMAT = "ovaflow-index:1";
    /** The folder of the entries' markers (copies of their appliance.json), which the index is built from. */
    public static final String ENTRIES = ".entries/";
    /** The folder of the vendors' and products' documents (and of the rebuilds' journal). */
    public static final String INDEX_FOLDER = ".index/";
    /** How long a root is valid after it was written unless configured ({@code ovaflow.publish.index-expiry}). */
    public static final Duration DEFAULT_EXPIRY = Duration.ofDays(7);

    /** Rounds before giving up (a retryable failure) when other rebuilds keep appearing. */
    static final int MAX_ROUNDS = 20;

    private final String bucket;
    private final Duration expiry;
    private final Clock clock;
    private final EntryMarkers markers;
    private final IndexContents contents;
    private final IndexSignatures signatures;
    private final IndexDocuments documents;
    private final IndexJournal journal;
    private final FeedLog feeds;
    /** This process's rebuilds that failed: their journal records, pending until removed as old, are no one's. */
    private final Set<String> abandoned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The records this process marked, by folder, until a rebuild announces their events in the feeds. */
    private final Map<String, ApplianceRecord> markedRecords = new java.util.concurrent.ConcurrentHashMap<>();
    private final SharedRebuild rebuilds = new SharedRebuild();
    /**
     * Whether this instance compared the entries with their markers and checked every vendor yet: read and set by
     * rebuilds only, one at a time ({@link SharedRebuild}).
     */
    private boolean reconciled;

    /**
     * @param signer signs every document written, or null: the index is written unsigned (and the root's
     *               signature, stale from then on, removed)
     * @param expiry how long a root is valid after it was written
     */
    public CatalogIndex(ObjectStore store, CatalogWrites writes, String bucket, CatalogSigner signer, Duration expiry,
                        Clock clock) {
        this(store, writes, bucket, signer, expiry, clock, FeedLog.DEFAULT_PAGE_ITEMS);
    }

    /**
     * @param feedItems the most items a page of a feed holds ({@link FeedLog}): the feeds' newest page, and each of
     *                  their archive pages
     */
    public CatalogIndex(ObjectStore store, CatalogWrites writes, String bucket, CatalogSigner signer, Duration expiry,
                        Clock clock, int feedItems) {
        if (expiry.isNegative() || expiry.isZero()) {
            throw new IllegalArgumentException("the index's expiry must be positive, not " + expiry);
        }
        this.bucket = bucket;
        this.expiry = expiry;
        this.clock = clock;
        this.markers = new EntryMarkers(store, writes, bucket);
        this.contents = new IndexContents(store, bucket);
        this.signatures = new IndexSignatures(store, writes, bucket, signer);
        this.documents = new IndexDocuments(store, writes, bucket, signatures);
        this.journal = new IndexJournal(store, writes, bucket);
        this.feeds = new FeedLog(store, writes, bucket, feedItems);
    }

    public CatalogIndex(ObjectStore store, CatalogWrites writes, String bucket, CatalogSigner signer) {
        this(store, writes, bucket, signer, DEFAULT_EXPIRY, Clock.systemUTC());
    }

    public CatalogIndex(ObjectStore store, String bucket) {
        this(store, CatalogWrites.to(store), bucket, null);
    }

    /**
     * The root document, {@value #INDEX_JSON}: each vendor's document by reference, the root's version (one more
     * at every root written) and the time after which a consumer refuses it.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Root(String format, long version, Instant expires, Instant updated, Map<String, Ref> vendors) {
    }

    /** A vendor's document: each of its products' documents by reference, keyed by the product's slug. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record VendorIndex(String format, String vendor, Instant updated, Map<String, Ref> products) {
    }

    /** A product's document: its versions in {@link VersionOrder}, the latest available one. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProductIndex(String format, String vendor, String product, Instant updated, String latest,
                               Map<String, Version> versions) {
    }

    /**
     * A reference to a document of the tree: where it is, its size and sha256 (what a consumer checks it against),
     * when what it lists last changed, for a product its latest version, how many products or versions it lists,
     * and the digest of the markers it was built from (how a rebuild tells a current document without reading it).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Ref(String path, long size, String sha256, Instant updated, String latest, int count,
                      String markers) {
    }

    /** The index as one document (assembled from the tree by {@link #read()}; the shape of format 1). */
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

    /** The root document as it is in the store, if there is one this code can read. */
    public Optional<Root> root() {
        // a root of format 1 is none of this format's until a rebuild replaces it
        return documents.readRoot().filter(stored -> stored.legacy() == null).map(IndexDocuments.StoredRoot::root);
    }

    /**
     * The whole index as one document, every vendor's and product's document read: for small catalogs and tests;
     * readers of a large one page through it ({@link #page}).
     */
    public Optional<Document> read() {
        return root().map(root -> assemble(root, root.vendors().keySet()));
    }

    /** {@code vendor}'s products as one document, read through the root. */
    public Optional<Document> readVendor(String vendor) {
        return root().filter(root -> root.vendors().containsKey(vendor))
                .map(root -> assemble(root, Set.of(vendor)));
    }

    /** {@code vendor}'s document, read through the root. */
    public Optional<VendorIndex> vendor(String vendor) {
        return root().flatMap(root -> Optional.ofNullable(root.vendors().get(vendor))).flatMap(documents::vendor);
    }

    /**
     * {@code vendor}'s document as {@code root} names it: a listing that walks many vendors reads the root once,
     * not once a vendor.
     */
    public Optional<VendorIndex> vendor(Root root, String vendor) {
        return Optional.ofNullable(root.vendors().get(vendor)).flatMap(documents::vendor);
    }

    /** The product's document {@code vendor}'s document names by {@code product}. */
    public Optional<ProductIndex> product(VendorIndex vendor, String product) {
        return Optional.ofNullable(vendor.products().get(product)).flatMap(documents::product);
    }

    /** {@code vendor}/{@code product}'s document, read through the root and its vendor's document. */
    public Optional<ProductIndex> product(String vendor, String product) {
        return vendor(vendor).flatMap(v -> Optional.ofNullable(v.products().get(product))).flatMap(documents::product);
    }

    private Document assemble(Root root, Set<String> vendors) {
        Map<String, Product> products = new LinkedHashMap<>();
        for (String vendor : new TreeSet<>(vendors)) {
            Ref ref = root.vendors().get(vendor);
            VendorIndex index = ref == null ? null : documents.vendor(ref).orElse(null);
            if (index == null) {
                continue;
            }
            index.products().forEach((slug, productRef) -> documents.product(productRef).ifPresent(p ->
                    products.put(vendor + "/" + slug, new Product(vendor, slug, p.latest(), p.versions()))));
        }
        return new Document(FORMAT, root.updated(), products);
    }

    /** A page of the catalog's versions in key order, and the cursor of the next page (null: the last page). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Page(List<Entry> entries, String next) {
    }

    /** A version as a listing shows it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String vendor, String product, String version, String state, Instant published,
                        String importId, String path, ApplianceRecord.Retraction retraction, Map<String, Item> items) {
    }

    /**
     * Up to {@code limit} versions after {@code after} ({@code vendor/product/version}, null: from the start), by
     * vendor, product and version order; retracted ones only when {@code all}. Reads the root and only the vendors'
     * and products' documents the page covers.
     */
    public Page page(String after, int limit, boolean all) {
        if (limit < 1) {
            throw new IllegalArgumentException("a page holds at least one entry, not " + limit);
        }
        Optional<Root> root = root();
        if (root.isEmpty()) {
            return new Page(List.of(), null);
        }
        String[] cursor = after == null ? null : after.split("/", 3);
        if (cursor != null && cursor.length != 3) {
            throw new IllegalArgumentException("a cursor is vendor/product/version, not '" + after + "'");
        }
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Ref> vendorRef : new TreeMap<>(root.get().vendors())
                .tailMap(cursor == null ? "" : cursor[0]).entrySet()) {
            String vendor = vendorRef.getKey();
            Optional<VendorIndex> vendorIndex = documents.vendor(vendorRef.getValue());
            if (vendorIndex.isEmpty()) {
                continue;
            }
            boolean cursorVendor = cursor != null && vendor.equals(cursor[0]);
            for (Map.Entry<String, Ref> productRef : new TreeMap<>(vendorIndex.get().products())
                    .tailMap(cursorVendor ? cursor[1] : "").entrySet()) {
                boolean cursorProduct = cursorVendor && productRef.getKey().equals(cursor[1]);
                Optional<ProductIndex> product = documents.product(productRef.getValue());
                if (product.isEmpty()) {
                    continue;
                }
                for (Map.Entry<String, Version> version : product.get().versions().entrySet()) {
                    if (cursorProduct && VersionOrder.INSTANCE.compare(version.getKey(), cursor[2]) <= 0) {
                        continue;
                    }
                    Version v = version.getValue();
                    if (!all && !ApplianceRecord.AVAILABLE.equals(v.state())) {
                        continue;
                    }
                    if (entries.size() == limit) {
                        Entry last = entries.get(entries.size() - 1);
                        return new Page(entries, last.vendor() + "/" + last.product() + "/" + last.version());
                    }
                    entries.add(new Entry(vendor, productRef.getKey(), version.getKey(), v.state(), v.published(),
                            v.importId(), v.path(), v.retraction(), v.items()));
                }
            }
        }
        return new Page(entries, null);
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
        markedRecords.put(folder, record);
        if (etag != null) {
            contents.marked(folder, IndexContents.version(record, folder, unquoted(etag)));
        }
    }

    /** {@link #rebuild(Collection)} of no vendor in particular: writes the root again when it is half-expired. */
    public Root rebuild() {
        return rebuild(List.of());
    }

    /** {@link #rebuild(Collection)} of one vendor, or none when null. */
    public Root rebuild(String vendor) {
        return rebuild(vendor == null ? List.of() : List.of(vendor));
    }

    /**
     * Brings the index up to date with the committed entries of {@code vendors} (every vendor at the first rebuild
     * of this instance) and returns its root: writes the documents of each product whose markers changed, their
     * vendors', then the root, unless the root already says what the markers say and is not half-expired. One
     * rebuild serves any number of entries committed before it: the publish stage commits a batch of entries, then
     * rebuilds once for their vendors.
     *
     * @param vendors the vendors of the entries just written (or retracted)
     * @throws ObjectStoreException when other rebuilds kept appearing for {@value #MAX_ROUNDS} rounds (retry later)
     */
    public Root rebuild(Collection<String> vendors) {
        return rebuilds.request(vendors, this::rebuildRounds);
    }

    private Root rebuildRounds(Set<String> checked) {
        List<String> mine = new ArrayList<>();
        try {
            return rebuildRounds(checked, mine);
        } catch (RuntimeException | Error e) {
            // its journal records stay pending (other rebuilds take its vendors over), but this process knows it
            // stopped: its own drains need not wait for it
            abandoned.addAll(mine);
            throw e;
        }
    }

    private Root rebuildRounds(Set<String> checked, List<String> mine) {
        boolean all = !reconciled;
        if (all) {
            markers.reconcile();
        }
        Set<String> vendors = new TreeSet<>(checked);
        Set<String> announced = new TreeSet<>(all ? Set.of(IndexJournal.ALL) : vendors);
        mine.add(journal.open(announced));
        long began = System.nanoTime();
        Set<String> seen = null;
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            if (Duration.ofNanos(System.nanoTime() - began).compareTo(IndexJournal.KEPT.dividedBy(2)) > 0) {
                throw new ObjectStoreException("the index rebuild of s3://" + bucket + " took longer than "
                        + IndexJournal.KEPT.dividedBy(2) + ": given up, to be retried", null);
            }
            IndexJournal.Listing before = journal.list();
            Set<String> others = new TreeSet<>();
            for (Map.Entry<String, Boolean> record : before.pending().entrySet()) {
                boolean appeared = seen != null && !seen.contains(record.getKey());
                if (!mine.contains(record.getKey()) && (record.getValue() || appeared)) {
                    others.add(record.getKey());
                }
            }
            vendors.addAll(journal.vendorsOf(others, before));
            if (vendors.remove(IndexJournal.ALL)) {
                all = true;
            }
            Set<String> unannounced = new TreeSet<>(all ? Set.of(IndexJournal.ALL) : vendors);
            unannounced.removeAll(announced);
            if (!unannounced.isEmpty() && !announced.contains(IndexJournal.ALL)) {
                // vendors taken over from another rebuild: announced as ours too, so that a rebuild that saw ours
                // already (and not theirs) rebuilds them as well rather than copy what its root says of them
                mine.add(journal.open(unannounced));
                announced.addAll(unannounced);
            }
            Optional<IndexDocuments.StoredRoot> current = documents.readRoot();
            if (current.isEmpty() || current.get().legacy() != null) {
                all = true;
            }
            Root built = write(current, all ? null : vendors);
            seen = before.ids();
            IndexJournal.Listing after = journal.list();
            Set<String> appeared = new TreeSet<>(after.ids());
            appeared.removeAll(before.ids());
            appeared.removeAll(mine);
            if (appeared.isEmpty()) {
                Set<String> ignored = new TreeSet<>(mine);
                ignored.addAll(abandoned);
                if (!after.othersPending(ignored)) {
                    // one drain at a time: a rebuild still pending here drains once it finds itself alone, and a
                    // rebuild that opens after this listing sees ours pending until we closed, after the drain
                    feeds.drain();
                }
                mine.forEach(id -> journal.close(id, after));
                reconciled = true;
                return built;
            }
            // another rebuild started or finished while we wrote: ours may have overwritten its root, or its ours
        }
        throw new ObjectStoreException("the index of s3://" + bucket + " kept being rewritten by other rebuilds during "
                + MAX_ROUNDS + " rounds", null);
    }

    /**
     * One round: the documents of the changed products of {@code vendors} (every vendor when null), their
     * vendors', the root; the root signed again if its signature does not verify.
     */
    private Root write(Optional<IndexDocuments.StoredRoot> current, Set<String> vendors) {
        Root previous = current.map(IndexDocuments.StoredRoot::root).orElse(null);
        Map<String, Ref> refs = new TreeMap<>(previous == null ? Map.of() : previous.vendors());
        SortedMap<String, String> entries = new TreeMap<>();
        Set<String> checking = new TreeSet<>();
        if (vendors == null) {
            entries.putAll(markers.list(""));
            checking.addAll(refs.keySet());
            entries.keySet().forEach(folder -> checking.add(folder.substring(0, folder.indexOf('/'))));
        } else {
            for (String vendor : vendors) {
                entries.putAll(markers.list(vendor + "/"));
            }
            checking.addAll(vendors);
        }
        Map<String, SortedMap<String, SortedMap<String, String>>> byVendor = new TreeMap<>();
        entries.forEach((folder, etag) -> {
            String[] parts = folder.split("/");
            byVendor.computeIfAbsent(parts[0], v -> new TreeMap<>())
                    .computeIfAbsent(parts[1], p -> new TreeMap<>()).put(folder, etag);
        });
        Map<String, Ref> replaced = new TreeMap<>();
        List<FeedLog.Item> events = new ArrayList<>();
        for (String vendor : checking) {
            Ref before = refs.get(vendor);
            Ref now = vendor(vendor, byVendor.getOrDefault(vendor, new TreeMap<>()), before, events);
            if (now == null) {
                refs.remove(vendor);
            } else {
                refs.put(vendor, now);
            }
            if (before != null && !before.equals(now)) {
                replaced.put(vendor, before);
            }
        }
        Instant now = clock.instant();
        boolean stale = previous == null || !previous.vendors().equals(refs)
                || previous.expires() == null || previous.expires().isBefore(now.plus(expiry.dividedBy(2)));
        // the feeds' items of this round before the root that shows their change: a crash in between loses none
        feeds.announce(events);
        Root root;
        if (stale) {
            root = new Root(FORMAT, previous == null ? 1 : previous.version() + 1, now.plus(expiry).truncatedTo(
                    ChronoUnit.SECONDS), updated(refs), refs);
            documents.writeRoot(root);
            current.map(IndexDocuments.StoredRoot::legacy).ifPresent(documents::removeLegacy);
            replaced.forEach((vendor, ref) -> documents.collect(vendor, ref, root.vendors().get(vendor)));
        } else {
            root = previous;
            if (signatures.signing() && signatures.signIfNeeded(INDEX_JSON, current.get().bytes())) {
                // the root's signature had to be made again: the documents it leads to may need it too
                documents.signTree(root);
            }
        }
        return root;
    }

    /**
     * The reference to {@code vendor}'s document as its markers say ({@code products}: folder and etag of each
     * marker, by product), written unless {@code before} already says the same; null when it has no entry.
     */
    private Ref vendor(String vendor, SortedMap<String, SortedMap<String, String>> products, Ref before,
                       List<FeedLog.Item> events) {
        if (products.isEmpty()) {
            return null;
        }
        Map<String, String> digests = new TreeMap<>();
        products.forEach((product, folders) -> digests.put(product, digest(folders)));
        String digest = digest(digests);
        if (before != null && digest.equals(before.markers())) {
            forget(products);
            return before;
        }
        VendorIndex previous = before == null ? null : documents.vendor(before).orElse(null);
        Map<String, Ref> refs = new TreeMap<>();
        for (Map.Entry<String, SortedMap<String, String>> product : products.entrySet()) {
            String productDigest = digests.get(product.getKey());
            Ref known = previous == null ? null : previous.products().get(product.getKey());
            if (known != null && productDigest.equals(known.markers())) {
                refs.put(product.getKey(), known);
                continue;
            }
            ProductIndex old = known == null ? null : documents.product(known).orElse(null);
            Optional<ProductIndex> built = contents.product(vendor, product.getKey(), product.getValue(), old);
            events.addAll(events(old, built.orElse(null)));
            if (built.isPresent()) {
                refs.put(product.getKey(), documents.writeProduct(built.get(), productDigest));
            }
        }
        forget(products);
        if (refs.isEmpty()) {
            return null;
        }
        return documents.writeVendor(new VendorIndex(VENDOR_FORMAT, vendor, updated(refs), refs), digest);
    }

    /**
     * The feed items of a product's change from {@code before} to {@code after} (either null: none): a version new
     * or replaced and available is published, one available before and retracted now is retracted, one gone whose
     * marker says pruned is pruned. Each item carries the entry's record, as this process marked it or as its
     * marker says.
     */
    private List<FeedLog.Item> events(ProductIndex before, ProductIndex after) {
        Map<String, Version> old = before == null ? Map.of() : before.versions();
        Map<String, Version> now = after == null ? Map.of() : after.versions();
        List<FeedLog.Item> items = new ArrayList<>();
        now.forEach((number, version) -> {
            Version was = old.get(number);
            boolean replaced = was == null || !Objects.equals(was.importId(), version.importId());
            if (replaced && ApplianceRecord.AVAILABLE.equals(version.state())) {
                event(FeedLog.PUBLISHED, version).ifPresent(items::add);
            } else if (ApplianceRecord.RETRACTED.equals(version.state())
                    && (replaced || ApplianceRecord.AVAILABLE.equals(was.state()))) {
                event(FeedLog.RETRACTED, version).ifPresent(items::add);
            }
        });
        old.forEach((number, version) -> {
            if (!now.containsKey(number)) {
                event(FeedLog.PRUNED, version).ifPresent(items::add);
            }
        });
        return items;
    }

    /** Forgets the records this process marked among {@code products}' entries: listed, their events are found. */
    private void forget(SortedMap<String, SortedMap<String, String>> products) {
        if (!markedRecords.isEmpty()) {
            products.values().forEach(folders -> folders.keySet().forEach(markedRecords::remove));
        }
    }

    /** The item {@code kind} of {@code version}, when its entry's record (still) says it. */
    private Optional<FeedLog.Item> event(String kind, Version version) {
        ApplianceRecord record = markedRecords.remove(version.path());
        if (record == null || !Objects.equals(record.provenance().importId(), version.importId())
                || !kind.equals(kindOf(record))) {
            record = markers.read(version.path()).orElse(null);
        }
        if (record == null || record.provenance() == null
                || !Objects.equals(record.provenance().importId(), version.importId()) || !kind.equals(kindOf(record))) {
            return Optional.empty(); // replaced or removed meanwhile: its own change is announced by its rebuild
        }
        return Optional.ofNullable(FeedLog.Item.of(kind, record));
    }

    private static String kindOf(ApplianceRecord record) {
        return record.pruned() ? FeedLog.PRUNED : record.available() ? FeedLog.PUBLISHED : FeedLog.RETRACTED;
    }

    /** The sha256 of {@code lines}' keys and values, one pair a line: what a document was built from. */
    static String digest(Map<String, String> lines) {
        MessageDigest sha256 = IndexDocuments.sha256();
        lines.forEach((key, value) -> sha256.update((key + " " + value + "\n").getBytes(StandardCharsets.UTF_8)));
        return HexFormat.of().formatHex(sha256.digest());
    }

    /** The latest {@code updated} of {@code refs} (absent when none has one). */
    static Instant updated(Map<String, Ref> refs) {
        return refs.values().stream().map(Ref::updated).filter(Objects::nonNull).max(Comparator.naturalOrder())
                .orElse(null);
    }

    /** Listings quote etags, stat and HTTP answers may not: compared without quotes. */
    static String unquoted(String etag) {
        return Objects.requireNonNullElse(etag, "").replace("\"", "");
    }
}
