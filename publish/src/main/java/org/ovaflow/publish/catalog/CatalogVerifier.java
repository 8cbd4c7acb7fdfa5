package org.ovaflow.publish.catalog;

import org.ovaflow.core.event.EventCodec;
import org.ovaflow.publish.catalog.CatalogIndex.ProductIndex;
import org.ovaflow.publish.catalog.CatalogIndex.Ref;
import org.ovaflow.publish.catalog.CatalogIndex.Root;
import org.ovaflow.publish.catalog.CatalogIndex.VendorIndex;
import org.ovaflow.publish.signing.SignatureVerifier;

import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Checks a catalog as a consumer would, from its root down: the root's signature against a pinned key, its format,
 * its version (never older than one seen before: a replayed or rolled-back catalog), its expiry; then every
 * vendor's and product's document it leads to: there, of the size and sha256 its reference states, signed, of
 * its format and about what the reference says; with {@code deep}, every artifact's size and sha256 as its
 * product's document states them. Every failure is reported with the document and the check, and the walk goes
 * on past a failure where it can, so that one report names them all.
 */
public final class CatalogVerifier {

    /** Where the catalog's objects are read from, by key (the catalog bucket's, or a URL under which they are). */
    public interface Source {
        /** The object at {@code key}, empty when there is none. */
        Optional<InputStream> open(String key) throws IOException;

        /** {@code key} as a person finds it: an s3:// or http(s):// URL. */
        String describe(String key);
    }

    /** A failed check: the document (its URL), the check's name and what was found. */
    public record Failure(String document, String check, String message) {
        @Override
        public String toString() {
            return document + ": " + check + ": " + message;
        }
    }

    /** What a verification found: the root's version and expiry (when read), the documents and artifacts checked. */
    public record Report(long version, Instant expires, int documents, int artifacts, List<Failure> failures) {
        public boolean ok() {
            return failures.isEmpty();
        }
    }

    private static final long MAX_ROOT_BYTES = 64L * 1024 * 1024;
    private static final long MAX_SIGNATURE_BYTES = 64 * 1024;

    private final Source source;
    private final SignatureVerifier key;
    private final Clock clock;

    public CatalogVerifier(Source source, SignatureVerifier key, Clock clock) {
        this.source = source;
        this.key = key;
        this.clock = clock;
    }

    /**
     * @param lastSeen the version of the root a previous verification accepted (null: none), which this one must
     *                 not be older than
     * @param deep     whether every artifact is read and checked too
     */
    public Report verify(Long lastSeen, boolean deep) {
        return verify(lastSeen, deep, product -> {
        });
    }

    /**
     * As {@link #verify(Long, boolean)}, handing each product's document to {@code products} as the walk reads it,
     * once it held its checks (its signature aside, which the report names): the very bytes checked, not read
     * again, so that a follower acts on what was verified. A caller acts on them only when the report is ok.
     */
    public Report verify(Long lastSeen, boolean deep, Consumer<ProductIndex> products) {
        List<Failure> failures = new ArrayList<>();
        int[] counts = new int[2];
        Optional<byte[]> rootBytes = fetch(CatalogIndex.INDEX_JSON, MAX_ROOT_BYTES, failures);
        if (rootBytes.isEmpty()) {
            return new Report(0, null, 0, 0, failures);
        }
        counts[0]++;
        signed(CatalogIndex.INDEX_JSON, rootBytes.get(), failures);
        Root root;
        try {
            root = EventCodec.JSON.readValue(rootBytes.get(), Root.class);
        } catch (IOException e) {
            failures.add(new Failure(source.describe(CatalogIndex.INDEX_JSON), "format",
                    "not an index document: " + e.getMessage()));
            return new Report(0, null, counts[0], 0, failures);
        }
        String rootUrl = source.describe(CatalogIndex.INDEX_JSON);
        if (!CatalogIndex.FORMAT.equals(root.format()) || root.vendors() == null) {
            failures.add(new Failure(rootUrl, "format", "is " + root.format() + ", not " + CatalogIndex.FORMAT));
            return new Report(root.version(), root.expires(), counts[0], 0, failures);
        }
        if (lastSeen != null && root.version() < lastSeen) {
            failures.add(new Failure(rootUrl, "version", "version " + root.version() + " is older than version "
                    + lastSeen + " seen before: a replayed or rolled-back catalog"));
        }
        Instant now = clock.instant();
        if (root.expires() == null) {
            failures.add(new Failure(rootUrl, "expires", "the root states no expiry"));
        } else if (!root.expires().isAfter(now)) {
            failures.add(new Failure(rootUrl, "expires", "expired at " + root.expires() + " (now " + now + "): a "
                    + "stale catalog, or one its publisher no longer signs"));
        }
        for (Map.Entry<String, Ref> vendor : root.vendors().entrySet()) {
            Optional<VendorIndex> index = document(vendor.getValue(), VendorIndex.class, CatalogIndex.VENDOR_FORMAT,
                    failures, counts);
            if (index.isEmpty()) {
                continue;
            }
            if (!vendor.getKey().equals(index.get().vendor()) || index.get().products() == null) {
                failures.add(new Failure(source.describe(vendor.getValue().path()), "vendor", "is the document of "
                        + index.get().vendor() + ", the root names it for " + vendor.getKey()));
                continue;
            }
            for (Map.Entry<String, Ref> product : index.get().products().entrySet()) {
                Optional<ProductIndex> productIndex = document(product.getValue(), ProductIndex.class,
                        CatalogIndex.PRODUCT_FORMAT, failures, counts);
                if (productIndex.isEmpty()) {
                    continue;
                }
                ProductIndex p = productIndex.get();
                if (!vendor.getKey().equals(p.vendor()) || !product.getKey().equals(p.product())
                        || p.versions() == null) {
                    failures.add(new Failure(source.describe(product.getValue().path()), "product",
                            "is the document of " + p.vendor() + "/" + p.product() + ", its vendor names it for "
                                    + vendor.getKey() + "/" + product.getKey()));
                    continue;
                }
                products.accept(p);
                if (deep) {
                    p.versions().forEach((version, v) -> {
                        if (v.items() != null && ApplianceRecord.AVAILABLE.equals(v.state())) {
                            v.items().values().forEach(item -> {
                                counts[1]++;
                                artifact(item, failures);
                            });
                        }
                    });
                }
            }
        }
        return new Report(root.version(), root.expires(), counts[0], counts[1], failures);
    }

