package org.ovaflow.app.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.publish.catalog.ApplianceRecord;
import org.ovaflow.publish.catalog.CatalogIndex;
import org.ovaflow.publish.catalog.CatalogIndex.ProductIndex;
import org.ovaflow.publish.catalog.CatalogIndex.Ref;
import org.ovaflow.publish.catalog.CatalogIndex.Root;
import org.ovaflow.publish.catalog.CatalogIndex.VendorIndex;
import org.ovaflow.publish.catalog.CatalogReader;

import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The browsable catalog's lists, read from the index as a consumer reads it: the root for the vendors, the vendors'
 * documents for their products (name, latest version, number of versions), and the product documents of the
 * products on the page only, with one appliance.json each for the names people know them by. Its cost follows the
 * page, not the catalog: nothing here lists the bucket or reads every product.
 */
final class CatalogListing {

    /** Products in a page unless {@code limit} says, and the most it may say. */
    static final int DEFAULT_PAGE = 25;
    static final int MAX_PAGE = 200;
    /** A name in a list is cut here (the product page shows it whole): a 10 KB name must not make a 10 MB page. */
    static final int MAX_LISTED_NAME = 200;
    /** Names of the versions the lists showed lately; they never change for one marker etag. */
    private static final int CACHED_NAMES = 4096;

    private final CatalogIndex index;
    private final CatalogReader entries;
    private final Map<String, Names> names = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Names> eldest) {
            return size() > CACHED_NAMES;
        }
    });

    CatalogListing(CatalogIndex index, CatalogReader entries) {
        this.index = index;
        this.entries = entries;
    }

    /** A vendor as the root lists it: its slug, how many products it has, when one last changed. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record VendorSummary(String vendor, int products, Instant updated) {
    }

    record Vendors(List<VendorSummary> vendors) {
    }

    /**
     * A product in a list: its slugs, its latest available version (absent when all are retracted), how many versions
     * it has, when it last changed, and the product's and vendor's names as its newest version's descriptor spells
     * them (cut at {@value #MAX_LISTED_NAME} characters).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ProductSummary(String vendor, String product, String latest, int versions, Instant updated, String name,
                          String vendorName) {
    }

    /** A page of products and the cursor of the next ({@code vendor/product}; absent on the last page). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Products(List<ProductSummary> products, String next) {
    }

    private record Names(String name, String vendorName) {
    }

    Vendors vendors() {
        List<VendorSummary> vendors = new ArrayList<>();
        index.root().ifPresent(root -> new TreeMap<>(root.vendors()).forEach((vendor, ref) ->
                vendors.add(new VendorSummary(vendor, ref.count(), ref.updated()))));
        return new Vendors(vendors);
    }

    /**
     * Up to {@code limit} products after {@code after} ({@code vendor/product}, null: from the start) in vendor and
     * product order, of {@code vendor} only unless null, whose {@code vendor/product} slugs hold every word of
     * {@code query} (null or blank: every product). Words are compared as the catalog's slugs spell names: "Big
     * Widget" finds {@code acme-corp/big-widget}.
     */
    Products products(String vendor, String query, String after, int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("a page holds 1 to " + MAX_PAGE + " products, not " + limit);
        }
        Optional<Root> root = index.root();
        if (root.isEmpty()) {
            return new Products(List.of(), null);
        }
        String[] cursor = after == null ? null : after.split("/", -1);
        if (cursor != null && cursor.length != 2) {
            throw new IllegalArgumentException("a cursor is vendor/product, not '" + after + "'");
        }
        List<String> words = words(query);
        SortedMap<String, Ref> vendors = new TreeMap<>(root.get().vendors());
        if (vendor != null) {
            vendors = vendors.containsKey(vendor) ? new TreeMap<>(Map.of(vendor, vendors.get(vendor))) : new TreeMap<>();
        }
        if (cursor != null) {
            vendors = vendors.tailMap(cursor[0]);
        }
        List<ProductSummary> page = new ArrayList<>();
        for (String vendorSlug : vendors.keySet()) {
            Optional<VendorIndex> vendorIndex = index.vendor(root.get(), vendorSlug);
            if (vendorIndex.isEmpty()) {
                continue; // named but not there as stated: the next rebuild mends it
            }
            SortedMap<String, Ref> products = new TreeMap<>(vendorIndex.get().products());
            if (cursor != null && cursor[0].equals(vendorSlug)) {
                products = products.tailMap(cursor[1] + "\0"); // strictly after the cursor's product
            }
            for (Map.Entry<String, Ref> product : products.entrySet()) {
                if (!matches(vendorSlug + "/" + product.getKey(), words)) {
                    continue;
                }
                if (page.size() == limit) {
                    ProductSummary last = page.get(page.size() - 1);
                    return new Products(page, last.vendor() + "/" + last.product());
                }
                page.add(summary(vendorIndex.get(), product.getKey(), product.getValue()));
            }
        }
        return new Products(page, null);
    }

    private ProductSummary summary(VendorIndex vendor, String product, Ref ref) {
        Names known = index.product(vendor, product).flatMap(this::names).orElse(new Names(null, null));
        return new ProductSummary(vendor.vendor(), product, ref.latest(), ref.count(), ref.updated(), known.name(),
                known.vendorName());
    }

    /** The names in the appliance.json of the product's latest version (its last one when all are retracted). */
    private Optional<Names> names(ProductIndex product) {
        if (product.versions().isEmpty()) {
            return Optional.empty();
        }
        String version = product.latest() != null && product.versions().containsKey(product.latest())
                ? product.latest() : new ArrayList<>(product.versions().keySet()).get(product.versions().size() - 1);
        CatalogIndex.Version listed = product.versions().get(version);
        if (listed.path() == null) {
            return Optional.empty();
        }
        String cacheKey = listed.path() + " " + listed.etag();
        Names cached = names.get(cacheKey);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<Names> read = entries.at(listed.path()).map(CatalogListing::names);
        read.ifPresent(n -> names.put(cacheKey, n));
        return read;
    }

    private static Names names(ApplianceRecord record) {
        ApplianceMetadata appliance = record.appliance();
        if (appliance == null) {
            return new Names(null, null);
        }
        String name = appliance.product() != null ? appliance.product() : appliance.name();
        return new Names(ApplianceMetadata.cut(name, MAX_LISTED_NAME),
                ApplianceMetadata.cut(appliance.vendor(), MAX_LISTED_NAME));
    }

    /** The words of a query as slugs spell them: accents dropped, lower case, split at what a slug has not. */
    static List<String> words(String query) {
        if (query == null || query.isBlank()) {
            return List.of();
        }
        String ascii = Normalizer.normalize(query, Normalizer.Form.NFKD).replaceAll("\\p{M}", "");
        return Arrays.stream(ascii.toLowerCase(Locale.ROOT).split("[^a-z0-9._]+"))
                .filter(w -> !w.isEmpty()).toList();
    }

    static boolean matches(String slugs, List<String> words) {
        return words.stream().allMatch(slugs::contains);
    }
}
