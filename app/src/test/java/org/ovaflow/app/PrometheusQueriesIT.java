package org.ovaflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.testing.ExternalTool;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The Grafana dashboard's panels and the alert rules of docker/, evaluated by a real Prometheus server scraping a
 * real pipeline every second: after 2 publications and 1 rejection the "Published" stat says 2 and "Rejected" 1,
 * which holds only if every counter exists at 0 before its first import (increase() has no base for a series that
 * starts at 1). Then enough rejections for the high-reject-rate alert's expression to name the checksum stage.
 *
 * <p>Prometheus is Debian's {@code prometheus} (beside promtool): without it the test skips, except under CI=true.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusQueriesIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DOCKER = locateDocker();

    @TempDir
    static Path dir;

    private Pipeline pipeline;
    private Process prometheus;
    private Thread killPrometheusAtExit;
    private Path prometheusLog;
    private String prometheusUrl;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void startAPipelineAndAPrometheusScrapingIt() throws Exception {
        String binary = ExternalTool.require("prometheus", "prometheus", "the dashboard and alert queries on Prometheus");
        pipeline = Pipeline.start(TestPipelines.embedded(dir.resolve("data"), "all", Map.of()));
        startPrometheus(binary, URI.create(pipeline.httpUrl()));
        // the counters' first samples are the zeros of a process that has imported nothing yet, as in production
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(instant("ovaflow_imports_total{stage=\"publish\",outcome=\"published\"}")).isEqualTo(0);
            assertThat(instant("ovaflow_imports_total{stage=\"checksum\",outcome=\"rejected\"}")).isEqualTo(0);
        });
    }

    @AfterAll
    void stopBoth() {
        try {
            stopPrometheus();
        } finally {
            if (pipeline != null) {
                pipeline.close();
            }
        }
    }

    @Test
    void theDashboardCountsTheFirstImportsAndTheRejectRateAlertFiresOnEnoughRejections() throws Exception {
        List<Drop> good = List.of(
                drop("prom-good-1.ova", SampleAppliance.ova("Acme Corp", "Prom One", "1.0", 100_000, 21).toBytes()),
                drop("prom-good-2.ova", SampleAppliance.ova("Acme Corp", "Prom Two", "1.0", 100_000, 22).toBytes()));
        List<Drop> bad = List.of(spoiled(1));
        awaitFinal(good, StatusEvent.State.PUBLISHED);
        awaitFinal(bad, StatusEvent.State.QUARANTINED);
        awaitScraped(2, 1);

        Map<String, List<JsonNode>> panels = evaluateDashboard();
        assertThat(single(panels, "Published")).as("Published stat").isCloseTo(2, within(EXTRAPOLATION));
        assertThat(single(panels, "Rejected")).as("Rejected stat").isCloseTo(1, within(EXTRAPOLATION));
        assertThat(single(panels, "Dead letters")).as("Dead letters stat").isZero();
        assertThat(single(panels, "In flight")).as("In flight stat").isZero();
        assertThat(panels.get("Rejects by failed check")).as("Rejects by failed check")
                .anyMatch(series -> "manifest.digest".equals(series.path("metric").path("check").asText()));

        Map<String, List<JsonNode>> alerts = evaluateAlerts();
        // 3 imports left each stage: fewer than the 5 the rule asks before it judges a rate
        assertThat(alerts.get("OvaflowHighRejectRate")).as("OvaflowHighRejectRate").isEmpty();
        assertThat(alerts.get("OvaflowDeadLetters")).as("OvaflowDeadLetters").isEmpty();
        assertThat(alerts.get("OvaflowImportsStuck")).as("OvaflowImportsStuck").isEmpty();
        assertThat(alerts.get("OvaflowTranscodeStuck")).as("OvaflowTranscodeStuck").isEmpty();

        // 3 more rejections: 4 of the checksum stage's 6 imports, over the half the rule tolerates
        awaitFinal(List.of(spoiled(2), spoiled(3), spoiled(4)), StatusEvent.State.QUARANTINED);
        awaitScraped(2, 4);
        assertThat(single(evaluateDashboard(), "Rejected")).as("Rejected stat").isCloseTo(4, within(EXTRAPOLATION));
        List<JsonNode> highRejectRate = evaluateAlerts().get("OvaflowHighRejectRate");
        assertThat(highRejectRate).as("OvaflowHighRejectRate").hasSize(1);
        assertThat(highRejectRate.get(0).path("metric").path("stage").asText()).isEqualTo("checksum");
        assertThat(value(highRejectRate.get(0))).isCloseTo(4.0 / 6, within(0.01));
    }

    /** Evaluated at the last scrape, increase() gives the count itself: no more than rounding may differ. */
    private static final double EXTRAPOLATION = 1e-6;

    // ------------------------------------------------------------------------------------------------------------

    private void startPrometheus(String binary, URI metrics) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path config = dir.resolve("prometheus.yml");
        // 1 s apart, so that a test of seconds has many samples; the rules are docker/'s own file
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: ovaflow
                    honor_labels: true
                    metrics_path: /metrics
                    static_configs:
                      - targets: ["%s:%d"]
                """.formatted(DOCKER.resolve("prometheus/alerts.yml"), metrics.getHost(), metrics.getPort()));
        prometheusLog = dir.resolve("prometheus.log");
        prometheus = new ProcessBuilder(binary, "--config.file=" + config,
                "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("tsdb")),
                "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(prometheusLog.toFile()).start();
        // also when the test JVM ends without reaching @AfterAll (Ctrl-C, a fork killed by a timeout)
        Process started = prometheus;
        killPrometheusAtExit = new Thread(started::destroyForcibly, "kill-prometheus");
        Runtime.getRuntime().addShutdownHook(killPrometheusAtExit);
        prometheusUrl = "http://127.0.0.1:" + port;
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(prometheus.isAlive()).as("prometheus is running; its log:\n%s", log()).isTrue();
            assertThat(status("/-/ready")).isEqualTo(200);
        });
        assertThat(get("/api/v1/rules").path("data").path("groups")).as("rule groups of alerts.yml").isNotEmpty();
    }

    private void stopPrometheus() {
        if (prometheus == null) {
            return;
        }
        prometheus.destroy();
        try {
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            prometheus.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(killPrometheusAtExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    private String log() {
        try {
            return Files.readString(prometheusLog);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Until Prometheus's latest samples show the publications and the checksum stage's rejections. */
    private void awaitScraped(int published, int rejected) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(instant("ovaflow_imports_total{stage=\"publish\",outcome=\"published\"}")).isEqualTo(published);
            assertThat(instant("ovaflow_imports_total{stage=\"checksum\",outcome=\"rejected\"}")).isEqualTo(rejected);
            assertThat(instant("sum(ovaflow_imports_in_flight)")).isZero();
        });
    }

    /**
     * Each data panel's queries, Grafana's variables given as a dashboard over the last hour would, evaluated at the
     * last scrape: increase() then has nothing to extrapolate (its window ends on a sample, and the first sample,
     * 0, is not extrapolated below zero), so the stat panels read the exact counts.
     */
    private Map<String, List<JsonNode>> evaluateDashboard() throws Exception {
        String at = lastScrape();
        JsonNode dashboard = JSON.readTree(DOCKER.resolve("grafana/dashboards/ovaflow.json").toFile());
        Map<String, List<JsonNode>> results = new LinkedHashMap<>();
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if ("row".equals(panel.path("type").asText())) {
                panel.path("panels").forEach(panels::add);
            } else {
                panels.add(panel);
            }
        }
        assertThat(panels).isNotEmpty();
        for (JsonNode panel : panels) {
            List<JsonNode> series = new ArrayList<>();
            for (JsonNode target : panel.path("targets")) {
                // "All" of the stage variable is .*; $__rate_interval is 4 scrape intervals of Grafana's default 15 s
                String query = target.path("expr").asText().replace("$__rate_interval", "1m").replace("$__range", "1h")
                        .replace("$__interval", "15s").replace("${stage}", ".*").replace("$stage", ".*");
                series.addAll(query(query, panel.path("title").asText(), at));
            }
            results.merge(panel.path("title").asText(), series, (a, b) -> {
                a.addAll(b);
                return a;
            });
        }
        return results;
    }

    /** Each alert rule's expression, as Prometheus loaded it from alerts.yml, evaluated at the last scrape. */
    private Map<String, List<JsonNode>> evaluateAlerts() throws Exception {
        String at = lastScrape();
        Map<String, List<JsonNode>> results = new LinkedHashMap<>();
        for (JsonNode group : get("/api/v1/rules").path("data").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                assertThat(rule.path("health").asText()).as("health of rule %s: %s", rule.path("name").asText(),
                        rule.path("lastError").asText()).isIn("ok", "unknown");
                results.put(rule.path("name").asText(),
                        query(rule.path("query").asText(), rule.path("name").asText(), at));
            }
        }
        assertThat(results).containsKeys("OvaflowHighRejectRate", "OvaflowDeadLetters", "OvaflowImportsStuck");
        return results;
    }

    /** The value of a stat panel: its one series, or 0 when it has none (Grafana's "No data"). */
    private static double single(Map<String, List<JsonNode>> panels, String title) {
        List<JsonNode> series = panels.get(title);
        assertThat(series).as("panel %s in the dashboard", title).isNotNull();
        assertThat(series).as("series of stat %s", title).hasSizeLessThanOrEqualTo(1);
        return series.isEmpty() ? 0 : value(series.get(0));
    }

    private static double value(JsonNode sample) {
        return Double.parseDouble(sample.path("value").path(1).asText());
    }

    /** The value of an instant query of one series, or -1 when Prometheus has none yet. */
    private double instant(String promql) throws Exception {
        List<JsonNode> result = query(promql, promql, null);
        return result.isEmpty() ? -1 : value(result.get(0));
    }

    /** The time of the pipeline's latest scrape (seconds since the epoch, as Prometheus writes it). */
    private String lastScrape() throws Exception {
        List<JsonNode> result = query("max(timestamp(up))", "the last scrape", null);
        assertThat(result).as("a scrape of the pipeline").hasSize(1);
        return result.get(0).path("value").path(1).asText();
    }

    /** {@code promql} evaluated at {@code at} (Prometheus's time), or now when null. */
    private List<JsonNode> query(String promql, String what, String at) throws Exception {
        JsonNode answer = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + (at == null ? "" : "&time=" + at));
        assertThat(answer.path("status").asText()).as("%s: %s gave %s", what, promql, answer).isEqualTo("success");
        List<JsonNode> series = new ArrayList<>();
        answer.path("data").path("result").forEach(series::add);
        return series;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(prometheusUrl + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private int status(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(prometheusUrl + path)).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void awaitFinal(List<Drop> drops, StatusEvent.State expected) throws InterruptedException {
        Map<String, StatusEvent> statuses = pipeline.statuses()
                .awaitFinal(drops.stream().map(Drop::importId).toList(), WAIT);
        for (Drop drop : drops) {
            assertThat(statuses.get(drop.importId())).as("status of %s", drop.file().getFileName()).isNotNull()
                    .extracting(StatusEvent::state).isEqualTo(expected);
        }
    }

    /** An OVA whose disk's digest differs from its manifest's: the checksum stage rejects it (manifest.digest). */
    private Drop spoiled(int n) throws Exception {
        return drop("prom-bad-" + n + ".ova", SampleAppliance.ova("Acme Corp", "Spoiled " + n, "1.0", 100_000, 30 + n)
                .spoilDigestOf("disk1.img").toBytes());
    }

    private Drop drop(String name, byte[] content) throws Exception {
        return TestPipelines.drop(pipeline, dir, name, content);
    }

    /** docker/ of the repository: tests run in the app module, so ../docker (or ./docker from the root). */
    private static Path locateDocker() {
        for (Path candidate : List.of(Path.of("..", "docker"), Path.of("docker"))) {
            if (Files.isRegularFile(candidate.resolve("prometheus/alerts.yml"))) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("docker/prometheus/alerts.yml not found from " + Path.of("").toAbsolutePath());
    }
}
