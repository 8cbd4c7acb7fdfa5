package org.ovaflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.pipeline.Buckets;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.ProductOverrides;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.publish.catalog.CatalogIndex;
import org.ovaflow.publish.catalog.PublishStage;
import org.ovaflow.publish.signing.SigningKey;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ovaflow catalog retract|list|show} against a running pipeline's store. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogCommandIT {

    @TempDir
    static Path dir;

    private Pipeline pipeline;
    private Path dataDir;

    @BeforeAll
    void startPipeline() throws Exception {
        dataDir = dir.resolve("data");
        // only the embedded servers: the entries are published by the publish stage's class directly
        pipeline = Pipeline.start(TestPipelines.embedded(dataDir, "none", Map.of()));
    }

    @AfterAll
    void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void retractMarksTheEntryWhichListOnlyShowsWithAllAndShowShowsRetracted() throws Exception {
        ImportEvent one = publish("1.0", 1);
        ImportEvent two = publish("2.0", 2);
        String data = dataDir.toString();

        Run retract = run("catalog", "retract", "acme-corp/widget-server/2.0", "--reason", "CVE-2025-0001",
                "--data-dir", data);

        assertThat(retract.exit).as(retract.err).isEqualTo(0);
        assertThat(retract.out).startsWith("retracted acme-corp/widget-server/2.0 (import " + two.importId() + ") at ")
                .contains(": CVE-2025-0001");
        Run list = run("catalog", "list", "--data-dir", data);
        assertThat(list.out).contains("acme-corp/widget-server/1.0").doesNotContain("acme-corp/widget-server/2.0");
        Run all = run("catalog", "list", "--all", "--data-dir", data);
        assertThat(all.out).containsPattern("acme-corp/widget-server/2\\.0 +retracted")
                .containsPattern("acme-corp/widget-server/1\\.0 +available");
        JsonNode shown = EventCodec.JSON.readTree(run("catalog", "show", two.importId(), "--data-dir", data).out);
        assertThat(shown.path("state").asText()).isEqualTo("retracted");
        assertThat(shown.path("retraction").path("reason").asText()).isEqualTo("CVE-2025-0001");
        CatalogIndex.Product product = new CatalogIndex(pipeline.store(), buckets().catalog()).read().orElseThrow()
                .products().get("acme-corp/widget-server");
        assertThat(product.latest()).isEqualTo("1.0");
        assertThat(product.versions().get("2.0").state()).isEqualTo("retracted");

        Run byImportId = run("catalog", "retract", one.importId(), "--json", "--data-dir", data);
        assertThat(byImportId.exit).isEqualTo(0);
        assertThat(EventCodec.JSON.readTree(byImportId.out).path("state").asText()).isEqualTo("retracted");
        assertThat(run("catalog", "list", "--json", "--data-dir", data).out.trim()).isEqualTo("[ ]");

        Run unknown = run("catalog", "retract", "nobody/nothing/0", "--data-dir", data);
        assertThat(unknown.exit).isEqualTo(1);
        assertThat(unknown.err).contains("no catalog entry nobody/nothing/0");
        assertThat(run("catalog", "retract", "--data-dir", data).exit).isEqualTo(2);
    }

    @Test
    void verifyChecksTheCatalogAgainstThePinnedKeyAndRefusesAReplayedOlderRootAfterItsStateSawANewer()
            throws Exception {
        // the pipeline's key, as run makes it at its first start: retract signs the index with it
        SigningKey key = SigningKey.keptIn(dataDir.resolve("signing"), null);
        Path publicKey = dataDir.resolve("signing").resolve(SigningKey.PUBLIC_KEY_FILE);
        Path state = dir.resolve("verify-state.properties");
        String data = dataDir.toString();
        String location = "s3://" + buckets().catalog() + "/";
        publish("3.0", 3);
        publish("4.0", 4);
        assertThat(run("catalog", "retract", "acme-corp/widget-server/4.0", "--data-dir", data).exit).isEqualTo(0);

        Run verified = run("catalog", "verify", location, "--key", publicKey.toString(), "--state", state.toString(),
                "--data-dir", data);

        assertThat(verified.exit).as(verified.out + verified.err).isEqualTo(0);
        assertThat(verified.out).startsWith("OK " + location + "index.json: version ");
        long version = new CatalogIndex(pipeline.store(), buckets().catalog()).root().orElseThrow().version();
        assertThat(Files.readString(state)).contains(location.replace(":", "\\:") + "=" + version);
        assertThat(key.signer().fingerprint()).isNotEmpty();

        // a newer catalog is seen, then the older root and its valid signature are served again
        byte[] oldRoot = pipeline.store().read(buckets().catalog(), CatalogIndex.INDEX_JSON).readAllBytes();
        byte[] oldSignature = pipeline.store().read(buckets().catalog(), CatalogIndex.INDEX_JSON
                + CatalogIndex.SIGNATURE_SUFFIX).readAllBytes();
        assertThat(run("catalog", "retract", "acme-corp/widget-server/3.0", "--data-dir", data).exit).isEqualTo(0);
        assertThat(run("catalog", "verify", location, "--key", publicKey.toString(), "--state", state.toString(),
                "--data-dir", data).exit).isEqualTo(0);
        pipeline.store().write(buckets().catalog(), CatalogIndex.INDEX_JSON, oldRoot, "application/json");
        pipeline.store().write(buckets().catalog(), CatalogIndex.INDEX_JSON + CatalogIndex.SIGNATURE_SUFFIX,
                oldSignature, CatalogIndex.SIGNATURE_TYPE);

        Run replayed = run("catalog", "verify", location, "--key", publicKey.toString(), "--state", state.toString(),
                "--data-dir", data);

        assertThat(replayed.exit).isEqualTo(1);
        assertThat(replayed.out).contains("FAIL " + location + "index.json: version: version " + version
                + " is older than version " + (version + 1)).contains("FAILED");
        Path notAKey = Files.writeString(dir.resolve("not-a-key.asc"), "hello");
        Run badKey = run("catalog", "verify", location, "--key", notAKey.toString(), "--data-dir", data);
        assertThat(badKey.exit).isEqualTo(2);
        assertThat(badKey.err).contains(notAKey.toString(), "not an OpenPGP public key");
        assertThat(run("catalog", "verify", "ftp://x/", "--key", publicKey.toString(), "--data-dir", data).exit)
                .isEqualTo(2);
    }

    @Test
    void pruneListsWhatWouldGoOnADryRunThenPrunesItAndRemovesItsFilesOnceTheGracePeriodPassed() throws Exception {
        // a catalog of its own: the other tests' versions stay as they are
        String catalog = "ova-catalog-prune";
        pipeline.store().ensureBuckets(List.of(catalog));
        ImportEvent old = publish(catalog, "Gizmo", "1.0", 11);
        publish(catalog, "Gizmo", "1.1", 12);
        ImportEvent latest = publish(catalog, "Gizmo", "1.2", 13);
        String data = dataDir.toString();
        String bucket = "ovaflow.bucket.catalog=" + catalog;

        Run dry = run("catalog", "prune", "--dry-run", "--keep-versions", "1", "-D", bucket, "--data-dir", data);
        assertThat(dry.exit).as(dry.err).isEqualTo(0);
        assertThat(dry.out).contains("would prune acme-corp/gizmo/1.0 (available, import " + old.importId())
                .contains("would prune acme-corp/gizmo/1.1 ").doesNotContain("gizmo/1.2")
                .contains("dry run: 2 version(s) to prune, the files of 0 removed (keeps the 1 latest available "
                        + "versions and the latest)");
        assertThat(new CatalogIndex(pipeline.store(), catalog).product("acme-corp", "gizmo").orElseThrow().versions())
                .as("a dry run changes nothing").containsOnlyKeys("1.0", "1.1", "1.2");

        Run pruned = run("catalog", "prune", "--keep-versions", "1", "-D", bucket, "--json", "--data-dir", data);
        assertThat(pruned.exit).as(pruned.err).isEqualTo(0);
        JsonNode result = EventCodec.JSON.readTree(pruned.out);
        assertThat(result.path("pruned")).extracting(v -> v.path("version").asText()).containsExactly("1.0", "1.1");
        assertThat(result.path("removed")).as("7 days of grace by default").isEmpty();
        CatalogIndex.ProductIndex gizmo = new CatalogIndex(pipeline.store(), catalog).product("acme-corp", "gizmo")
                .orElseThrow();
        assertThat(gizmo.versions()).containsOnlyKeys("1.2");
        assertThat(gizmo.latest()).isEqualTo("1.2");
        assertThat(pipeline.store().list(catalog, "acme-corp/gizmo/1.0/")).as("files kept for the grace period")
                .isNotEmpty();
        assertThat(run("catalog", "show", "acme-corp/gizmo/1.0", "-D", bucket, "--data-dir", data).out)
                .contains("\"state\" : \"pruned\"");

        // no grace: the files of what was pruned go at the next run
        Run purged = run("catalog", "prune", "--keep-versions", "1", "--grace", "0", "-D", bucket, "--data-dir", data);
        assertThat(purged.exit).as(purged.err).isEqualTo(0);
        assertThat(purged.out).contains("removed the files of acme-corp/gizmo/1.0 (import " + old.importId());
        assertThat(pipeline.store().list(catalog, "acme-corp/gizmo/1.0/")).isEmpty();
        assertThat(pipeline.store().list(catalog, "acme-corp/gizmo/1.2/")).isNotEmpty();
        assertThat(latest.importId()).isNotBlank();

        assertThat(run("catalog", "prune", "--max-age", "soon", "-D", bucket, "--data-dir", data).exit).isEqualTo(2);
    }

    private Buckets buckets() {
        return pipeline.settings().buckets();
    }

    /** Acme Corp's Widget Server {@code version}, staged as transcode leaves it and published. */
    private ImportEvent publish(String version, long seed) {
        return publish(buckets().catalog(), "Widget Server", version, seed);
    }

    /** Acme Corp's {@code product} {@code version}, staged as transcode leaves it and published in {@code catalog}. */
    private ImportEvent publish(String catalog, String product, String version, long seed) {
        ObjectStore store = pipeline.store();
        byte[] ova = SampleAppliance.ova("Acme Corp", product, version, 20_000, seed).toBytes();
        String name = "widget-" + version + ".ova";
        ObjectInfo dropped = store.write(buckets().incoming(), name, ova, "application/x-tar");
        ImportEvent arrived = ImportEvent.arrived(new ObjectRef(buckets().incoming(), name, dropped.etag(), ova.length,
                null), "scan", Instant.now());
        byte[] disk = SampleAppliance.disk(20_000, seed);
        String staged = "imports/" + arrived.importId() + "/disk1.img";
        store.write(buckets().staging(), staged, disk, "application/octet-stream");
        ImportEvent transcoded = arrived.withOverrides(new ProductOverrides("Acme Corp",
                        product, version))
                .withArtifacts(List.of(new StagedArtifact("disk", "disk1.img", buckets().staging(), staged, disk.length,
                        "sha-" + seed, SampleAppliance.RAW_FORMAT, null, null)));
        assertThat(new PublishStage(store, catalog).publish(transcoded).next()).isEqualTo(Topics.PUBLISHED);
        return transcoded;
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Ovaflow.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
