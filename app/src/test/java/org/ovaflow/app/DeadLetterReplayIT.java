package org.ovaflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.minio.MinioClient;
import io.minio.RemoveBucketArgs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.dlq.DeadLetterQueue;
import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.app.pipeline.Endpoints;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.core.event.DeadLetter;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.store.ObjectStore;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Faults during publication and {@code ovaflow dlq list|replay} on the whole embedded pipeline: a real store
 * fault (the catalog bucket deleted under the running pipeline), retries, ova.dlq with staging kept, the fault
 * repaired, the replay that completes the import; and a poison record replayed back into the DLQ.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeadLetterReplayIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path dir;

    private Pipeline pipeline;
    private ObjectStore store;
    private Path dataDir;

    @BeforeAll
    void startPipeline() throws Exception {
        dataDir = dir.resolve("data");
        pipeline = Pipeline.start(TestPipelines.embedded(dataDir, "all", Map.of(
                "ovaflow.retry.attempts", "3",
                "ovaflow.retry.initial-delay-ms", "50",
                "ovaflow.retry.max-delay-ms", "200")));
        store = pipeline.store();
    }

    @AfterAll
    void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void aTranscodeTheStoreKeepsFailingEndsInTheDlqAndItsReplayPublishesIt() throws Exception {
        // a real fault, no mock: the catalog bucket (holding only the signing key) is deleted under the running
        // pipeline; transcode, which writes the import's files into it, fails
        Endpoints endpoints = pipeline.endpoints();
        pipeline.store().list("ova-catalog", "").forEach(o -> pipeline.store().remove("ova-catalog", o.key()));
        MinioClient.builder().endpoint(endpoints.s3()).credentials(endpoints.s3AccessKey(), endpoints.s3SecretKey())
                .region("us-east-1").build().removeBucket(RemoveBucketArgs.builder().bucket("ova-catalog").build());
        Drop drop = drop("stormy.ova", SampleAppliance.ova("Stormy", "Weather", "1.0", 60_000, 21).toBytes());

        StatusEvent failed = pipeline.statuses().awaitFinal(List.of(drop.importId()), WAIT).get(drop.importId());

        assertThat(failed.state()).as(String.valueOf(failed)).isEqualTo(StatusEvent.State.FAILED);
        assertThat(failed.stage()).isEqualTo("transcode");
        assertThat(failed.message()).startsWith("failed after retries").contains("NoSuchBucket");
        DeadLetter letter = deadLetters(drop.importId()).get(0);
        assertThat(letter.stage()).isEqualTo("transcode");
        assertThat(letter.topic()).isEqualTo(Topics.VALIDATED.topic());
        assertThat(letter.headers()).containsKeys("ce_id", "ce_type", "ce_specversion", "ce_schemaversion");
        // retried ovaflow.retry.attempts times with backoff before it was dead-lettered
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(pipeline.httpUrl() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).containsPattern("ovaflow_retries_total\\{stage=\"transcode\",?} 3\\.0")
                .containsPattern("ovaflow_dead_letters_total\\{reason=\"failed-after-retries\",stage=\"transcode\",?} 1\\.0");

        Run list = run("dlq", "list");
        assertThat(list.exit).isZero();
        assertThat(list.out).containsPattern("\\d+-\\d+ .* transcode +failed after retries +" + drop.importId() + " +PENDING");
        JsonNode listed = EventCodec.JSON.readTree(run("dlq", "list", "--json").out);
        String id = listed.findParents("deadLetter").stream()
                .filter(e -> drop.importId().equals(e.path("deadLetter").path("key").asText()))
                .map(e -> e.path("id").asText()).findFirst().orElseThrow();

        store.ensureBuckets(List.of("ova-catalog")); // the operator repairs the store
        Run replay = run("dlq", "replay", "--all");

        assertThat(replay.exit).as(replay.out + replay.err).isZero();
        assertThat(replay.out).contains(id + "  replayed to ova.validated (partition ",
                "[import " + drop.importId() + ", transcode: failed after retries]");
        await().atMost(WAIT).until(() -> pipeline.statuses().get(drop.importId())
                .map(s -> s.state() == StatusEvent.State.PUBLISHED).orElse(false));
        assertThat(store.exists("ova-catalog", "stormy/weather/1.0/appliance.json")).isTrue();
        assertThat(store.list("ova-staging", "imports/" + drop.importId() + "/")).isEmpty();

        // replayed once: a second --all leaves it alone, naming it explicitly is refused
        Run second = run("dlq", "replay", "--all");
        assertThat(second.out).doesNotContain(id + " ");
        Run named = run("dlq", "replay", id);
        assertThat(named.exit).isEqualTo(1);
        assertThat(named.out).contains(id + "  skipped: replayed already at ");
        assertThat(TestPipelines.readAll(pipeline.kafka(), Topics.VALIDATED.topic()))
                .filteredOn(r -> drop.importId().equals(r.key())).hasSize(2);
        assertThat(run("dlq", "list").out).containsPattern(id + " .* REPLAYED ");
    }

    @Test
    void aPoisonRecordReplayedComesBackToTheDlqAndTheCommandSaysWhatItDid() throws Exception {
        TestPipelines.send(pipeline.kafka(), Topics.ARRIVED.topic(), "poison-1", "not an event".getBytes());
        await().atMost(WAIT).until(() -> !deadLetters("poison-1").isEmpty());
        String firstId = deadLetterIds("poison-1").get(0);

        Run replay = run("dlq", "replay", "poison-1");

        assertThat(replay.exit).as(replay.out + replay.err).isZero();
        assertThat(replay.out).contains(firstId + "  replayed to ova.arrived", "[import poison-1, checksum: unreadable event]",
                "it was unreadable (PoisonEventException", "expect it back in ova.dlq", "replayed 1 of 1");
        await().atMost(WAIT).until(() -> deadLetters("poison-1").size() == 2);
        // the same bytes came back, and the new dead letter names the one it replays
        DeadLetter again = deadLetters("poison-1").get(1);
        assertThat(again.valueBase64()).isEqualTo(deadLetters("poison-1").get(0).valueBase64());
        assertThat(again.headers()).containsEntry(DeadLetterQueue.REPLAY_OF_HEADER, firstId);
        assertThat(run("dlq", "list").out).contains("(a replay of " + firstId + ")");

        Run unknown = run("dlq", "replay", "9-999999", "no-such-import");
        assertThat(unknown.exit).isEqualTo(1);
        assertThat(unknown.out).contains("9-999999  not replayed: no dead letter", "no-such-import  not replayed");
        assertThat(run("dlq", "replay").exit).isEqualTo(2);
    }

    private List<DeadLetter> deadLetters(String key) {
        return dlqRecords(key).stream().map(r -> {
            try {
                return EventCodec.JSON.readValue(r.value(), DeadLetter.class);
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    private List<String> deadLetterIds(String key) {
        return dlqRecords(key).stream().map(r -> r.partition() + "-" + r.offset()).toList();
    }

    private List<ConsumerRecord<String, byte[]>> dlqRecords(String key) {
        return TestPipelines.readAll(pipeline.kafka(), Topics.DLQ.topic()).stream()
                .filter(r -> key.equals(r.key())).toList();
    }

    private Drop drop(String name, byte[] content) throws Exception {
        return TestPipelines.drop(pipeline, dir, name, content);
    }

    private record Run(int exit, String out, String err) {
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Ovaflow.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(Stream.concat(Arrays.stream(args), Stream.of("--data-dir", dataDir.toString()))
                .toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }
}
