package org.ovaflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ovaflow quarantine release} on the whole embedded pipeline: an OVA rejected for a cause an operator can
 * remove (a version conflict with a catalog entry), the cause removed, the OVA released and published.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuarantineReleaseEndToEndIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path dir;

    private Pipeline pipeline;
    private ObjectStore store;
    private Path dataDir;

    @BeforeAll
    void startPipeline() throws Exception {
        dataDir = dir.resolve("data");
        pipeline = Pipeline.start(TestPipelines.embedded(dataDir, "all", Map.of()));
        store = pipeline.store();
    }

    @AfterAll
    void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void aConflictingVersionReleasedOnceTheConflictingEntryIsRemovedIsPublished() throws Exception {
        byte[] first = SampleAppliance.ova("Acme", "Widget", "1.0", 50_000, 1).toBytes();
        byte[] second = SampleAppliance.ova("Acme", "Widget", "1.0", 50_000, 2).toBytes();
        assertThat(await(drop("widget-first.ova", first)).state()).isEqualTo(StatusEvent.State.PUBLISHED);
        Drop conflicting = drop("widget-second.ova", second);
        StatusEvent rejected = await(conflicting);
        assertThat(rejected.state()).isEqualTo(StatusEvent.State.QUARANTINED);
        assertThat(rejected.message()).contains("catalog.version-conflict");

        // what transcode wrote for the rejected import into its own folder of the entry went with its quarantine
        assertThat(store.list("ova-catalog", "acme/widget/1.0/" + conflicting.importId() + "/")).isEmpty();
        // while the conflicting entry is there, a release would only be rejected again: the operator removes it
        for (ObjectInfo object : store.list("ova-catalog", "acme/widget/1.0/")) {
            store.remove("ova-catalog", object.key());
        }
        Run release = run("quarantine", "release", conflicting.importId(), "--wait", "--timeout", "PT90S");

        assertThat(release.exit).as(release.out + release.err).isZero();
        String key = "released/" + conflicting.importId() + "/widget-second.ova";
        assertThat(release.out).contains("released as s3://ova-incoming/" + key, "PUBLISHED", "catalog: acme/widget/1.0/");
        JsonNode appliance = EventCodec.JSON.readTree(TestPipelines.read(store, "ova-catalog",
                "acme/widget/1.0/appliance.json"));
        String newImportId = appliance.path("provenance").path("importId").asText();
        assertThat(newImportId).isNotEqualTo(conflicting.importId());
        assertThat(appliance.path("provenance").path("source").asText()).isEqualTo("s3://ova-incoming/" + key);
        try (var disk = store.read("ova-catalog", "acme/widget/1.0/" + newImportId + "/disk1.img")) {
            assertThat(disk.readAllBytes()).isEqualTo(SampleAppliance.disk(50_000, 2));
        }

        // the quarantine keeps the entry, marked released; releasing it again is refused
        Run list = run("quarantine", "list");
        assertThat(list.out).contains(conflicting.importId() + "  s3://ova-incoming/widget-second.ova  RELEASED ")
                .contains("as import " + newImportId);
        JsonNode shown = EventCodec.JSON.readTree(run("quarantine", "show", conflicting.importId()).out);
        assertThat(shown.path("released").path("importId").asText()).isEqualTo(newImportId);
        assertThat(shown.path("released").path("asKey").asText()).isEqualTo(key);
        assertThat(store.exists("ova-quarantine", conflicting.importId() + "/widget-second.ova")).isTrue();
        Run again = run("quarantine", "release", conflicting.importId());
        assertThat(again.exit).isEqualTo(1);
        assertThat(again.err).contains("was released already at", newImportId);
        assertThat(run("quarantine", "release", "0123456789abcdef01234567").err)
                .contains("no quarantined import 0123456789abcdef01234567");
    }

    private Drop drop(String name, byte[] content) throws Exception {
        return TestPipelines.drop(pipeline, dir, name, content);
    }

    private StatusEvent await(Drop drop) throws InterruptedException {
        return TestPipelines.awaitFinal(pipeline, drop, WAIT);
    }

    private record Run(int exit, String out, String err) {
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Ovaflow.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        String[] withDataDir = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--data-dir", dataDir.toString())).toArray(String[]::new);
        int exit = commandLine.execute(withDataDir);
        return new Run(exit, out.toString(), err.toString());
    }
}
