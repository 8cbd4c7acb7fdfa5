package org.ovaflow.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.app.pipeline.Endpoints;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.app.pipeline.PipelineSettings;
import org.ovaflow.app.pipeline.Stage;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.publish.catalog.CatalogIndex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stage process that dies mid-import, after its work but before it wrote its event and committed, must not
 * lose nor duplicate the import: its successor re-reads the uncommitted record and finishes the job.
 */
class StageRestartIT {

    @TempDir
    Path dir;

    @Test
    void anImportInterruptedInTranscodeCompletesExactlyOnceAfterTheStageRestarts() throws Exception {
        try (Pipeline servers = Pipeline.start(TestPipelines.embedded(dir.resolve("data"), "none", Map.of())
                .withStages(Stage.parse("none")))) {
            Endpoints endpoints = servers.endpoints();
            Path ova = dir.resolve("wayne-batcomputer.ova");
            Files.write(ova, SampleAppliance.ova("Wayne Enterprises", "Batcomputer", "7.0", 2_000_000, 9).toBytes());

            CountDownLatch inTheMiddle = new CountDownLatch(1);
            Pipeline doomed = Pipeline.start(stagesOn(endpoints, dir.resolve("doomed")), camel ->
                    TestPipelines.holdAfterTranscodeWork(camel, () -> true, inTheMiddle));
            Drop drop = Drop.of(servers.store(), "ova-incoming", ova);
            assertThat(inTheMiddle.await(60, TimeUnit.SECONDS)).as("transcode reached its work").isTrue();
            // the disk converted into the entry's import folder, the next event not yet written, the offset not
            // committed: stop it here
            assertThat(servers.store().list("ova-catalog", "wayne-enterprises/batcomputer/7.0/" + drop.importId()
                    + "/")).isNotEmpty();
            doomed.close();
            assertThat(TestPipelines.readAll(endpoints.kafka(), Topics.TRANSCODED.topic()))
                    .filteredOn(r -> drop.importId().equals(r.key())).isEmpty();

            try (Pipeline successor = Pipeline.start(stagesOn(endpoints, dir.resolve("successor")))) {
                StatusEvent status = successor.statuses().awaitFinal(List.of(drop.importId()), Duration.ofSeconds(60))
                        .get(drop.importId());
                assertThat(status).isNotNull();
                assertThat(status.state()).isEqualTo(StatusEvent.State.PUBLISHED);
            }

            assertThat(servers.store().list("ova-catalog", "").stream().map(o -> o.key())
                    .filter(k -> k.endsWith("/appliance.json") && !k.startsWith(CatalogIndex.ENTRIES)).toList())
                    .containsExactly("wayne-enterprises/batcomputer/7.0/appliance.json");
            assertThat(servers.store().list("ova-staging", "")).isEmpty();
            // at least once: a rebalance may redeliver a record, but a redelivery is the same event (same ce_id)
            assertThat(TestPipelines.readAll(endpoints.kafka(), Topics.PUBLISHED.topic()).stream()
                    .filter(r -> drop.importId().equals(r.key()))
                    .map(r -> new String(r.headers().lastHeader("ce_id").value())).distinct().toList())
                    .containsExactly(drop.importId() + "/org.ovaflow.published");
        }
    }

    /** Every stage, on the servers of another process, as a separate {@code ovaflow run --stages all} would. */
    private static PipelineSettings stagesOn(Endpoints endpoints, Path dataDir) {
        PipelineSettings embedded = TestPipelines.embedded(dataDir, "all", Map.of());
        return new PipelineSettings(dataDir, endpoints.kafka(), endpoints.s3(), endpoints.s3AccessKey(),
                endpoints.s3SecretKey(), embedded.stages(), "127.0.0.1", -1, embedded.properties());
    }
}
