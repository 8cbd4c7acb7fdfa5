package org.ovaflow.publish.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ovaflow.publish.catalog.StagedImports.INCOMING;
import static org.ovaflow.publish.catalog.StagedImports.STAGING;
import static org.ovaflow.publish.catalog.StagedImports.files;
import static org.ovaflow.publish.catalog.StagedImports.sha256;

/**
 * A publication stopped between any two of its writes, as a crash would, then the same event delivered again:
 * readers (the entries, the index) see nothing or a whole entry after every single write, and the retry ends
 * with the whole entry, in the index, staging cleared.
 */
class PublicationCrashIT {

    @RegisterExtension
    static final S3Server S3 = new S3Server(INCOMING, STAGING);

    private final ObjectStore store = S3.store();
    private final StagedImports imports = new StagedImports(store);

    @Test
    void aFirstPublicationCrashedBetweenAnyTwoWritesIsInvisibleOrWholeAndItsRetryCompletesIt() throws Exception {
        int writes = countWrites(catalog -> imports.transcoded("widget.ova", "1.0", files("1.0", 1)), false);
        assertThat(writes).as("copies (3 + the OVA), appliance.json, its marker, the journal's pending record, the "
                + "product's, the vendor's documents, the feeds' pending record, the root, the feeds' pages (catalog, "
                + "vendor, product) and the pending record's removal, the journal's done record and the pending one's "
                + "removal, 4 removals").isEqualTo(21);

        for (int crashAfter = 0; crashAfter < writes; crashAfter++) {
            String catalog = newCatalog();
            ImportEvent event = imports.transcoded("widget.ova", "1.0", files("1.0", 1));

            crashThenRetry(catalog, event, crashAfter, PublishSettings.DEFAULTS);

            ApplianceRecord entry = new CatalogReader(store, catalog).find("acme-corp/widget-server/1.0").orElseThrow();
            assertThat(entry.provenance().importId()).as("after a crash after write %d", crashAfter)
                    .isEqualTo(event.importId());
            assertWhole(catalog, entry);
            assertThat(store.list(STAGING, "imports/" + event.importId() + "/")).isEmpty();
        }
    }

    @Test
    void aReplacementCrashedBetweenAnyTwoWritesLeavesTheOldOrTheNewEntryWholeAndItsRetryCompletesIt() throws Exception {
        PublishSettings replace = new PublishSettings(PublishSettings.OnConflict.REPLACE, true);
        int writes = countWrites(catalog -> {
            new PublishStage(store, catalog).publish(imports.transcoded("widget.ova", "1.0", files("1.0", 1)));
            return imports.transcoded("widget-fixed.ova", "1.0", files("1.0", 2));
        }, true);
        assertThat(writes).as("copies, the note, appliance.json, its marker, the journal (3), the index (3), the "
                + "feeds (pending, 3 pages, its removal), 4 old files removed, 5 removals").isEqualTo(26);

        for (int crashAfter = 0; crashAfter < writes; crashAfter++) {
            String catalog = newCatalog();
            ImportEvent original = imports.transcoded("widget.ova", "1.0", files("1.0", 1));
            new PublishStage(store, catalog).publish(original);
            ImportEvent replacement = imports.transcoded("widget-fixed.ova", "1.0", files("1.0", 2));

            crashThenRetry(catalog, replacement, crashAfter, replace);

            ApplianceRecord entry = new CatalogReader(store, catalog).find("acme-corp/widget-server/1.0").orElseThrow();
            assertThat(entry.provenance().importId()).isEqualTo(replacement.importId());
            assertWhole(catalog, entry);
            // nothing of the replaced entry is left
            assertThat(store.list(catalog, "acme-corp/widget-server/1.0/")).extracting(ObjectInfo::key)
                    .containsExactlyInAnyOrderElementsOf(keysOf(entry));
            assertThat(store.list(STAGING, "imports/" + replacement.importId() + "/")).isEmpty();
        }
    }

    @Test
    void aFirstPublicationOfFilesWrittenInPlaceCrashedAnywhereIsInvisibleOrWholeAndLeavesNothingUnnamed()
            throws Exception {
        int writes = countWrites(catalog -> imports.transcodedInto(catalog, "widget.ova", "1.0", files("1.0", 1)),
                false);
        assertThat(writes).as("appliance.json, its marker, the journal (3), the index (3), the feeds (the pending "
                + "record, three pages, its removal): no copy, transcode wrote the files and copied the OVA")
                .isEqualTo(13);

        for (int crashAfter = 0; crashAfter < writes; crashAfter++) {
            String catalog = newCatalog();
            ImportEvent event = imports.transcodedInto(catalog, "widget.ova", "1.0", files("1.0", 1));

            crashThenRetry(catalog, event, crashAfter, PublishSettings.DEFAULTS);

            ApplianceRecord entry = new CatalogReader(store, catalog).find("acme-corp/widget-server/1.0").orElseThrow();
            assertThat(entry.provenance().importId()).isEqualTo(event.importId());
            assertWhole(catalog, entry);
            assertThat(keysOf(entry)).allMatch(k -> k.equals("acme-corp/widget-server/1.0/appliance.json")
                    || k.startsWith("acme-corp/widget-server/1.0/" + event.importId() + "/"));
            assertThat(store.list(catalog, "acme-corp/widget-server/1.0/")).extracting(ObjectInfo::key)
                    .containsExactlyInAnyOrderElementsOf(keysOf(entry));
        }
    }

