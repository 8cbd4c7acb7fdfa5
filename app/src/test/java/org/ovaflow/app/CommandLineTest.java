package org.ovaflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.sample.SampleAppliance;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The commands a user types against a running pipeline, with their output and exit codes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandLineTest {

    @TempDir
    static Path dir;

    private Pipeline pipeline;
    private Path dataDir;

    @BeforeAll
    void startPipeline() throws Exception {
        dataDir = dir.resolve("data");
        pipeline = Pipeline.start(TestPipelines.embedded(dataDir, "all", Map.of()));
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
        Files.write(bad, SampleAppliance.ova("Soylent", "Red Server", "3.1", 50_000, 12).spoilDigestOf("disk1.img").toBytes());

        Run goodOnly = run("import", "--data-dir", dataDir.toString(), "--wait", good.toString());
        assertThat(goodOnly.exit).as(goodOnly.out).isEqualTo(0);
        assertThat(goodOnly.out).contains("cli-good.ova", "PUBLISHED", "soylent/green-server/3.1/");

        Run both = run("import", "--data-dir", dataDir.toString(), "--wait", good.toString(), bad.toString());
        assertThat(both.exit).as(both.out).isEqualTo(1);
        assertThat(both.out).contains("PUBLISHED").contains("QUARANTINED", "manifest.digest");

        Run list = run("catalog", "list", "--data-dir", dataDir.toString(), "--json");
        assertThat(list.exit).isEqualTo(0);
        JsonNode entries = EventCodec.JSON.readTree(list.out);
        assertThat(entries).anySatisfy(e -> assertThat(e.path("product").asText()).isEqualTo("green-server"));

        Run show = run("catalog", "show", "soylent/green-server/3.1", "--data-dir", dataDir.toString());
        assertThat(show.exit).isEqualTo(0);
        assertThat(EventCodec.JSON.readTree(show.out).path("appliance").path("product").asText()).isEqualTo("Green Server");
        assertThat(run("catalog", "show", "nobody/nothing/0", "--data-dir", dataDir.toString()).exit).isEqualTo(1);

        Run quarantine = run("quarantine", "list", "--data-dir", dataDir.toString());
        assertThat(quarantine.exit).isEqualTo(0);
        assertThat(quarantine.out).contains("cli-bad.ova", "manifest.digest", "disk1.img");
        String badId = EventCodec.JSON.readTree(run("quarantine", "list", "--json", "--data-dir", dataDir.toString()).out)
                .findValuesAsText("importId").stream().filter(id -> quarantine.out.contains(id)).findFirst().orElseThrow();
        assertThat(run("quarantine", "show", badId, "--data-dir", dataDir.toString()).out).contains("\"failed\"");
    }

    @Test
    void usageAndConfigurationErrorsExitWithTwo() {
        assertThat(run("run", "--stages", "checksum,bogus").exit).isEqualTo(2);
        assertThat(run("run", "--stages", "checksum,bogus").err).contains("unknown stage 'bogus'");
        assertThat(run("import", "--data-dir", dir.resolve("nowhere").toString(), dir.resolve("x.ova").toString()).exit)
                .isEqualTo(2);
        Run noPipeline = run("catalog", "list", "--data-dir", dir.resolve("nowhere").toString());
        assertThat(noPipeline.exit).isEqualTo(2);
        assertThat(noPipeline.err).contains("no running pipeline found");
        assertThat(run("no-such-command").exit).isEqualTo(2);
        assertThat(run("--help").exit).isEqualTo(0);
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
