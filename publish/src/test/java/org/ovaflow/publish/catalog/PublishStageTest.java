package org.ovaflow.publish.catalog;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ManifestVerdict;
import org.ovaflow.core.event.PoisonEventException;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.event.VerifiedSigner;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.stage.BatchOutcome;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.ovaflow.publish.catalog.StagedImports.ARRIVED;
import static org.ovaflow.publish.catalog.StagedImports.INCOMING;
import static org.ovaflow.publish.catalog.StagedImports.STAGING;
import static org.ovaflow.publish.catalog.StagedImports.files;
import static org.ovaflow.publish.catalog.StagedImports.sha256;

/**
 * Publication into a real S3 catalog bucket: copies, the kept OVA, the appliance.json commit point, the index,
 * idempotence, conflicts and the replace policy.
 */
class PublishStageTest {

    @RegisterExtension
    static final S3Server S3 = new S3Server(INCOMING, STAGING);

    private final ObjectStore store = S3.store();
    private final StagedImports imports = new StagedImports(store);

    private final String catalog = "catalog-" + Long.toHexString(System.nanoTime());
    private final PublishStage stage = new PublishStage(store, catalog);
    private final PublishStage replacing = new PublishStage(store, catalog,
            new PublishSettings(PublishSettings.OnConflict.REPLACE, true));
    private final CatalogReader reader = new CatalogReader(store, catalog);
    private final CatalogIndex index = new CatalogIndex(store, catalog);

    @BeforeEach
    void createCatalog() {
        store.ensureBuckets(List.of(catalog));
    }

    @Test
    void copiesTheArtifactsAndTheOvaIntoTheCatalogWritesApplianceJsonTheIndexAndClearsStaging() throws Exception {
        Map<String, byte[]> files = files("2.4.1", 1);
        ImportEvent event = imports.transcoded("widget.ova", "2.4.1", files);

        StageOutcome outcome = stage.publish(event);

        assertThat(outcome.next()).isEqualTo(Topics.PUBLISHED);
        assertThat(outcome.state()).isEqualTo(StatusEvent.State.PUBLISHED);
        assertThat(outcome.message()).isEqualTo("published at acme-corp/widget-server/2.4.1/");
        assertThat(outcome.event().catalogPath()).isEqualTo("acme-corp/widget-server/2.4.1/");
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            assertThat(imports.read(catalog, "acme-corp/widget-server/2.4.1/" + file.getKey())).as(file.getKey())
                    .isEqualTo(file.getValue());
        }
        assertThat(imports.read(catalog, "acme-corp/widget-server/2.4.1/widget.ova"))
                .isEqualTo(imports.read(INCOMING, "widget.ova"));
        assertThat(store.list(catalog, "")).extracting(ObjectInfo::key)
                .filteredOn(key -> !key.startsWith(CatalogIndex.INDEX_FOLDER) && !key.startsWith(FeedLog.FOLDER))
                .containsExactlyInAnyOrder(
                "acme-corp/widget-server/2.4.1/widget.ovf", "acme-corp/widget-server/2.4.1/widget.mf",
                "acme-corp/widget-server/2.4.1/disk1.img", "acme-corp/widget-server/2.4.1/widget.ova",
                "acme-corp/widget-server/2.4.1/appliance.json", "index.json",
                ".entries/acme-corp/widget-server/2.4.1/appliance.json");
        // the vendor's and the product's documents, and the finished rebuild's journal record
        assertThat(store.list(catalog, CatalogIndex.INDEX_FOLDER)).extracting(ObjectInfo::key)
                .filteredOn(key -> !key.startsWith(IndexJournal.FOLDER)).hasSize(2)
                .allMatch(key -> key.matches("\\.index/acme-corp/(widget-server/)?[0-9a-f]{64}\\.json"));
        assertThat(imports.read(catalog, ".entries/acme-corp/widget-server/2.4.1/appliance.json"))
                .as("the entry's marker, a copy of its appliance.json")
                .isEqualTo(imports.read(catalog, "acme-corp/widget-server/2.4.1/appliance.json"));
        assertThat(store.list(STAGING, "imports/" + event.importId() + "/")).isEmpty();

