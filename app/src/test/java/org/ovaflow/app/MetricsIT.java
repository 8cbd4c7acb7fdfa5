package org.ovaflow.app;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.sample.SampleAppliance;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import org.junit.jupiter.api.Assumptions;

/**
 * What a pipeline process serves on /metrics after real imports: the names the dashboard and the alert rules
 * are built on, with sensible values, and a scrape that Prometheus's own linter ({@code promtool check
 * metrics}) finds nothing to complain about.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> STAGES = List.of("checksum", "schema", "transcode", "publish", "quarantine");

    @TempDir
    static Path dir;

    private Pipeline pipeline;
    private String scrape;

    @BeforeAll
    void importAGoodABadAndAPoisonRecord() throws Exception {
        pipeline = Pipeline.start(TestPipelines.embedded(dir.resolve("data"), "all", Map.of()));
        Drop good = drop("metrics-good.ova", SampleAppliance.ova("Acme Corp", "Metrics", "1.0", 100_000, 11).toBytes());
        Drop bad = drop("metrics-bad.ova", SampleAppliance.ova("Acme Corp", "Spoiled", "1.0", 100_000, 12)
                .spoilDigestOf("disk1.img").toBytes());
        Map<String, StatusEvent> statuses = pipeline.statuses()
                .awaitFinal(List.of(good.importId(), bad.importId()), WAIT);
        assertThat(statuses.get(good.importId()).state()).isEqualTo(StatusEvent.State.PUBLISHED);
        assertThat(statuses.get(bad.importId()).state()).isEqualTo(StatusEvent.State.QUARANTINED);
        TestPipelines.send(pipeline.kafka(), Topics.ARRIVED.topic(), "poison", "not an event".getBytes());

        long deadline = System.nanoTime() + WAIT.toNanos();
        do {
            scrape = get("/metrics");
            // counted once the DLQ write is acknowledged; the exchange ends (in flight, route metrics) just after.
            // Both counters: a scrape reads its meters one after the other, so it may see one incremented and not yet
            // the other
            if (value("ovaflow_dead_letters_total", "reason", "unreadable-event").orElse(0) > 0
                    && value("ovaflow_imports_total", "stage", "checksum", "outcome", "dead-letter").orElse(0) > 0
                    && value("ovaflow_imports_in_flight", "stage", "checksum").orElse(-1) == 0
                    && value("camel_route_exchanges_total", "route", "checksum", "outcome", "completed").orElse(0) >= 3) {
                // kept for people and CI artifacts: what a real process serves
                Files.writeString(Path.of("target", "metrics-scrape.prom"), scrape);
                return;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        fail("the poison record was not counted as a dead letter:\n" + scrape);
    }

    @AfterAll
    void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void importsAreCountedByStageAndOutcome() {
        assertThat(value("ovaflow_imports_total", "stage", "ingest", "outcome", "arrived")).hasValue(2);
        assertThat(value("ovaflow_imports_total", "stage", "checksum", "outcome", "verified")).hasValue(1);
        assertThat(value("ovaflow_imports_total", "stage", "checksum", "outcome", "rejected")).hasValue(1);
        assertThat(value("ovaflow_imports_total", "stage", "schema", "outcome", "validated")).hasValue(1);
        assertThat(value("ovaflow_imports_total", "stage", "transcode", "outcome", "transcoded")).hasValue(1);
        assertThat(value("ovaflow_imports_total", "stage", "publish", "outcome", "published")).hasValue(1);
        assertThat(value("ovaflow_imports_total", "stage", "quarantine", "outcome", "quarantined")).hasValue(1);
        assertThat(value("ovaflow_imports_total", "stage", "checksum", "outcome", "dead-letter")).hasValue(1);
    }

    @Test
    void rejectionsAreCountedByFailedCheckInTheStageThatRejected() {
        assertThat(value("ovaflow_rejects_total", "stage", "checksum", "check", "manifest.digest")).hasValue(1);
        assertThat(lines("ovaflow_rejects_total")).filteredOn(MetricsIT::nonZero)
                .allMatch(line -> line.contains("stage=\"checksum\""));
    }

    @Test
    void everyKnownOutcomeAndRejectingCheckHasASeriesFromTheStart() {
        // at 0 before the first import, so that Prometheus's increase() counts the first one too
        assertThat(value("ovaflow_imports_total", "stage", "publish", "outcome", "rejected")).hasValue(0);
        assertThat(value("ovaflow_imports_total", "stage", "schema", "outcome", "rejected")).hasValue(0);
        assertThat(value("ovaflow_imports_total", "stage", "quarantine", "outcome", "dead-letter")).hasValue(0);
        assertThat(value("ovaflow_rejects_total", "stage", "checksum", "check", "tar.readable")).hasValue(0);
        assertThat(value("ovaflow_rejects_total", "stage", "schema", "check", "ovf.schema")).hasValue(0);
        assertThat(value("ovaflow_rejects_total", "stage", "transcode", "check", "disk.vmdk.grain-table")).hasValue(0);
        assertThat(value("ovaflow_rejects_total", "stage", "publish", "check", "catalog.version-conflict")).hasValue(0);
        assertThat(lines("ovaflow_rejects_total")).noneMatch(line -> line.contains("stage=\"ingest\"")
                || line.contains("stage=\"quarantine\""));
    }

    @Test
    void deadLettersRetriesBytesDurationsAndInFlightAreServed() {
        assertThat(value("ovaflow_dead_letters_total", "stage", "checksum", "reason", "unreadable-event")).hasValue(1);
        assertThat(value("ovaflow_stage_bytes_total", "stage", "checksum", "direction", "in").orElse(0)).isPositive();
        // what each stage asked the store to move, counted by the store each stage was given
        assertThat(value("ovaflow_store_bytes_total", "stage", "checksum", "op", "get").orElse(0)).isPositive();
        assertThat(value("ovaflow_store_bytes_total", "stage", "publish", "op", "put").orElse(0)).isPositive();
        assertThat(value("ovaflow_store_requests_total", "stage", "checksum", "op", "get").orElse(0)).isPositive();
        assertThat(value("ovaflow_store_bytes_total", "stage", "schema", "op", "copy")).hasValue(0);
        for (String stage : STAGES) {
            assertThat(value("ovaflow_stage_duration_seconds_count", "stage", stage).orElse(0))
                    .as(stage).isGreaterThanOrEqualTo(1);
            assertThat(lines("ovaflow_stage_duration_seconds_bucket")).as(stage)
                    .anyMatch(line -> line.contains("stage=\"" + stage + "\""));
            // every record is done: nothing is in flight any more
            assertThat(value("ovaflow_imports_in_flight", "stage", stage)).as(stage).hasValue(0);
            // declared at zero before anything happened, so that dashboards and rate() have a series
            assertThat(value("ovaflow_retries_total", "stage", stage)).as(stage).isPresent();
            assertThat(value("ovaflow_dead_letters_total", "stage", stage, "reason", "failed-after-retries"))
                    .as(stage).isPresent();
        }
    }

    @Test
    void kafkaClientsReportTheirConsumerLagPerStage() {
        for (String stage : STAGES) {
            assertThat(lines("kafka_consumer_fetch_manager_records_lag_max"))
                    .as("lag of stage " + stage)
                    .anyMatch(line -> line.contains("client_id=\"ovaflow-" + stage + "-"));
        }
        assertThat(lines("kafka_producer_record_send_total")).isNotEmpty();
    }

    @Test
    void camelRoutesJvmAndProcessAreServed() {
        assertThat(value("camel_route_exchanges_total", "route", "checksum", "outcome", "completed").orElse(0))
                .isGreaterThanOrEqualTo(3);
        assertThat(value("camel_route_exchange_duration_seconds_count", "route", "publish").orElse(0))
                .isGreaterThanOrEqualTo(1);
        assertThat(scrape).contains("jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads",
                "jvm_classes_loaded_classes", "process_cpu_usage", "process_uptime_seconds", "process_files_open_files");
    }

    @Test
    void noSecretIsInTheScrape() {
        var endpoints = pipeline.endpoints();
        assertThat(scrape).doesNotContain(endpoints.s3AccessKey()).doesNotContain(endpoints.s3SecretKey());
    }

    @Test
    void promtoolFindsNoProblem() throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        if (!Files.isExecutable(promtool)) {
            String message = "promtool not found at " + promtool + " (Debian package 'prometheus')";
            if ("true".equals(System.getenv("CI"))) {
                fail(message + ": under CI the lint must run");
            }
            System.err.println("SKIPPED promtool check metrics: " + message);
            Assumptions.abort(message);
        }
        Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var in = check.getOutputStream()) {
            in.write(scrape.getBytes(StandardCharsets.UTF_8));
        }
        String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(report).as("promtool check metrics").isBlank();
        assertThat(check.exitValue()).as("promtool exit code; it said:\n" + report).isZero();
    }

    /** The sample lines of {@code name}, without the labels' lines of other metrics sharing the prefix. */
    private List<String> lines(String name) {
        return scrape.lines().filter(line -> line.startsWith(name + "{") || line.startsWith(name + " ")).toList();
    }

    /** The value of the sample of {@code name} with exactly these labels (besides others it may carry). */
    private OptionalDouble value(String name, String... labels) {
        return lines(name).stream()
                .filter(line -> {
                    for (int i = 0; i < labels.length; i += 2) {
                        if (!line.contains(labels[i] + "=\"" + labels[i + 1] + "\"")) {
                            return false;
                        }
                    }
                    return true;
                })
                .map(SAMPLE::matcher).filter(Matcher::matches)
                .mapToDouble(m -> Double.parseDouble(m.group(1)))
                .findFirst();
    }

    private static boolean nonZero(String line) {
        Matcher sample = SAMPLE.matcher(line);
        return sample.matches() && Double.parseDouble(sample.group(1)) != 0;
    }

    private static final Pattern SAMPLE = Pattern.compile(".*\\}?\\s+(\\S+)$");

    private String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(pipeline.httpUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private Drop drop(String name, byte[] content) throws Exception {
        return TestPipelines.drop(pipeline, dir, name, content);
    }

    private org.ovaflow.core.store.ObjectStore store() {
        return pipeline.store();
    }
}
