package org.ovaflow.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.app.pipeline.PipelineSettings;
import org.ovaflow.app.pipeline.Stage;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.sample.SampleAppliance;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.containers.MinIOContainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The end-to-end run against the servers users deploy: Apache Kafka and MinIO in containers. Skipped where no
 * Docker engine runs (as on the build machine); the embedded servers cover the same path there.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainersEndToEndIT {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1");

    @Container
    static final MinIOContainer MINIO = new MinIOContainer("minio/minio:RELEASE.2025-04-22T22-12-26Z");

    @TempDir
    Path dir;

    @Test
    void aGoodAndABadOvaOnKafkaAndMinio() throws Exception {
        PipelineSettings settings = new PipelineSettings(dir.resolve("data"), KAFKA.getBootstrapServers(),
                MINIO.getS3URL(), MINIO.getUserName(), MINIO.getPassword(), Stage.parse("all"), "127.0.0.1", 0,
                Map.of("ovaflow.ingest.scan-interval-ms", "500", "ovaflow.shutdown-timeout-s", "3",
                        "ovaflow.kafka.replication-factor", "1"));
        try (Pipeline pipeline = Pipeline.start(settings)) {
            Path good = dir.resolve("good.ova");
            Files.write(good, SampleAppliance.ova("Acme", "Widget", "1.0", 500_000, 1).toBytes());
            Path bad = dir.resolve("bad.ova");
            Files.write(bad, SampleAppliance.ova("Acme", "Broken", "1.0", 500_000, 2).spoilDigestOf("disk1.img").toBytes());
            Drop goodDrop = Drop.of(pipeline.store(), "ova-incoming", good);
            Drop badDrop = Drop.of(pipeline.store(), "ova-incoming", bad);

            Map<String, StatusEvent> outcomes = pipeline.statuses()
                    .awaitFinal(List.of(goodDrop.importId(), badDrop.importId()), Duration.ofSeconds(90));

            assertThat(outcomes.get(goodDrop.importId()).state()).isEqualTo(StatusEvent.State.PUBLISHED);
            assertThat(outcomes.get(badDrop.importId()).state()).isEqualTo(StatusEvent.State.QUARANTINED);
            assertThat(pipeline.store().exists("ova-catalog", "acme/widget/1.0/appliance.json")).isTrue();
            assertThat(pipeline.store().exists("ova-quarantine", badDrop.importId() + "/report.json")).isTrue();
        }
    }
}
