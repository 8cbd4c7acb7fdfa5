package org.ovaflow.publish.catalog;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ovaflow.publish.catalog.StagedImports.INCOMING;
import static org.ovaflow.publish.catalog.StagedImports.STAGING;

/** index.json at the catalog's root and per vendor: shape, latest versions, retraction, rebuilds. */
class CatalogIndexTest {

    @RegisterExtension
    static final S3Server S3 = new S3Server(INCOMING, STAGING);

    private final ObjectStore store = S3.store();
    private final StagedImports imports = new StagedImports(store);
    private final String catalog = "catalog-" + Long.toHexString(System.nanoTime());
    private final PublishStage stage = new PublishStage(store, catalog);
    private final CatalogIndex index = new CatalogIndex(store, catalog);
    private final Instant retractedAt = Instant.parse("2025-01-02T03:04:05Z");
    private final CatalogRetraction retraction = new CatalogRetraction(store, CatalogWrites.to(store), catalog,
            Clock.fixed(retractedAt, ZoneOffset.UTC), null);

    @BeforeEach
    void createCatalog() {
        store.ensureBuckets(List.of(catalog));
    }

    @Test
    void listsEveryProductWithItsVersionsInVersionOrderTheLatestAndEachVersionsFiles() throws Exception {
        ImportEvent v12 = publish("Acme Corp", "Widget Server", "1.2", 1);
        publish("Acme Corp", "Widget Server", "1.10", 2);
        publish("Acme Corp", "Widget Server", "1.9", 3);
        publish("Acme Corp", "Gadget", "7", 4);
        publish("Globex", "Router", "3.0", 5);

        CatalogIndex.Document root = index.read().orElseThrow();

        assertThat(root.format()).isEqualTo("ovaflow-index:2");
        assertThat(root.updated()).isNotNull();
        assertThat(root.products()).containsOnlyKeys("acme-corp/gadget", "acme-corp/widget-server", "globex/router");
        CatalogIndex.Product widget = root.products().get("acme-corp/widget-server");
        assertThat(widget.vendor()).isEqualTo("acme-corp");
        assertThat(widget.product()).isEqualTo("widget-server");
        assertThat(widget.latest()).isEqualTo("1.10");
        assertThat(widget.versions()).containsOnlyKeys("1.2", "1.9", "1.10");
        CatalogIndex.Version version = widget.versions().get("1.2");
        ApplianceRecord entry = new CatalogReader(store, catalog).find("acme-corp/widget-server/1.2").orElseThrow();
        assertThat(version.state()).isEqualTo("available");
        assertThat(version.importId()).isEqualTo(v12.importId());
        assertThat(version.published()).isEqualTo(entry.provenance().publishedAt());
        assertThat(version.path()).isEqualTo("acme-corp/widget-server/1.2/");
        assertThat(version.etag()).isEqualTo(store.stat(catalog, "acme-corp/widget-server/1.2/appliance.json")
                .orElseThrow().etag());
        assertThat(version.retraction()).isNull();
        assertThat(version.items()).containsOnlyKeys("widget.ovf", "widget.mf", "disk1.img", "widget-1-2.ova");
        ApplianceRecord.Artifact disk = entry.artifacts().get(2);
        assertThat(version.items().get("disk1.img")).isEqualTo(new CatalogIndex.Item(disk.size(), disk.sha256(),
                disk.format(), null, "disk", "acme-corp/widget-server/1.2/disk1.img"));

        // the root names each vendor's document, which names each product's, by path, size and sha256
        CatalogIndex.Root tree = index.root().orElseThrow();
        assertThat(tree.version()).isPositive();
        assertThat(tree.expires()).isAfter(java.time.Instant.now().plus(java.time.Duration.ofDays(6)));
        assertThat(tree.vendors()).containsOnlyKeys("acme-corp", "globex");
        CatalogIndex.Ref acmeRef = tree.vendors().get("acme-corp");
        byte[] acmeBytes = imports.read(catalog, acmeRef.path());
        assertThat(acmeRef.path()).isEqualTo(".index/acme-corp/" + IndexDocuments.sha256(acmeBytes) + ".json");
        assertThat(acmeRef.size()).isEqualTo(acmeBytes.length);
        CatalogIndex.Ref widgetRef = index.vendor("acme-corp").orElseThrow().products().get("widget-server");
        assertThat(widgetRef.latest()).isEqualTo("1.10");
        assertThat(widgetRef.count()).isEqualTo(3);
        String json = new String(imports.read(catalog, widgetRef.path()), StandardCharsets.UTF_8);
        assertThat(IndexDocuments.sha256(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(widgetRef.sha256());
        // versions in version order, as written
        assertThat(json.indexOf("\"1.2\":{")).isLessThan(json.indexOf("\"1.9\":{"));
        assertThat(json.indexOf("\"1.9\":{")).isLessThan(json.indexOf("\"1.10\":{"));
        assertThat(json).contains("\"format\":\"ovaflow-product-index:2\"", "\"latest\":\"1.10\"",
                "\"items\":{", "\"sha256\":\"" + disk.sha256() + "\"");

        CatalogIndex.Document acme = index.readVendor("acme-corp").orElseThrow();
        assertThat(acme.products()).containsOnlyKeys("acme-corp/gadget", "acme-corp/widget-server");
        assertThat(acme.products().get("acme-corp/widget-server")).isEqualTo(widget);
        assertThat(index.readVendor("globex").orElseThrow().products()).containsOnlyKeys("globex/router");
    }

    @Test
    void aRetractedVersionStaysMarkedButIsNeverTheLatest() {
        publish("Acme Corp", "Widget Server", "1.2", 1);
        publish("Acme Corp", "Widget Server", "1.10", 2);
        publish("Acme Corp", "Widget Server", "1.9", 3);

        ApplianceRecord retracted = retraction.retract("acme-corp/widget-server/1.10", "CVE-2025-0001").orElseThrow();

        assertThat(retracted.state()).isEqualTo("retracted");
        assertThat(retracted.retraction()).isEqualTo(new ApplianceRecord.Retraction(retractedAt, "CVE-2025-0001"));
        CatalogIndex.Product widget = index.read().orElseThrow().products().get("acme-corp/widget-server");
        assertThat(widget.latest()).isEqualTo("1.9");
        assertThat(widget.versions().get("1.10").state()).isEqualTo("retracted");
        assertThat(widget.versions().get("1.10").retraction().reason()).isEqualTo("CVE-2025-0001");
        assertThat(index.readVendor("acme-corp").orElseThrow().products().get("acme-corp/widget-server").latest())
                .isEqualTo("1.9");

        retraction.retract("acme-corp/widget-server/1.9", null);
        retraction.retract(new CatalogReader(store, catalog).find("acme-corp/widget-server/1.2").orElseThrow()
                .provenance().importId(), "by importId");

        widget = index.read().orElseThrow().products().get("acme-corp/widget-server");
        assertThat(widget.latest()).isNull();
        assertThat(widget.versions()).hasSize(3).allSatisfy((v, entry) -> assertThat(entry.state()).isEqualTo("retracted"));
        assertThat(retraction.retract("acme-corp/widget-server/0.1", "no such")).isEmpty();
    }

    @Test
    void retractingTwiceKeepsTheFirstRetraction() {
        publish("Acme Corp", "Widget Server", "1.0", 1);
        retraction.retract("acme-corp/widget-server/1.0", "first");
        ObjectInfo commit = store.stat(catalog, "acme-corp/widget-server/1.0/appliance.json").orElseThrow();

        ApplianceRecord again = retraction.retract("acme-corp/widget-server/1.0", "second").orElseThrow();

        assertThat(again.retraction().reason()).isEqualTo("first");
        assertThat(store.stat(catalog, "acme-corp/widget-server/1.0/appliance.json").orElseThrow().etag())
                .isEqualTo(commit.etag());
    }

    @Test
    void anIndexThatAlreadySaysWhatTheEntriesSayIsNotRewritten() {
        publish("Acme Corp", "Widget Server", "1.0", 1);
        ObjectInfo before = store.stat(catalog, "index.json").orElseThrow();

        index.rebuild();

        assertThat(store.stat(catalog, "index.json").orElseThrow().etag()).isEqualTo(before.etag());
        assertThat(index.read().orElseThrow().products()).containsOnlyKeys("acme-corp/widget-server");
    }

    @Test
    void anUnreadableOrMissingIndexIsRebuiltFromTheEntries() {
        publish("Acme Corp", "Widget Server", "1.0", 1);
        publish("Globex", "Router", "3.0", 2);
        store.write(catalog, "index.json", "not json".getBytes(StandardCharsets.UTF_8), "application/json");

        new CatalogIndex(store, catalog).rebuild();

        assertThat(index.read().orElseThrow().products()).containsOnlyKeys("acme-corp/widget-server", "globex/router");
        assertThat(index.readVendor("globex").orElseThrow().products()).containsOnlyKeys("globex/router");
    }

    @Test
    void eachEntryHasAMarkerWithItsAppliancesJsonBytesAndTheIndexIsBuiltFromTheMarkers() throws Exception {
        publish("Acme Corp", "Widget Server", "1.0", 1);
        retraction.retract("acme-corp/widget-server/1.0", "marked too");

        assertThat(imports.read(catalog, CatalogIndex.markerOf("acme-corp/widget-server/1.0/")))
                .isEqualTo(imports.read(catalog, "acme-corp/widget-server/1.0/appliance.json"));
        // an entry is in the index once it is marked: an appliance.json without its marker is not listed (until a
        // process starts: its first rebuild, done here, compares every entry with its marker)
        index.rebuild();
        store.write(catalog, "globex/router/3.0/appliance.json",
                imports.read(catalog, "acme-corp/widget-server/1.0/appliance.json"), "application/json");
        index.rebuild();
        assertThat(index.read().orElseThrow().products()).containsOnlyKeys("acme-corp/widget-server");
    }

    @Test
    void aNewProcessGivesEveryEntryItsMarkerAsItsAppliancesJsonNowIsAndRemovesTheMarkersOfEntriesGone()
            throws Exception {
        publish("Acme Corp", "Widget Server", "1.0", 1);
        publish("Acme Corp", "Widget Server", "2.0", 2);
        publish("Globex", "Router", "3.0", 3);
        // a catalog from before markers (1.0's marker missing), a crash between a retraction's appliance.json and
        // its marker (2.0), an entry removed by hand (globex)
        store.remove(catalog, CatalogIndex.markerOf("acme-corp/widget-server/1.0/"));
        ApplianceRecord retracted = new CatalogReader(store, catalog).find("acme-corp/widget-server/2.0").orElseThrow()
                .retracted(retractedAt, "by hand");
        store.write(catalog, "acme-corp/widget-server/2.0/appliance.json",
                org.ovaflow.core.event.EventCodec.toPrettyJson(retracted), "application/json");
        store.remove(catalog, "globex/router/3.0/appliance.json");

        new CatalogIndex(store, catalog).rebuild();
        CatalogIndex.Document rebuilt = index.read().orElseThrow();

        assertThat(rebuilt.products()).containsOnlyKeys("acme-corp/widget-server");
        assertThat(rebuilt.products().get("acme-corp/widget-server").versions()).containsOnlyKeys("1.0", "2.0");
        assertThat(rebuilt.products().get("acme-corp/widget-server").versions().get("2.0").state())
                .isEqualTo("retracted");
        for (String folder : List.of("acme-corp/widget-server/1.0/", "acme-corp/widget-server/2.0/")) {
            assertThat(imports.read(catalog, CatalogIndex.markerOf(folder))).as(folder)
                    .isEqualTo(imports.read(catalog, folder + "appliance.json"));
        }
        assertThat(store.exists(catalog, CatalogIndex.markerOf("globex/router/3.0/"))).isFalse();
        assertThat(index.read().orElseThrow().products()).containsOnlyKeys("acme-corp/widget-server");
    }

    @Test
    void anIndexThisInstanceWroteIsReadAgainOnceAnotherWriterChangedIt() throws Exception {
        publish("Acme Corp", "Widget Server", "1.0", 1);
        store.remove(catalog, "index.json");
        index.rebuild(); // written by this instance: kept with its etag
        ObjectInfo mine = store.stat(catalog, "index.json").orElseThrow();
        index.rebuild();
        assertThat(index.read().orElseThrow().products()).containsOnlyKeys("acme-corp/widget-server");
        assertThat(store.stat(catalog, "index.json").orElseThrow().etag()).as("current: not rewritten")
                .isEqualTo(mine.etag());

        store.write(catalog, "index.json", "not json".getBytes(StandardCharsets.UTF_8), "application/json");
        index.rebuild();

        assertThat(new String(imports.read(catalog, "index.json"), StandardCharsets.UTF_8)).startsWith("{");
        assertThat(new CatalogIndex(store, catalog).read().orElseThrow().products())
                .containsOnlyKeys("acme-corp/widget-server");
    }

    @Test
    void anEntryMarkedButNotYetIndexedIsIndexedByTheNextRebuildForItsVendorAndTheRootGetsANewVersion()
            throws Exception {
        publish("Acme Corp", "Widget Server", "1.0", 1);
        publish("Globex", "Router", "3.0", 2);
        index.rebuild(); // this instance's first: every vendor checked
        CatalogIndex.Root before = index.root().orElseThrow();
        // a writer stopped after 2.0's marker, before the index: the root still says what it said
        ApplianceRecord one = new CatalogReader(store, catalog).find("acme-corp/widget-server/1.0").orElseThrow();
        ApplianceRecord two = new ApplianceRecord(one.schemaVersion(), one.vendor(), one.product(), "2.0",
                one.appliance(), List.of(), one.provenance(), null, null);
        byte[] json = org.ovaflow.core.event.EventCodec.toPrettyJson(two);
        store.write(catalog, "acme-corp/widget-server/2.0/appliance.json", json, "application/json");
        store.write(catalog, CatalogIndex.markerOf("acme-corp/widget-server/2.0/"), json, "application/json");

        index.rebuild();
        assertThat(index.root().orElseThrow()).as("no vendor asked for: current").isEqualTo(before);

        index.rebuild("acme-corp");

        CatalogIndex.Root after = index.root().orElseThrow();
        assertThat(after.version()).isEqualTo(before.version() + 1);
        assertThat(after.vendors().get("globex")).as("not rewritten").isEqualTo(before.vendors().get("globex"));
        assertThat(index.readVendor("acme-corp").orElseThrow().products().get("acme-corp/widget-server").versions())
                .containsOnlyKeys("1.0", "2.0");
    }

    @Test
    void aStaleIndexWrittenOverANewerOneIsCorrectedByItsWritersSecondListing() {
        publish("Acme Corp", "Widget Server", "1.0", 1);
        ImportEvent later = imports.transcoded("later.ova", "Acme Corp", "Widget Server", "2.0", 2);
        PublishStage other = new PublishStage(store, catalog);
        AtomicBoolean interleaved = new AtomicBoolean();
        // just before this rebuild writes the index it built (from a listing with 1.0 only), another process
        // publishes 2.0 and writes its index: this one's is then stale and overwrites the newer one
        CatalogWrites slowWrites = new CatalogWrites() {
            private final CatalogWrites direct = CatalogWrites.to(store);

            @Override
            public void copy(String fromBucket, String fromKey, long size, String fromEtag, String toBucket,
                             String toKey) {
                direct.copy(fromBucket, fromKey, size, fromEtag, toBucket, toKey);
            }

            @Override
            public String write(String bucket, String key, byte[] data, String contentType) {
                if (key.endsWith(CatalogIndex.INDEX_JSON) && interleaved.compareAndSet(false, true)) {
                    other.publish(later);
                    assertThat(index.read().orElseThrow().products().get("acme-corp/widget-server").versions())
                            .containsOnlyKeys("1.0", "2.0");
                }
                return direct.write(bucket, key, data, contentType);
            }

            @Override
            public void remove(String bucket, String key) {
                direct.remove(bucket, key);
            }
        };
        store.remove(catalog, "index.json"); // so that this rebuild has something to write

        new CatalogIndex(store, slowWrites, catalog, null).rebuild();

        assertThat(interleaved).isTrue();
        assertThat(index.read().orElseThrow().products().get("acme-corp/widget-server").versions())
                .containsOnlyKeys("1.0", "2.0");
        assertThat(index.readVendor("acme-corp").orElseThrow().products().get("acme-corp/widget-server").latest())
                .isEqualTo("2.0");
    }

    @Test
    void rebuildsRequestedAtOnceInOneProcessTakeTurnsAndEachReturnsAnIndexWithEveryEntryCommittedBefore()
            throws Exception {
        publish("Acme Corp", "Widget Server", "1.0", 1);
        publish("Globex", "Gadget", "7", 2);
        publish("Initech", "Stapler", "2", 3);
        store.remove(catalog, "index.json");
        CatalogIndex shared = new CatalogIndex(store, catalog);
        List<String> vendors = List.of("acme-corp", "globex", "initech");
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<CatalogIndex.Root>> rebuilds = new java.util.ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String vendor = vendors.get(i % 3);
                rebuilds.add(threads.submit(() -> shared.rebuild(vendor)));
            }
            for (java.util.concurrent.Future<CatalogIndex.Root> rebuild : rebuilds) {
                assertThat(rebuild.get(60, java.util.concurrent.TimeUnit.SECONDS).vendors())
                        .containsOnlyKeys("acme-corp", "globex", "initech");
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(index.read().orElseThrow().products()).hasSize(3);
    }

    private ImportEvent publish(String vendor, String product, String version, long seed) {
        ImportEvent event = imports.transcoded("widget-" + version.replace('.', '-') + ".ova", vendor, product,
                version, seed);
        assertThat(stage.publish(event).event().catalogPath()).isNotNull();
        return event;
    }

    @Test
    void pagesListTheVersionsInOrderFromACursorAndLeaveRetractedOnesOutUnlessAskedFor() {
        publish("Acme Corp", "Widget Server", "1.2", 1);
        publish("Acme Corp", "Widget Server", "1.10", 2);
        publish("Acme Corp", "Widget Server", "1.9", 3);
        publish("Acme Corp", "Gadget", "7", 4);
        publish("Globex", "Router", "3.0", 5);
        retraction.retract("acme-corp/widget-server/1.9", "recalled");

        List<String> all = new java.util.ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            CatalogIndex.Page page = index.page(cursor, 2, true);
            assertThat(page.entries()).hasSizeLessThanOrEqualTo(2);
            page.entries().forEach(e -> all.add(e.vendor() + "/" + e.product() + "/" + e.version() + " " + e.state()));
            cursor = page.next();
            pages++;
        } while (cursor != null);

        assertThat(all).containsExactly("acme-corp/gadget/7 available", "acme-corp/widget-server/1.2 available",
                "acme-corp/widget-server/1.9 retracted", "acme-corp/widget-server/1.10 available",
                "globex/router/3.0 available");
        assertThat(pages).isEqualTo(3);
        CatalogIndex.Page available = index.page("acme-corp/widget-server/1.2", 10, false);
        assertThat(available.entries()).extracting(CatalogIndex.Entry::version).containsExactly("1.10", "3.0");
        assertThat(available.next()).isNull();
        assertThat(available.entries().get(0).items()).containsKey("disk1.img");
    }

    @Test
    void aCatalogIndexedInFormat1IsRebuiltIntoFormat2AndItsVendorDocumentsRemoved() throws Exception {
        publish("Acme Corp", "Widget Server", "1.0", 1);
        // as the code before issue 23 left it: one document listing every version, one per vendor
        byte[] legacy = ("{\"format\":\"ovaflow-index:1\",\"products\":{\"acme-corp/widget-server\":{\"vendor\":"
                + "\"acme-corp\",\"product\":\"widget-server\",\"versions\":{}}}}").getBytes(StandardCharsets.UTF_8);
        store.write(catalog, "index.json", legacy, "application/json");
        store.write(catalog, "acme-corp/index.json", legacy, "application/json");
        assertThat(new CatalogIndex(store, catalog).root()).as("not format 2").isEmpty();

        new CatalogIndex(store, catalog).rebuild("acme-corp");

        assertThat(index.root().orElseThrow().format()).isEqualTo(CatalogIndex.FORMAT);
        assertThat(index.read().orElseThrow().products().get("acme-corp/widget-server").versions())
                .containsOnlyKeys("1.0");
        assertThat(store.exists(catalog, "acme-corp/index.json")).isFalse();
    }
}
