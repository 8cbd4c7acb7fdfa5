package org.ovaflow.app.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.app.bench.CatalogScaleBench.CountingProxy;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;
import org.ovaflow.publish.catalog.ApplianceRecord;
import org.ovaflow.publish.catalog.CatalogIndex;
import org.ovaflow.publish.catalog.CatalogReader;
import org.ovaflow.publish.catalog.CatalogWrites;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a page of the browsable catalog costs the store, counted by a proxy in front of it: the root, the vendors'
 * documents the page reaches, and its products' documents and appliance.json, never the catalog's other entries;
 * a page read again costs the root alone. So its cost follows the page, not the size of the catalog.
 */
class CatalogListingCostTest {

    private static final String BUCKET = "listing-cost";
    private static final int VENDORS = 3;
    private static final int PRODUCTS = 12;
    private static final int VERSIONS = 2;

    @RegisterExtension
    static final S3Server S3 = new S3Server(BUCKET);

    private static CountingProxy proxy;
    private static CatalogListing listing;

    @BeforeAll
    static void publish() throws Exception {
        ObjectStore store = S3.store();
        CatalogIndex writer = new CatalogIndex(store, BUCKET);
        CatalogWrites writes = CatalogWrites.to(store);
        List<String> vendors = new ArrayList<>();
        for (int v = 0; v < VENDORS; v++) {
            String vendor = String.format(Locale.ROOT, "vendor-%d", v);
            vendors.add(vendor);
            for (int p = 0; p < PRODUCTS; p++) {
                for (int n = 1; n <= VERSIONS; n++) {
                    commit(writes, writer, vendor, String.format(Locale.ROOT, "product-%02d", p), n + ".0");
                }
            }
        }
        writer.rebuild(vendors);
        proxy = new CountingProxy(URI.create(store.endpoint()).getPort());
        // a reader of its own, as the HTTP process is: nothing of the writer's cached
        ObjectStore counted = S3.clientThrough(proxy.endpoint());
        listing = new CatalogListing(new CatalogIndex(counted, BUCKET), new CatalogReader(counted, BUCKET));
    }

    @AfterAll
    static void stopProxy() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void aPageReadsTheRootItsVendorsDocumentAndItsOwnProductsOnly() {
        int page = 5;
        proxy.reset();
        CatalogListing.Products first = listing.products(null, null, null, page);

        assertThat(first.products()).hasSize(page);
        assertThat(first.products()).allSatisfy(p -> assertThat(p.name()).startsWith("Product"));
        // root, one vendor's document, and per product its document and its latest appliance.json (HEAD, GET)
        assertThat(proxy.requests()).as(proxy.byMethod().toString())
                .isLessThanOrEqualTo(1 + 1 + page + 2L * page)
                .isLessThan(VENDORS * PRODUCTS * VERSIONS);

        proxy.reset();
        listing.products(null, null, null, page);
        assertThat(proxy.requests()).as("the same page again: the root only, " + proxy.byMethod()).isEqualTo(1);

        proxy.reset();
        CatalogListing.Products last = listing.products(null, null, "vendor-2/product-08", page);
        assertThat(last.products()).extracting(CatalogListing.ProductSummary::product)
                .containsExactly("product-09", "product-10", "product-11");
        assertThat(proxy.requests()).as("the last vendor's page: " + proxy.byMethod())
                .isLessThanOrEqualTo(1 + 1 + 3 + 2L * 3);
    }

    private static void commit(CatalogWrites writes, CatalogIndex index, String vendor, String product,
                               String version) {
        String folder = vendor + "/" + product + "/" + version + "/";
        String id = Integer.toHexString(folder.hashCode());
        Instant published = Instant.parse("2026-12-01T00:00:00Z");
        ApplianceMetadata appliance = new ApplianceMetadata("1.x", vendor, "Product " + product, version, version,
                null, product, List.of(), List.of(), List.of(), List.of(), List.of(), null, false);
        ApplianceRecord record = new ApplianceRecord(1, vendor, product, version, appliance, List.of(),
                new ApplianceRecord.Provenance(id, "incoming/" + id + ".ova", "etag-" + id, null, published,
                        published, List.of()), null, null);
        byte[] json = EventCodec.toJson(record);
        writes.write(BUCKET, folder + "appliance.json", json, "application/json");
        index.mark(record, json);
    }
}