        ApplianceRecord record = reader.find("acme-corp/widget-server/2.4.1").orElseThrow();
        assertThat(record.schemaVersion()).isEqualTo(ImportEvent.SCHEMA_VERSION);
        assertThat(record.vendor()).isEqualTo("acme-corp");
        assertThat(record.product()).isEqualTo("widget-server");
        assertThat(record.version()).isEqualTo("2.4.1");
        assertThat(record.available()).isTrue();
        assertThat(record.appliance()).isEqualTo(event.appliance());
        assertThat(record.artifacts()).extracting(ApplianceRecord.Artifact::name, ApplianceRecord.Artifact::role,
                        ApplianceRecord.Artifact::key, ApplianceRecord.Artifact::sha256)
                .containsExactly(
                        tuple("widget.ovf", "descriptor", "acme-corp/widget-server/2.4.1/widget.ovf",
                                sha256(files.get("widget.ovf"))),
                        tuple("widget.mf", "manifest", "acme-corp/widget-server/2.4.1/widget.mf",
                                sha256(files.get("widget.mf"))),
                        tuple("disk1.img", "disk", "acme-corp/widget-server/2.4.1/disk1.img",
                                sha256(files.get("disk1.img"))),
                        // no stage reads the whole OVA through a digest: its etag is the provenance's
                        tuple("widget.ova", "ova", "acme-corp/widget-server/2.4.1/widget.ova", null));
        assertThat(record.artifacts()).filteredOn(a -> a.role().equals("ova")).singleElement()
                .satisfies(ova -> assertThat(ova.size()).isEqualTo(event.source().size()));
        assertThat(record.artifacts()).filteredOn(a -> a.role().equals("disk")).singleElement()
                .satisfies(disk -> assertThat(disk.format()).isEqualTo(SampleAppliance.RAW_FORMAT));
        assertThat(record.provenance().importId()).isEqualTo(event.importId());
        assertThat(record.provenance().source()).isEqualTo("s3://ova-incoming/widget.ova");
        assertThat(record.provenance().etag()).isEqualTo(event.source().etag());
        assertThat(record.provenance().origin()).isEqualTo("scan");
        assertThat(record.provenance().arrivedAt()).isEqualTo(ARRIVED);
        assertThat(record.provenance().publishedAt()).isAfter(ARRIVED);
        assertThat(record.provenance().checks()).isEqualTo(event.checks());
        String json = new String(imports.read(catalog, "acme-corp/widget-server/2.4.1/appliance.json"),
                StandardCharsets.UTF_8);
        assertThat(json).contains("\"vendor\" : \"acme-corp\"", "\"importId\" : \"" + event.importId() + "\"",
                "\"publishedAt\" : \"20", "\"state\" : \"available\"");

