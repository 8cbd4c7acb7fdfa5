package org.ovaflow.app;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.app.pipeline.Endpoints;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.app.pipeline.PipelineSettings;
import org.ovaflow.app.pipeline.Stage;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.publish.catalog.CatalogIndex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two {@code ovaflow run --stages transcode} processes against one broker and store share the transcode
 * partitions as one consumer group; when the one holding an import (the first to get one holds it) is stopped
 * mid-import, the other takes its partition over and finishes the import, exactly once in the catalog.
 */
class ScaleOutIT {

    @TempDir
    Path dir;

    @Test
    void twoTranscodersShareTheWorkAndTheSurvivorFinishesWhatTheStoppedOneHeld() throws Exception {
        try (Pipeline servers = Pipeline.start(TestPipelines.embedded(dir.resolve("servers"), "none", Map.of())
                .withStages(Stage.parse("none")))) {
            Endpoints endpoints = servers.endpoints();
            AtomicReference<String> holder = new AtomicReference<>();
            CountDownLatch held = new CountDownLatch(1);
            Map<String, Pipeline> transcoders = new HashMap<>();
            try (Pipeline others = Pipeline.start(process(endpoints, "others",
                    "ingest,checksum,schema,publish,quarantine"))) {
                for (String name : List.of("transcoder-a", "transcoder-b")) {
                    transcoders.put(name, Pipeline.start(process(endpoints, name, "transcode"),
                            camel -> TestPipelines.holdAfterTranscodeWork(camel,
                                    () -> holder.compareAndSet(null, name), held)));
                }
                awaitGroupSharedBy(endpoints.kafka(), 2);

                Path ova = dir.resolve("cyberdyne-t800.ova");
                Files.write(ova, SampleAppliance.ova("Cyberdyne", "T-800", "101", 1_000_000, 21).toBytes());
                Drop drop = Drop.of(servers.store(), "ova-incoming", ova);
                assertThat(held.await(60, TimeUnit.SECONDS)).as("a transcoder took the import").isTrue();
                transcoders.remove(holder.get()).close();

                StatusEvent status = others.statuses().awaitFinal(List.of(drop.importId()), Duration.ofSeconds(90))
                        .get(drop.importId());
                assertThat(status).isNotNull();
                assertThat(status.state()).isEqualTo(StatusEvent.State.PUBLISHED);
                assertThat(servers.store().list("ova-catalog", "").stream().map(o -> o.key())
                        .filter(k -> k.endsWith("/appliance.json") && !k.startsWith(CatalogIndex.ENTRIES)).toList())
                        .containsExactly("cyberdyne/t-800/101/appliance.json");
                assertThat(servers.store().list("ova-staging", "")).isEmpty();
            } finally {
                transcoders.values().forEach(Pipeline::close);
            }
        }
    }

    /** A process running {@code stages} on the shared servers, as {@code ovaflow run --stages …} would. */
    private PipelineSettings process(Endpoints endpoints, String name, String stages) {
        PipelineSettings embedded = TestPipelines.embedded(dir.resolve(name), stages,
                Map.of("ovaflow.instance", name));
        return new PipelineSettings(embedded.dataDir(), endpoints.kafka(), endpoints.s3(), endpoints.s3AccessKey(),
                endpoints.s3SecretKey(), embedded.stages(), "127.0.0.1", -1, embedded.properties());
    }

    /** Waits until the transcode group has {@code members} members that together own every partition. */
    private static void awaitGroupSharedBy(String kafka, int members) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            await("the transcode group shared by " + members).atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                        ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("ovaflow-transcode"))
                                .describedGroups().get("ovaflow-transcode").get();
                        Set<TopicPartition> owned = new HashSet<>();
                        long withPartitions = 0;
                        for (MemberDescription member : group.members()) {
                            Set<TopicPartition> assigned = member.assignment().topicPartitions();
                            owned.addAll(assigned);
                            withPartitions += assigned.isEmpty() ? 0 : 1;
                        }
                        assertThat(group.members()).as("members: " + group).hasSize(members);
                        assertThat(withPartitions).as("members with partitions: " + group).isEqualTo(members);
                        assertThat(owned).as("partitions owned: " + group).hasSize(3);
                    });
        }
    }
}