    private <T> Optional<T> document(Ref ref, Class<T> type, String format, List<Failure> failures, int[] counts) {
        if (ref == null || ref.path() == null || !ref.path().startsWith(CatalogIndex.INDEX_FOLDER)
                || java.util.Arrays.asList(ref.path().split("/", -1)).stream()
                .anyMatch(segment -> segment.isEmpty() || segment.equals(".") || segment.equals(".."))) {
            failures.add(new Failure(source.describe(CatalogIndex.INDEX_JSON), "reference",
                    "names a document outside " + CatalogIndex.INDEX_FOLDER + ": " + (ref == null ? null : ref.path())));
            return Optional.empty();
        }
        String url = source.describe(ref.path());
        if (ref.size() < 0 || ref.size() > IndexDocuments.MAX_DOCUMENT_BYTES) {
            failures.add(new Failure(url, "size", "its reference states " + ref.size() + " bytes, more than any index "
                    + "document may hold (" + IndexDocuments.MAX_DOCUMENT_BYTES + "): not read"));
            return Optional.empty();
        }
        Optional<byte[]> bytes = fetch(ref.path(), Math.max(0, ref.size()) + 1, failures);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        counts[0]++;
        if (bytes.get().length != ref.size()) {
            failures.add(new Failure(url, "size", bytes.get().length + (bytes.get().length > ref.size() ? "+" : "")
                    + " bytes, its reference states " + ref.size() + " (truncated or replaced)"));
            return Optional.empty();
        }
        String sha256 = IndexDocuments.sha256(bytes.get());
        if (!sha256.equals(ref.sha256())) {
            failures.add(new Failure(url, "sha256", "is " + sha256 + ", its reference states " + ref.sha256()
                    + " (tampered with or replaced)"));
            return Optional.empty();
        }
        signed(ref.path(), bytes.get(), failures);
        try {
            T document = EventCodec.JSON.readValue(bytes.get(), type);
            String actual = document instanceof VendorIndex v ? v.format()
                    : document instanceof ProductIndex p ? p.format() : null;
            if (!format.equals(actual)) {
                failures.add(new Failure(url, "format", "is " + actual + ", not " + format));
                return Optional.empty();
            }
            return Optional.of(document);
        } catch (IOException e) {
            failures.add(new Failure(url, "format", "not an index document: " + e.getMessage()));
            return Optional.empty();
        }
    }

    private void signed(String key, byte[] bytes, List<Failure> failures) {
        String signatureKey = key + CatalogIndex.SIGNATURE_SUFFIX;
        Optional<byte[]> signature = fetch(signatureKey, MAX_SIGNATURE_BYTES, new ArrayList<>());
        if (signature.isEmpty()) {
            failures.add(new Failure(source.describe(key), "signature", "no signature at "
                    + source.describe(signatureKey)));
        } else if (!this.key.verifies(bytes, signature.get())) {
            failures.add(new Failure(source.describe(key), "signature", "does not verify with the pinned key "
                    + "(altered after signing, or signed by another key)"));
        }
    }

    private void artifact(CatalogIndex.Item item, List<Failure> failures) {
        String url = source.describe(item.key());
        try {
            Optional<InputStream> opened = source.open(item.key());
            if (opened.isEmpty()) {
                failures.add(new Failure(url, "artifact", "not there"));
                return;
            }
            MessageDigest sha256 = IndexDocuments.sha256();
            long size = 0;
            try (InputStream in = new DigestInputStream(opened.get(), sha256)) {
                byte[] buffer = new byte[1 << 16];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    size += n;
                }
            }
            if (size != item.size()) {
                failures.add(new Failure(url, "artifact size", size + " bytes, the index states " + item.size()));
            } else if (item.sha256() != null && !HexFormat.of().formatHex(sha256.digest()).equals(item.sha256())) {
                failures.add(new Failure(url, "artifact sha256", "does not match the index's " + item.sha256()));
            }
        } catch (IOException e) {
            failures.add(new Failure(url, "artifact", "cannot be read: " + e.getMessage()));
        }
    }

    /** The object at {@code key}, at most {@code limit} bytes of it (a failure named when it is not there). */
    private Optional<byte[]> fetch(String key, long limit, List<Failure> failures) {
        try {
            Optional<InputStream> opened = source.open(key);
            if (opened.isEmpty()) {
                failures.add(new Failure(source.describe(key), "missing", "not there"));
                return Optional.empty();
            }
            try (InputStream in = opened.get()) {
                return Optional.of(in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 8)));
            }
        } catch (IOException e) {
            failures.add(new Failure(source.describe(key), "missing", "cannot be read: " + e.getMessage()));
            return Optional.empty();
        }
    }
}
