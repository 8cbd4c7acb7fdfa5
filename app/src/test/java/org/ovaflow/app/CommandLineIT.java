package org.ovaflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.sample.SampleAppliance;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The commands a user types against a running pipeline, with their output and exit codes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandLineIT {

    @TempDir
    static Path dir;

    private Pipeline pipeline;
    private Path dataDir;

    @BeforeAll
    void startPipeline() throws Exception {
        dataDir = dir.resolve("data");
        // no bucket scan within the test's time: what `import` drops arrives by the notification it sends
        pipeline = Pipeline.start(TestPipelines.embedded(dataDir, "all", Map.of(
                "ovaflow.ingest.scan-delay-ms", "3600000", "ovaflow.ingest.scan-interval-ms", "3600000")));
    }

    @AfterAll
    void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void importWaitPrintsOneLinePerImportAndExitsOneWhenAnyIsRejected() throws Exception {
        Path good = dir.resolve("cli-good.ova");
        Files.write(good, SampleAppliance.ova("Soylent", "Green Server", "3.1", 50_000, 11).toBytes());
        Path bad = dir.resolve("cli-bad.ova");
        Files.write(bad, SampleAppliance.ova("Soylent", "Red Server", "3.1", 50_000, 12).spoilDigestOf("disk1.img")
                .toBytes());

        CommandRun goodOnly = CommandRun.of("import", "--data-dir", dataDir.toString(), "--wait", good.toString());
        assertThat(goodOnly.exit()).as(goodOnly.out()).isEqualTo(0);
        assertThat(goodOnly.out()).contains("cli-good.ova", "PUBLISHED", "soylent/green-server/3.1/");
        assertThat(TestPipelines.readAll(pipeline.endpoints().kafka(), Topics.STATUS.topic()))
                .extracting(r -> EventCodec.JSON.readTree(r.value()))
                .filteredOn(status -> status.path("state").asText().equals("ARRIVED"))
                .singleElement().satisfies(arrived -> assertThat(arrived.path("message").asText())
                        .isEqualTo("from notification"));

        CommandRun both = CommandRun.of("import", "--data-dir", dataDir.toString(), "--wait", good.toString(),
                bad.toString());
        assertThat(both.exit()).as(both.out()).isEqualTo(1);
        assertThat(both.out()).contains("PUBLISHED").contains("QUARANTINED", "manifest.digest");

        CommandRun list = CommandRun.of("catalog", "list", "--data-dir", dataDir.toString(), "--json");
        assertThat(list.exit()).isEqualTo(0);
        JsonNode entries = EventCodec.JSON.readTree(list.out());
        assertThat(entries).anySatisfy(e -> assertThat(e.path("product").asText()).isEqualTo("green-server"));

        CommandRun show = CommandRun.of("catalog", "show", "soylent/green-server/3.1", "--data-dir",
                dataDir.toString());
        assertThat(show.exit()).isEqualTo(0);
        assertThat(EventCodec.JSON.readTree(show.out()).path("appliance").path("product").asText())
                .isEqualTo("Green Server");
        assertThat(CommandRun.of("catalog", "show", "nobody/nothing/0", "--data-dir",
                dataDir.toString()).exit()).isEqualTo(1);

        CommandRun quarantine = CommandRun.of("quarantine", "list", "--data-dir", dataDir.toString());
        assertThat(quarantine.exit()).isEqualTo(0);
        assertThat(quarantine.out()).contains("cli-bad.ova", "manifest.digest", "disk1.img");
        String badId = EventCodec.JSON.readTree(CommandRun.of("quarantine", "list", "--json", "--data-dir",
                dataDir.toString()).out())
                .findValuesAsText("importId").stream().filter(id -> quarantine.out().contains(id)).findFirst()
                .orElseThrow();
        assertThat(CommandRun.of("quarantine", "show", badId, "--data-dir",
                dataDir.toString()).out()).contains("\"failed\"");
    }

    @Test
    void usageAndConfigurationErrorsExitWithTwo() {
        assertThat(CommandRun.of("run", "--stages", "checksum,bogus").exit()).isEqualTo(2);
        assertThat(CommandRun.of("run", "--stages", "checksum,bogus").err()).contains("unknown stage 'bogus'");
        assertThat(CommandRun.of("import", "--data-dir", dir.resolve("nowhere").toString(),
                dir.resolve("x.ova").toString()).exit())
                .isEqualTo(2);
        CommandRun noPipeline = CommandRun.of("catalog", "list", "--data-dir", dir.resolve("nowhere").toString());
        assertThat(noPipeline.exit()).isEqualTo(2);
        assertThat(noPipeline.err()).contains("no running pipeline found");
        // a signing key that cannot be used stops run before any server starts
        Path missingKey = dir.resolve("no-such-key.asc");
        CommandRun badKey = CommandRun.of("run", "--data-dir", dir.resolve("bad-key").toString(), "-D",
                "ovaflow.signing.key=" + missingKey);
        assertThat(badKey.exit()).isEqualTo(2);
        assertThat(badKey.err()).contains("the signing key " + missingKey + " does not exist");
        assertThat(CommandRun.of("no-such-command").exit()).isEqualTo(2);
        assertThat(CommandRun.of("--help").exit()).isEqualTo(0);
    }
}
