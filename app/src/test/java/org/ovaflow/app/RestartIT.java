package org.ovaflow.app;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.app.pipeline.PipelineSettings;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.publish.catalog.CatalogReader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ovaflow run} stopped and started again on its data dir keeps its topics, objects and memory of imports. */
class RestartIT {

    @TempDir
    Path dir;

    @Test
    void theEmbeddedServersKeepEverythingAcrossARestartAndNothingIsImportedAgain() throws Exception {
        PipelineSettings settings = TestPipelines.embedded(dir.resolve("data"), "all", Map.of());
        Path ova = dir.resolve("tyrell-nexus.ova");
        Files.write(ova, SampleAppliance.ova("Tyrell", "Nexus", "6", 80_000, 13).toBytes());
        String importId;
        try (Pipeline first = Pipeline.start(settings)) {
            importId = Drop.of(first.store(), "ova-incoming", ova).importId();
            StatusEvent status = first.statuses().awaitFinal(List.of(importId), Duration.ofSeconds(60)).get(importId);
            assertThat(status.state()).isEqualTo(StatusEvent.State.PUBLISHED);
        }

        // restarted with more partitions for the transcode stage's topic: it grows, everything else stays
        PipelineSettings more = TestPipelines.embedded(dir.resolve("data"), "all",
                Map.of("ovaflow.kafka.partitions.ova.validated", "6"));
        try (Pipeline second = Pipeline.start(more)) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, second.kafka()))) {
                var topics = admin.describeTopics(List.of("ova.validated", "ova.arrived")).allTopicNames().get();
                assertThat(topics.get("ova.validated").partitions()).hasSize(6);
                assertThat(topics.get("ova.arrived").partitions()).hasSize(3);
            }
            assertThat(new CatalogReader(second.store(), "ova-catalog").find("tyrell/nexus/6")).isPresent();
            StatusEvent status = second.statuses().awaitFinal(List.of(importId), Duration.ofSeconds(30)).get(importId);
            assertThat(status.state()).as("status read back from the compacted topic").isEqualTo(StatusEvent.State.PUBLISHED);
            Thread.sleep(2000); // several bucket scans see the OVA again, still in the incoming bucket
            assertThat(TestPipelines.readAll(second.kafka(), Topics.ARRIVED.topic()))
                    .filteredOn(r -> importId.equals(r.key())).hasSize(1);
        }
    }
}