    @Test
    void aReplacementOfFilesWrittenInPlaceCrashedAnywhereLeavesTheOldOrTheNewEntryWholeAndNothingUnnamed()
            throws Exception {
        PublishSettings replace = new PublishSettings(PublishSettings.OnConflict.REPLACE, true);
        for (int crashAfter = 0; crashAfter < 9; crashAfter++) {
            String catalog = newCatalog();
            ImportEvent original = imports.transcodedInto(catalog, "widget.ova", "1.0", files("1.0", 1));
            new PublishStage(store, catalog).publish(original);
            ImportEvent replacement = imports.transcodedInto(catalog, "widget-fixed.ova", "1.0", files("1.0", 2));

            crashThenRetry(catalog, replacement, crashAfter, replace);

            ApplianceRecord entry = new CatalogReader(store, catalog).find("acme-corp/widget-server/1.0").orElseThrow();
            assertThat(entry.provenance().importId()).isEqualTo(replacement.importId());
            assertWhole(catalog, entry);
            // nothing of the replaced entry, nor the note, is left
            assertThat(store.list(catalog, "acme-corp/widget-server/1.0/")).extracting(ObjectInfo::key)
                    .containsExactlyInAnyOrderElementsOf(keysOf(entry));
        }
    }

    /** Publishes with a crash after {@code crashAfter} writes, then again without: every state in between checked. */
    private void crashThenRetry(String catalog, ImportEvent event, int crashAfter, PublishSettings settings) {
        CrashingWrites crashing = new CrashingWrites(store, crashAfter, () -> assertNothingHalfVisible(catalog));
        assertThatThrownBy(() -> new PublishStage(store, crashing, catalog, settings).publish(event))
                .isInstanceOf(SimulatedCrash.class);
        assertNothingHalfVisible(catalog);

        CrashingWrites retry = new CrashingWrites(store, Integer.MAX_VALUE, () -> assertNothingHalfVisible(catalog));
        assertThat(new PublishStage(store, retry, catalog, settings).publish(event).next()).isEqualTo(Topics.PUBLISHED);
    }

    private interface Scenario {
        ImportEvent prepare(String catalog);
    }

    /** How many writes a publication without a crash makes (checking readers after each). */
    private int countWrites(Scenario scenario, boolean replace) {
        String catalog = newCatalog();
        ImportEvent event = scenario.prepare(catalog);
        CrashingWrites counting = new CrashingWrites(store, Integer.MAX_VALUE, () -> assertNothingHalfVisible(catalog));
        new PublishStage(store, counting, catalog, new PublishSettings(replace
                ? PublishSettings.OnConflict.REPLACE : PublishSettings.OnConflict.REJECT, true)).publish(event);
        return counting.done();
    }

    /** What a reader sees (entries by their appliance.json, the root and vendor indexes) is whole. */
    private void assertNothingHalfVisible(String catalog) {
        for (ApplianceRecord entry : new CatalogReader(store, catalog).list()) {
            assertWhole(catalog, entry);
        }
        // every page a feed links is there, no item on two of them
        FeedLog feeds = new FeedLog(store, catalog);
        feeds.current(null, null).ifPresent(open -> {
            List<String> ids = new java.util.ArrayList<>(open.items().stream().map(FeedLog.Item::id).toList());
            for (int page = 0; page < open.open(); page++) {
                ids.addAll(feeds.archive(null, null, page).orElseThrow().items().stream().map(FeedLog.Item::id)
                        .toList());
            }
            assertThat(ids).doesNotHaveDuplicates();
        });
        CatalogIndex index = new CatalogIndex(store, catalog);
        Optional<CatalogIndex.Document> root = index.read();
        if (root.isEmpty()) {
            return;
        }
        Set<String> vendors = new HashSet<>();
        for (CatalogIndex.Product product : root.get().products().values()) {
            vendors.add(product.vendor());
            for (CatalogIndex.Version version : product.versions().values()) {
                assertThat(store.exists(catalog, version.path() + PublishStage.APPLIANCE_JSON))
                        .as("the index lists a committed entry").isTrue();
                version.items().forEach((name, item) -> assertThat(store.stat(catalog, item.key()))
                        .as("indexed %s", item.key()).get().extracting(ObjectInfo::size).isEqualTo(item.size()));
            }
        }
        // every document the root names is there, as the root states it (size, sha256): written before the root
        index.root().orElseThrow().vendors().forEach((vendor, ref) -> {
            assertThat(index.vendor(vendor)).as("the root names %s", ref.path()).isPresent();
            index.vendor(vendor).orElseThrow().products().forEach((product, productRef) ->
                    assertThat(index.product(vendor, product)).as("%s names %s", ref.path(), productRef.path())
                            .isPresent());
        });
        assertThat(index.root().orElseThrow().vendors().keySet()).containsAll(vendors);
    }

    /** Every file of the entry there with its size and digest, and the entry in the root index. */
    private void assertWhole(String catalog, ApplianceRecord entry) {
        for (ApplianceRecord.Artifact artifact : entry.artifacts()) {
            assertThat(store.stat(catalog, artifact.key())).as(artifact.key()).get()
                    .extracting(ObjectInfo::size).isEqualTo(artifact.size());
            if (artifact.sha256() != null) {
                try {
                    assertThat(sha256(imports.read(catalog, artifact.key()))).isEqualTo(artifact.sha256());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    private static List<String> keysOf(ApplianceRecord entry) {
        List<String> keys = new java.util.ArrayList<>(entry.artifacts().stream().map(ApplianceRecord.Artifact::key)
                .toList());
        keys.add(entry.vendor() + "/" + entry.product() + "/" + entry.version() + "/" + PublishStage.APPLIANCE_JSON);
        return keys;
    }

    private String newCatalog() {
        String catalog = "catalog-" + Long.toHexString(System.nanoTime());
        store.ensureBuckets(List.of(catalog));
        return catalog;
    }
}