        CatalogIndex.Version indexed = index.read().orElseThrow().products().get("acme-corp/widget-server")
                .versions().get("2.4.1");
        assertThat(indexed.importId()).isEqualTo(event.importId());
        assertThat(indexed.items()).containsOnlyKeys("widget.ovf", "widget.mf", "disk1.img", "widget.ova");
    }

    @Test
    void filesTheEventCarriesAreWrittenWithTheirMediaTypeAndLeftOutOfThePublishedEvent() throws Exception {
        Map<String, byte[]> files = files("3.0", 5);
        ImportEvent event = carryingSmallFiles(imports.transcoded("carried.ova", "3.0", files), files);
        // not in staging: what is written is what the event carries
        for (StagedArtifact artifact : event.artifacts()) {
            if (artifact.carriesContent()) {
                store.remove(STAGING, artifact.key());
            }
        }

        StageOutcome outcome = stage.publish(event);

        assertThat(outcome.next()).isEqualTo(Topics.PUBLISHED);
        String folder = "acme-corp/widget-server/3.0/";
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            assertThat(imports.read(catalog, folder + file.getKey())).as(file.getKey()).isEqualTo(file.getValue());
        }
        assertThat(mediaType(folder + "widget.ovf")).isEqualTo("application/xml");
        assertThat(mediaType(folder + "widget.mf")).isEqualTo("text/plain");
        assertThat(reader.find("acme-corp/widget-server/3.0").orElseThrow().artifacts())
                .filteredOn(a -> a.name().equals("widget.ovf")).singleElement()
                .satisfies(a -> assertThat(a.sha256()).isEqualTo(sha256(files.get("widget.ovf"))));
        assertThat(outcome.event().artifacts()).hasSize(3).noneMatch(StagedArtifact::carriesContent);
        assertThat(store.list(STAGING, "imports/" + event.importId() + "/")).isEmpty();
    }

    @Test
    void aCarriedFileThatIsNotWhatItsEventSaysFailsItsEventAloneBeforeAnythingIsWritten() throws Exception {
        Map<String, byte[]> files = files("Globex", "Gadget", "7", 3);
        ImportEvent honest = carryingSmallFiles(imports.transcoded("gadget.ova", "Globex", "Gadget", "7", files),
                files);
        List<StagedArtifact> tamperedArtifacts = new ArrayList<>(honest.artifacts());
        StagedArtifact manifest = tamperedArtifacts.get(1);
        tamperedArtifacts.set(1, StagedArtifact.carried(manifest.role(), manifest.name(), manifest.bucket(),
                manifest.key(), manifest.sha256(), null, null, manifest.contentType(),
                "SHA256(disk1.img)= 00\n".getBytes(StandardCharsets.UTF_8)));
        ImportEvent tampered = honest.withArtifacts(tamperedArtifacts);
        ImportEvent other = imports.transcoded("widget.ova", "Acme Corp", "Widget Server", "1.0", 4);

        List<BatchOutcome> outcomes = stage.publish(List.of(tampered, other));

        assertThat(outcomes.get(0).failure()).isInstanceOf(PoisonEventException.class)
                .hasMessageContaining(tampered.importId()).hasMessageContaining("widget.mf")
                .hasMessageContaining(manifest.sha256());
        assertThat(outcomes.get(1).outcome().next()).isEqualTo(Topics.PUBLISHED);
        assertThat(store.list(catalog, "globex/")).isEmpty();
        // its staged disk stays for the dead letter's replay
        assertThat(store.list(STAGING, "imports/" + tampered.importId() + "/")).isNotEmpty();
    }

    /** {@code event} with its descriptor and manifest carried, as the transcode stage sends small files. */
    private static ImportEvent carryingSmallFiles(ImportEvent event, Map<String, byte[]> files) {
        return event.withArtifacts(event.artifacts().stream().map(a -> a.role().equals("disk") ? a
                : StagedArtifact.carried(a.role(), a.name(), a.bucket(), a.key(), a.sha256(), a.format(), a.target(),
                a.name().endsWith(".ovf") ? "application/xml" : "text/plain", files.get(a.name()))).toList());
    }

    /** The Content-Type the store answers a GET of {@code key} in the catalog with. */
    private String mediaType(String key) throws Exception {
        HttpResponse<Void> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(store.presignedGet(catalog, key, Duration.ofMinutes(1)))).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.headers().firstValue("Content-Type").orElse(null);
    }

    @Test
    void theSignerOfAVerifiedManifestIsInTheProvenance() throws Exception {
        ImportEvent event = imports.transcoded("signed.ova", "2.5", files("2.5", 2));
        VerifiedSigner signer = new VerifiedSigner("CN=Acme Corp Releases,O=Acme Corp", "CN=Acme CA,O=Acme Corp",
                "ab".repeat(32), Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z"),
                "SHA256withRSA");
        ImportEvent signed = event.withManifest(new ManifestVerdict("widget.mf", Map.of()).withSigner(signer));

        stage.publish(signed);

        assertThat(reader.find("acme-corp/widget-server/2.5").orElseThrow().provenance().signer()).isEqualTo(signer);
        assertThat(new String(imports.read(catalog, "acme-corp/widget-server/2.5/appliance.json"),
                StandardCharsets.UTF_8)).contains("\"subject\" : \"CN=Acme Corp Releases,O=Acme Corp\"");
    }

    @Test
    void withoutKeepOvaTheEntryHasOnlyThePackagesFiles() {
        PublishStage withoutOva = new PublishStage(store, catalog,
                new PublishSettings(PublishSettings.OnConflict.REJECT, false));

        withoutOva.publish(imports.transcoded("widget.ova", "2.0", files("2.0", 1)));

        assertThat(reader.find("acme-corp/widget-server/2.0").orElseThrow().artifacts())
                .extracting(ApplianceRecord.Artifact::role).containsExactly("descriptor", "manifest", "disk");
        assertThat(store.exists(catalog, "acme-corp/widget-server/2.0/widget.ova")).isFalse();
    }

    @Test
    void anOvaReplacedInTheIncomingBucketSinceItsImportIsNotKeptInItsPlace() {
        ImportEvent event = imports.transcoded("widget.ova", "2.0", files("2.0", 1));
        store.write(INCOMING, "widget.ova", "other bytes".getBytes(StandardCharsets.UTF_8), "application/x-tar");

        assertThatThrownBy(() -> stage.publish(event)).isInstanceOf(ObjectGoneException.class)
                .hasMessageContaining("replaced");
        assertThat(reader.list()).isEmpty();
    }

    @Test
    void aBatchCommitsEachEntryThenRebuildsTheIndexOnceAndAnEventWhoseInputIsGoneFailsAlone() {
        List<String> indexWrites = new ArrayList<>();
        CatalogWrites counting = watched(toKey -> { }, key -> {
            if (key.equals(CatalogIndex.INDEX_JSON)
                    || key.startsWith(CatalogIndex.INDEX_FOLDER) && !key.startsWith(IndexJournal.FOLDER)) {
                indexWrites.add(key.replaceAll("[0-9a-f]{64}", "SHA"));
            }
        });
        PublishStage batching = new PublishStage(store, counting, catalog, PublishSettings.DEFAULTS);
        ImportEvent first = imports.transcoded("widget-1.ova", "Acme Corp", "Widget Server", "1.0", 1);
        ImportEvent gone = imports.transcoded("widget-2.ova", "Acme Corp", "Widget Server", "2.0", 2);
        store.remove(INCOMING, "widget-2.ova");
        ImportEvent other = imports.transcoded("gadget.ova", "Globex", "Gadget", "7", 3);
        ImportEvent conflict = imports.transcoded("widget-1b.ova", "Acme Corp", "Widget Server", "1.0", 4);

        // first twice, as a redelivery can bring it: published once, its staging cleared once
        List<BatchOutcome> outcomes = batching.publish(List.of(first, gone, other, conflict, first));

        assertThat(outcomes).hasSize(5);
        assertThat(outcomes.get(4).outcome().message()).isEqualTo("already published at acme-corp/widget-server/1.0/");
        assertThat(outcomes.get(0).outcome().message()).isEqualTo("published at acme-corp/widget-server/1.0/");
        assertThat(outcomes.get(1).failure()).isInstanceOf(ObjectGoneException.class);
        assertThat(outcomes.get(2).outcome().message()).isEqualTo("published at globex/gadget/7/");
        assertThat(outcomes.get(3).outcome().state()).isEqualTo(StatusEvent.State.REJECTED);
        // one rebuild for the batch: each product's document, each vendor's, the root once
        assertThat(indexWrites).containsExactly(".index/acme-corp/widget-server/SHA.json", ".index/acme-corp/SHA.json",
                ".index/globex/gadget/SHA.json", ".index/globex/SHA.json", "index.json");
        assertThat(index.read().orElseThrow().products()).containsOnlyKeys("acme-corp/widget-server", "globex/gadget");
        assertThat(store.list(STAGING, "imports/" + first.importId() + "/")).isEmpty();
        assertThat(store.list(STAGING, "imports/" + other.importId() + "/")).isEmpty();
        // the one that failed alone keeps its staged files: its dead letter can be replayed
        assertThat(store.list(STAGING, "imports/" + gone.importId() + "/")).isNotEmpty();
    }

    @Test
    void anEmptyBatchPublishesNothing() {
        assertThat(stage.publish(List.of())).isEmpty();
        assertThat(store.list(catalog, "")).isEmpty();
    }

    @Test
    void theEntriesOfABatchAreCommittedSideBySideAndTheEventsOfOneEntryInTheirOrder() {
        // every copy waits until copies of two different entries are in flight: one entry at a time never gets there
        CountDownLatch twoEntriesCopying = new CountDownLatch(2);
        Set<String> copyingEntries = ConcurrentHashMap.newKeySet();
        List<String> entryOneWrites = Collections.synchronizedList(new ArrayList<>());
        CatalogWrites meeting = watched(toKey -> {
            String entry = toKey.substring(0, toKey.indexOf('/', "acme-corp/widget-server/".length()));
            if (copyingEntries.add(entry)) {
                twoEntriesCopying.countDown();
            }
            try {
                if (!twoEntriesCopying.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("no other entry was copied meanwhile: " + copyingEntries);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }, key -> {
            if (key.startsWith("acme-corp/widget-server/1.0/")) {
                entryOneWrites.add(key);
            }
        });
        PublishStage batching = new PublishStage(store, meeting, catalog, PublishSettings.DEFAULTS);
        ImportEvent first = imports.transcoded("widget-1.ova", "Acme Corp", "Widget Server", "1.0", 1);
        ImportEvent second = imports.transcoded("widget-2.ova", "Acme Corp", "Widget Server", "1.1", 2);
        ImportEvent conflict = imports.transcoded("widget-1b.ova", "Acme Corp", "Widget Server", "1.0", 3);

        List<BatchOutcome> outcomes = batching.publish(List.of(first, second, conflict, first));

        assertThat(outcomes).hasSize(4);
        assertThat(outcomes.get(0).outcome().message()).isEqualTo("published at acme-corp/widget-server/1.0/");
        assertThat(outcomes.get(1).outcome().message()).isEqualTo("published at acme-corp/widget-server/1.1/");
        // the conflicting import and the redelivery came after the first: each finds its entry committed
        assertThat(outcomes.get(2).outcome().state()).isEqualTo(StatusEvent.State.REJECTED);
        assertThat(outcomes.get(3).outcome().message()).isEqualTo("already published at acme-corp/widget-server/1.0/");
        assertThat(entryOneWrites).filteredOn(key -> key.endsWith(PublishStage.APPLIANCE_JSON)).hasSize(1);
        assertThat(reader.list()).extracting(ApplianceRecord::version).containsExactlyInAnyOrder("1.0", "1.1");
        assertThat(index.read().orElseThrow().products().get("acme-corp/widget-server").versions())
                .containsOnlyKeys("1.0", "1.1");
    }

    @Test
    void publishingTheSameEventTwiceLeavesTheCatalogAsItWasWithTheSameNextEvent() {
        ImportEvent event = imports.transcoded("widget.ova", "1.0", files("1.0", 1));

        StageOutcome first = stage.publish(event);
        List<ObjectInfo> catalogAfterFirst = store.list(catalog, "");
        StageOutcome second = stage.publish(event);

        assertThat(second.event()).isEqualTo(first.event());
        assertThat(second.next()).isEqualTo(first.next());
        assertThat(second.state()).isEqualTo(first.state());
        assertThat(second.message()).isEqualTo("already published at acme-corp/widget-server/1.0/");
        // the index too: rebuilt, found current, not rewritten (only the rebuilds' journal has one more record)
        assertThat(store.list(catalog, "")).filteredOn(o -> !o.key().startsWith(IndexJournal.FOLDER))
                .extracting(ObjectInfo::key, ObjectInfo::etag)
                .containsExactlyElementsOf(catalogAfterFirst.stream().filter(o -> !o.key().startsWith(IndexJournal.FOLDER))
                        .map(o -> tuple(o.key(), o.etag())).toList());
    }

    @Test
    void theSameContentUploadedAgainUnderAnotherNameIsAlreadyPublished() {
        ImportEvent original = imports.transcoded("widget.ova", "1.0", files("1.0", 1));
        ImportEvent reupload = imports.transcoded("copy of widget.ova", "1.0", files("1.0", 1));
        stage.publish(original);
        ObjectInfo commit = store.stat(catalog, "acme-corp/widget-server/1.0/appliance.json").orElseThrow();

        StageOutcome outcome = stage.publish(reupload);

        assertThat(reupload.importId()).isNotEqualTo(original.importId());
        assertThat(outcome.next()).isEqualTo(Topics.PUBLISHED);
        assertThat(outcome.message()).startsWith("already published");
        assertThat(store.stat(catalog, "acme-corp/widget-server/1.0/appliance.json").orElseThrow().etag())
                .isEqualTo(commit.etag());
        assertThat(reader.find("acme-corp/widget-server/1.0/").orElseThrow().provenance().importId())
                .isEqualTo(original.importId());
        assertThat(store.list(STAGING, "imports/" + reupload.importId() + "/")).isEmpty();
    }

    @Test
    void filesWrittenInPlaceStayWhereTheyAreAndTheEntrysOtherFilesJoinThem() throws Exception {
        ImportEvent event = imports.transcodedInto(catalog, "widget.ova", "1.0", files("1.0", 1));
        String folder = "acme-corp/widget-server/1.0/" + event.importId() + "/";

        assertThat(stage.publish(event).next()).isEqualTo(Topics.PUBLISHED);

        ApplianceRecord entry = reader.find("acme-corp/widget-server/1.0/").orElseThrow();
        assertThat(entry.artifacts()).extracting(ApplianceRecord.Artifact::name, ApplianceRecord.Artifact::key)
                .containsExactlyInAnyOrder(tuple("widget.ovf", folder + "widget.ovf"),
                        tuple("widget.mf", folder + "widget.mf"), tuple("disk1.img", folder + "disk1.img"),
                        tuple("widget.ova", folder + "widget.ova"));
        assertThat(imports.read(catalog, folder + "disk1.img")).isEqualTo(files("1.0", 1).get("disk1.img"));
        assertThat(store.list(catalog, "acme-corp/widget-server/1.0/")).extracting(ObjectInfo::key)
                .containsExactlyInAnyOrder(folder + "widget.ovf", folder + "widget.mf", folder + "disk1.img",
                        folder + "widget.ova", "acme-corp/widget-server/1.0/appliance.json");
    }

    @Test
    void anOvaTheTranscodeStageKeptIsNamedWhereItIsAndNothingIsCopied() throws Exception {
        ImportEvent event = imports.transcodedInto(catalog, "widget.ova", "1.0", files("1.0", 1));
        StagedArtifact kept = event.artifacts().stream().filter(a -> a.role().equals("ova")).findFirst().orElseThrow();
        List<String> copiedTo = new ArrayList<>();
        PublishStage watching = new PublishStage(store, watched(copiedTo::add, key -> { }), catalog,
                PublishSettings.DEFAULTS);

        assertThat(watching.publish(List.of(event))).singleElement()
                .satisfies(o -> assertThat(o.outcome().next()).isEqualTo(Topics.PUBLISHED));

        assertThat(copiedTo).isEmpty();
        assertThat(reader.find("acme-corp/widget-server/1.0/").orElseThrow().artifacts())
                .filteredOn(a -> a.role().equals("ova")).singleElement().satisfies(ova -> {
                    assertThat(ova.key()).isEqualTo(kept.key());
                    assertThat(ova.size()).isEqualTo(event.source().size());
                    assertThat(ova.sha256()).isEqualTo(event.tarIndex().sha256())
                            .isEqualTo(sha256(imports.read(INCOMING, "widget.ova")));
                });
    }

    @Test
    void anOvaKeptByATranscodeStageConfiguredOtherwiseIsNotPartOfAnEntryWithoutKeepOva() {
        ImportEvent event = imports.transcodedInto(catalog, "widget.ova", "1.0", files("1.0", 1));
        PublishStage withoutOva = new PublishStage(store, catalog,
                new PublishSettings(PublishSettings.OnConflict.REJECT, false));

        withoutOva.publish(event);

        String folder = "acme-corp/widget-server/1.0/" + event.importId() + "/";
        assertThat(reader.find("acme-corp/widget-server/1.0").orElseThrow().artifacts())
                .extracting(ApplianceRecord.Artifact::role).containsExactlyInAnyOrder("descriptor", "manifest", "disk");
        assertThat(store.list(catalog, "acme-corp/widget-server/1.0/")).extracting(ObjectInfo::key)
                .containsExactlyInAnyOrder(folder + "widget.ovf", folder + "widget.mf", folder + "disk1.img",
                        "acme-corp/widget-server/1.0/appliance.json");
    }

    @Test
    void theSameContentWrittenInPlaceAgainUnderAnotherImportIsAlreadyPublishedAndItsFilesRemoved() {
        ImportEvent original = imports.transcodedInto(catalog, "widget.ova", "1.0", files("1.0", 1));
        ImportEvent reupload = imports.transcodedInto(catalog, "copy of widget.ova", "1.0", files("1.0", 1));
        stage.publish(original);

        StageOutcome outcome = stage.publish(reupload);

        assertThat(outcome.message()).startsWith("already published");
        assertThat(store.list(catalog, "acme-corp/widget-server/1.0/" + reupload.importId() + "/")).isEmpty();
        assertThat(store.list(catalog, "acme-corp/widget-server/1.0/" + original.importId() + "/")).hasSize(4);
        // delivered again, it is the same no-op
        assertThat(stage.publish(reupload).message()).startsWith("already published");
    }

    @Test
    void aConflictWrittenInPlaceTouchesNoFileOfThePublishedEntryAndQuarantineClearsItsOwn() {
        ImportEvent original = imports.transcodedInto(catalog, "widget.ova", "1.0", files("1.0", 1));
        stage.publish(original);
        List<ObjectInfo> published = store.list(catalog, "acme-corp/widget-server/1.0/" + original.importId() + "/");
        ImportEvent impostor = imports.transcodedInto(catalog, "widget-new.ova", "1.0", files("1.0", 2));

        StageOutcome outcome = stage.publish(impostor);
        store.ensureBuckets(List.of("ova-quarantine"));
        new org.ovaflow.publish.quarantine.QuarantineStage(store, "ova-quarantine").quarantine(outcome.event());

        assertThat(outcome.next()).isEqualTo(Topics.REJECTED);
        assertThat(store.list(catalog, "acme-corp/widget-server/1.0/" + original.importId() + "/"))
                .extracting(ObjectInfo::etag).containsExactlyElementsOf(published.stream().map(ObjectInfo::etag).toList());
        assertThat(store.list(catalog, "acme-corp/widget-server/1.0/" + impostor.importId() + "/")).isEmpty();
    }

    @Test
    void otherContentForAPublishedVersionIsRejectedAsAConflict() {
        ImportEvent original = imports.transcoded("widget.ova", "1.0", files("1.0", 1));
        ImportEvent impostor = imports.transcoded("widget-new.ova", "1.0", files("1.0", 2));
        stage.publish(original);
        List<ObjectInfo> before = store.list(catalog, "");

        StageOutcome outcome = stage.publish(impostor);

        assertThat(outcome.next()).isEqualTo(Topics.REJECTED);
        assertThat(outcome.state()).isEqualTo(StatusEvent.State.REJECTED);
        assertThat(outcome.event().failedChecks()).singleElement().satisfies(check -> {
            assertThat(check.id()).isEqualTo("catalog.version-conflict");
            assertThat(check.file()).isEqualTo("widget-new.ova");
            assertThat(check.message()).contains("acme-corp/widget-server/1.0/", original.importId(),
                    "different content");
        });
        assertThat(store.list(catalog, "")).extracting(ObjectInfo::etag)
                .containsExactlyElementsOf(before.stream().map(ObjectInfo::etag).toList());
        // the rejected import's staged files stay for quarantine to clear
        assertThat(store.list(STAGING, "imports/" + impostor.importId() + "/")).hasSize(3);
    }

    @Test
    void withReplaceOtherContentBecomesTheEntryAndTheOldFilesAreRemovedAfterTheCommit() throws Exception {
        ImportEvent original = imports.transcoded("widget.ova", "1.0", files("1.0", 1));
        Map<String, byte[]> newFiles = files("1.0", 2);
        ImportEvent replacement = imports.transcoded("widget-fixed.ova", "1.0", newFiles);
        stage.publish(original);

        StageOutcome outcome = replacing.publish(replacement);

        assertThat(outcome.next()).isEqualTo(Topics.PUBLISHED);
        assertThat(outcome.message()).isEqualTo("replaced import " + original.importId()
                + " at acme-corp/widget-server/1.0/");
        String folder = "acme-corp/widget-server/1.0/" + replacement.importId() + "/";
        ApplianceRecord entry = reader.find("acme-corp/widget-server/1.0").orElseThrow();
        assertThat(entry.provenance().importId()).isEqualTo(replacement.importId());
        assertThat(entry.artifacts()).extracting(ApplianceRecord.Artifact::name, ApplianceRecord.Artifact::key)
                .containsExactly(tuple("widget.ovf", folder + "widget.ovf"), tuple("widget.mf", folder + "widget.mf"),
                        tuple("disk1.img", folder + "disk1.img"), tuple("widget-fixed.ova", folder + "widget-fixed.ova"));
        assertThat(imports.read(catalog, folder + "disk1.img")).isEqualTo(newFiles.get("disk1.img"));
        assertThat(store.list(catalog, "acme-corp/widget-server/")).extracting(ObjectInfo::key)
                .containsExactlyInAnyOrder("acme-corp/widget-server/1.0/appliance.json", folder + "widget.ovf",
                        folder + "widget.mf", folder + "disk1.img", folder + "widget-fixed.ova");
        assertThat(index.read().orElseThrow().products().get("acme-corp/widget-server").versions().get("1.0"))
                .satisfies(v -> {
                    assertThat(v.importId()).isEqualTo(replacement.importId());
                    assertThat(v.items().get("disk1.img").key()).isEqualTo(folder + "disk1.img");
                });
        assertThat(store.list(STAGING, "imports/" + replacement.importId() + "/")).isEmpty();

        // the replaced import delivered again is now the conflict (or, replacing, the entry again)
        assertThat(stage.publish(original).next()).isEqualTo(Topics.REJECTED);
    }

    @Test
    void aNewImportOfARetractedVersionIsAConflictUnlessReplacingWhichMakesItAvailableAgain() {
        ImportEvent original = imports.transcoded("widget.ova", "1.0", files("1.0", 1));
        stage.publish(original);
        new CatalogRetraction(store, catalog).retract("acme-corp/widget-server/1.0", "recalled");
        ImportEvent again = imports.transcoded("widget-again.ova", "1.0", files("1.0", 1));

        StageOutcome rejected = stage.publish(again);

        assertThat(rejected.next()).isEqualTo(Topics.REJECTED);
        assertThat(rejected.event().failedChecks()).singleElement().satisfies(check -> {
            assertThat(check.id()).isEqualTo("catalog.version-conflict");
            assertThat(check.message()).contains("retracted", original.importId());
        });
        assertThat(reader.find("acme-corp/widget-server/1.0").orElseThrow().available()).isFalse();

        StageOutcome republished = replacing.publish(again);

        assertThat(republished.next()).isEqualTo(Topics.PUBLISHED);
        ApplianceRecord entry = reader.find("acme-corp/widget-server/1.0").orElseThrow();
        assertThat(entry.available()).isTrue();
        assertThat(entry.retraction()).isNull();
        assertThat(index.read().orElseThrow().products().get("acme-corp/widget-server").latest()).isEqualTo("1.0");
    }

    @Test
    void aPackageFileNamedLikeTheCommitPointIsRejected() {
        ImportEvent event = imports.transcoded("widget.ova", "1.0", files("1.0", 1));
        List<StagedArtifact> artifacts = new ArrayList<>(event.artifacts());
        StagedArtifact disk = artifacts.remove(2);
        artifacts.add(new StagedArtifact("file", "appliance.json", disk.bucket(), disk.key(), disk.size(), disk.sha256(),
                null, null, disk.etag()));

        StageOutcome outcome = stage.publish(event.withArtifacts(artifacts));

        assertThat(outcome.next()).isEqualTo(Topics.REJECTED);
        assertThat(outcome.event().failedChecks()).extracting(c -> c.id()).containsExactly("catalog.reserved-name");
        assertThat(store.list(catalog, "")).isEmpty();
    }

    @Test
    void aPublicationThatFailsBeforeItsCommitPointIsInvisibleToReaders() {
        ImportEvent event = imports.transcoded("widget.ova", "3.0", files("3.0", 1));
        StagedArtifact disk = event.artifacts().get(2);
        store.remove(disk.bucket(), disk.key());

        assertThatThrownBy(() -> stage.publish(event)).isInstanceOf(ObjectGoneException.class);

        assertThat(store.exists(catalog, "acme-corp/widget-server/3.0/appliance.json")).isFalse();
        assertThat(reader.list()).isEmpty();
        assertThat(reader.find(event.importId())).isEmpty();
        assertThat(index.read()).isEmpty();
    }

    @Test
    void theReaderListsAndFindsEntriesByPathOrImportId() {
        ImportEvent one = imports.transcoded("widget-1.ova", "1.0", files("1.0", 1));
        ImportEvent two = imports.transcoded("widget-2.ova", "2.0", files("2.0", 2));
        stage.publish(one);
        stage.publish(two);

        assertThat(reader.list()).extracting(r -> r.vendor() + "/" + r.product() + "/" + r.version())
                .containsExactlyInAnyOrder("acme-corp/widget-server/1.0", "acme-corp/widget-server/2.0");
        assertThat(reader.find("acme-corp/widget-server/2.0")).get()
                .extracting(r -> r.provenance().importId()).isEqualTo(two.importId());
        assertThat(reader.find(one.importId())).get().extracting(ApplianceRecord::version).isEqualTo("1.0");
        assertThat(reader.find("acme-corp/widget-server/9.9")).isEmpty();
        assertThat(reader.find("0123456789abcdef01234567")).isEmpty();
    }

    /** The writes straight to the store, each copy's target key and each written key shown to the hooks first. */
    private CatalogWrites watched(Consumer<String> beforeCopyTo, Consumer<String> beforeWrite) {
        CatalogWrites direct = CatalogWrites.to(store);
        return new CatalogWrites() {
            @Override
            public void copy(String fromBucket, String fromKey, long size, String fromEtag, String toBucket,
                             String toKey) {
                beforeCopyTo.accept(toKey);
                direct.copy(fromBucket, fromKey, size, fromEtag, toBucket, toKey);
            }

            @Override
            public String write(String bucket, String key, byte[] data, String contentType) {
                beforeWrite.accept(key);
                return direct.write(bucket, key, data, contentType);
            }

            @Override
            public void remove(String bucket, String key) {
                direct.remove(bucket, key);
            }
        };
    }
}
