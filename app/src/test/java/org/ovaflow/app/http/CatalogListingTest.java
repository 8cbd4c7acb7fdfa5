package org.ovaflow.app.http;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;
import org.ovaflow.publish.catalog.ApplianceRecord;
import org.ovaflow.publish.catalog.CatalogIndex;
import org.ovaflow.publish.catalog.CatalogReader;
import org.ovaflow.publish.catalog.CatalogRetraction;
import org.ovaflow.publish.catalog.CatalogWrites;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The browsable catalog's lists, read from a real index in a real (embedded) store. */
class CatalogListingTest {

    private static final String BUCKET = "listing-catalog";

    @RegisterExtension
    static final S3Server S3 = new S3Server(BUCKET);

    private static CatalogListing listing;

    @BeforeAll
    static void publish() {
        ObjectStore store = S3.store();
        CatalogIndex index = new CatalogIndex(store, BUCKET);
        CatalogWrites writes = CatalogWrites.to(store);
        commit(writes, index, "acme-corp", "big-widget", "1.0", "Acme Corp", "Big Widget", 1);
        commit(writes, index, "acme-corp", "big-widget", "1.10", "Acme Corp", "Big Widget", 2);
        commit(writes, index, "acme-corp", "shop-suite", "3.1", "Acme Corp", "Shop Suite", 3);
        commit(writes, index, "globex", "router", "2.0", "Globex <b>&</b> Sons", "x".repeat(10_000), 4);
        commit(writes, index, "initech", "tps", "4.2", "Initech", "TPS", 5);
        index.rebuild(List.of("acme-corp", "globex", "initech"));
        new CatalogRetraction(store, BUCKET, null).retract("initech/tps/4.2", "CVE-2026-0001").orElseThrow();
        listing = new CatalogListing(index, new CatalogReader(store, BUCKET));
    }

    @Test
    void vendorsAreTheRootsWithTheirNumberOfProducts() {
        assertThat(listing.vendors().vendors()).extracting(CatalogListing.VendorSummary::vendor,
                CatalogListing.VendorSummary::products).containsExactly(
                org.assertj.core.groups.Tuple.tuple("acme-corp", 2), org.assertj.core.groups.Tuple.tuple("globex", 1),
                org.assertj.core.groups.Tuple.tuple("initech", 1));
    }

    @Test
    void productsComeWithTheirLatestVersionTheirCountAndTheNamesOfTheirDescriptor() {
        List<CatalogListing.ProductSummary> products = listing.products(null, null, null, 25).products();

        assertThat(products).extracting(p -> p.vendor() + "/" + p.product()).containsExactly(
                "acme-corp/big-widget", "acme-corp/shop-suite", "globex/router", "initech/tps");
        CatalogListing.ProductSummary widget = products.get(0);
        assertThat(widget.latest()).isEqualTo("1.10");
        assertThat(widget.versions()).isEqualTo(2);
        assertThat(widget.name()).isEqualTo("Big Widget");
        assertThat(widget.vendorName()).isEqualTo("Acme Corp");
        // every version retracted: none latest, still listed, named from its last version
        assertThat(products.get(3).latest()).isNull();
        assertThat(products.get(3).name()).isEqualTo("TPS");
        // a 10 KB name is cut in a list; markup stays as it was (the page puts it in as text)
        assertThat(products.get(2).name()).hasSize(CatalogListing.MAX_LISTED_NAME + 1).endsWith("…");
        assertThat(products.get(2).vendorName()).isEqualTo("Globex <b>&</b> Sons");
    }

    @Test
    void pagesFollowEachOtherWithoutGapOrRepeat() {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            CatalogListing.Products page = listing.products(null, null, cursor, 1);
            assertThat(page.products()).hasSize(1);
            page.products().forEach(p -> seen.add(p.vendor() + "/" + p.product()));
            cursor = page.next();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(4);
        assertThat(seen).containsExactly("acme-corp/big-widget", "acme-corp/shop-suite", "globex/router", "initech/tps");
        assertThat(listing.products(null, null, "acme-corp/shop-suite", 2).products())
                .extracting(CatalogListing.ProductSummary::product).containsExactly("router", "tps");
    }

    @Test
    void searchMatchesEveryWordAgainstTheSlugsAndTheVendorFilterKeepsOneVendor() {
        assertThat(listing.products(null, "Big Widget", null, 25).products())
                .extracting(CatalogListing.ProductSummary::product).containsExactly("big-widget");
        assertThat(listing.products(null, "ACME", null, 25).products()).hasSize(2);
        assertThat(listing.products(null, "acme router", null, 25).products()).isEmpty();
        assertThat(listing.products(null, "Rôuter", null, 25).products())
                .extracting(CatalogListing.ProductSummary::product).containsExactly("router");
        assertThat(listing.products("acme-corp", null, null, 25).products())
                .extracting(CatalogListing.ProductSummary::product).containsExactly("big-widget", "shop-suite");
        assertThat(listing.products("acme-corp", "shop", null, 25).products())
                .extracting(CatalogListing.ProductSummary::product).containsExactly("shop-suite");
        assertThat(listing.products("nobody", null, null, 25).products()).isEmpty();
        assertThat(CatalogListing.words("  <script>alert(1)</script> ")).containsExactly("script", "alert", "1", "script");
    }

    @Test
    void badPagesAndCursorsAreRefused() {
        assertThatThrownBy(() -> listing.products(null, null, null, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> listing.products(null, null, null, CatalogListing.MAX_PAGE + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> listing.products(null, null, "acme-corp", 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vendor/product");
    }

    private static void commit(CatalogWrites writes, CatalogIndex index, String vendor, String product, String version,
                               String vendorName, String productName, int n) {
        String folder = vendor + "/" + product + "/" + version + "/";
        String id = String.format("%024x", n);
        Instant published = Instant.parse("2026-12-01T00:00:00Z").plusSeconds(n);
        ApplianceMetadata appliance = new ApplianceMetadata("1.x", vendorName, productName, version, version, null,
                productName, List.of(), List.of(), List.of(), List.of(), List.of(), null, false);
        ApplianceRecord record = new ApplianceRecord(1, vendor, product, version, appliance, List.of(
                new ApplianceRecord.Artifact("disk1.qcow2", "disk", folder + "qcow2/disk1.qcow2", 1 << 20,
                        "ab".repeat(32), "http://www.gnome.org/~markmc/qcow-image-format.html", "qcow2")),
                new ApplianceRecord.Provenance(id, "incoming/" + id + ".ova", "etag-" + id, null, published,
                        published, List.of()), null, null);
        byte[] json = EventCodec.toPrettyJson(record);
        writes.write(BUCKET, folder + "appliance.json", json, "application/json");
        index.mark(record, json);
    }
}
