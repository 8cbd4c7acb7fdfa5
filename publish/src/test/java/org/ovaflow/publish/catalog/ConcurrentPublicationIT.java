package org.ovaflow.publish.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ovaflow.publish.catalog.StagedImports.INCOMING;
import static org.ovaflow.publish.catalog.StagedImports.STAGING;

/** Two publish processes publishing into one catalog at once: the index loses no entry. */
class ConcurrentPublicationIT {

    private static final int IMPORTS = 20;
    private static final int THREADS_PER_PROCESS = 3;

    @RegisterExtension
    static final S3Server S3 = new S3Server(INCOMING, STAGING);

    @Test
    void twentyImportsPublishedByTwoProcessesAtOnceAreAllInTheIndex() throws Exception {
        ObjectStore store = S3.store();
        String catalog = "catalog-" + Long.toHexString(System.nanoTime());
        store.ensureBuckets(List.of(catalog));
        StagedImports imports = new StagedImports(store);
        List<ImportEvent> events = new ArrayList<>();
        for (int i = 0; i < IMPORTS; i++) {
            // five vendors, two products each, five versions of each product
            events.add(imports.transcoded("import-" + i + ".ova", "Vendor " + (i % 5), "Product " + (i / 5 % 2),
                    "1." + i, i));
        }

        // each process: its own store client (its own connections), a few consumers of its own
        List<ExecutorService> processes = List.of(Executors.newFixedThreadPool(THREADS_PER_PROCESS),
                Executors.newFixedThreadPool(THREADS_PER_PROCESS));
        List<PublishStage> stages = List.of(new PublishStage(client(store), catalog),
                new PublishStage(client(store), catalog));
        List<Future<StageOutcome>> outcomes = new ArrayList<>();
        for (int i = 0; i < IMPORTS; i++) {
            ImportEvent event = events.get(i);
            PublishStage stage = stages.get(i % 2);
            outcomes.add(processes.get(i % 2).submit(() -> stage.publish(event)));
        }
        for (Future<StageOutcome> outcome : outcomes) {
            assertThat(outcome.get(5, TimeUnit.MINUTES).next()).isEqualTo(Topics.PUBLISHED);
        }
        processes.forEach(ExecutorService::shutdown);

        CatalogIndex index = new CatalogIndex(store, catalog);
        Map<String, String> indexed = new HashMap<>();
        index.read().orElseThrow().products().values().forEach(product -> product.versions().forEach(
                (version, entry) -> indexed.put(entry.path(), entry.importId())));
        assertThat(indexed).hasSize(IMPORTS);
        assertThat(indexed).isEqualTo(new CatalogReader(store, catalog).list().stream().collect(Collectors.toMap(
                r -> r.vendor() + "/" + r.product() + "/" + r.version() + "/", r -> r.provenance().importId())));
        assertThat(indexed.values()).containsExactlyInAnyOrderElementsOf(
                events.stream().map(ImportEvent::importId).toList());
        int inVendorIndexes = 0;
        for (int vendor = 0; vendor < 5; vendor++) {
            CatalogIndex.Document ofVendor = index.readVendor("vendor-" + vendor).orElseThrow();
            assertThat(ofVendor.products()).hasSize(2);
            for (CatalogIndex.Product product : ofVendor.products().values()) {
                inVendorIndexes += product.versions().size();
                assertThat(product.latest()).isEqualTo(product.versions().keySet().stream()
                        .max(VersionOrder.INSTANCE).orElseThrow());
            }
        }
        assertThat(inVendorIndexes).isEqualTo(IMPORTS);

        // the feeds: drained one rebuild at a time while both published; what a rebuild that saw the other pending
        // left is taken by the next one alone (here the timer's): every publication announced exactly once
        stages.get(0).refreshIndex();
        FeedLog feeds = new FeedLog(store, catalog);
        FeedLog.Page open = feeds.current(null, null).orElseThrow();
        List<String> announced = new ArrayList<>(open.items().stream().map(FeedLog.Item::id).toList());
        for (int page = 0; page < open.open(); page++) {
            feeds.archive(null, null, page).orElseThrow().items().forEach(item -> announced.add(item.id()));
        }
        assertThat(announced).containsExactlyInAnyOrderElementsOf(
                events.stream().map(event -> "published:" + event.importId()).toList());
        assertThat(store.list(catalog, FeedLog.FOLDER + ".pending/")).as("nothing left pending").isEmpty();
    }

    private static ObjectStore client(ObjectStore like) {
        return new ObjectStore(like.endpoint(), "ovaflow-test", "ovaflow-test-secret-0123456789");
    }
}
