package org.ovaflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The operations files of docker/: Prometheus' config and alert rules pass promtool (syntax, and the alerts'
 * own unit tests), the Grafana dashboard is well formed, and both only use metrics ovaflow really exposes.
 * promtool comes from the Debian package {@code prometheus}; without it these checks skip, except on CI.
 */
class OperationsConfigIT {

    /** Every metric name the processes expose (Micrometer, Camel, Kafka client); histograms by their series. */
    static final Set<String> KNOWN_METRICS = Set.of(
            "ovaflow_imports_total",
            "ovaflow_rejects_total",
            "ovaflow_stage_bytes_total",
            "ovaflow_stage_duration_seconds_bucket",
            "ovaflow_stage_duration_seconds_sum",
            "ovaflow_stage_duration_seconds_count",
            "ovaflow_imports_in_flight",
            "ovaflow_retries_total",
            "ovaflow_dead_letters_total",
            "kafka_consumer_fetch_manager_records_lag_max",
            "camel_route_exchanges_total",
            "camel_route_exchange_duration_seconds",
            "jvm_memory_used_bytes",
            "process_cpu_usage",
            "process_uptime_seconds");

    static final Set<String> STAGES = Set.of("ingest", "checksum", "schema", "transcode", "publish", "quarantine");

    /** Metric names: PromQL functions, keywords and label names never start with these prefixes. */
    private static final Pattern METRIC = Pattern.compile("\\b(?:ovaflow|kafka|camel|jvm|process)_[a-z_]+\\b");
    /** A stage label matched to a literal value ({@code stage="x"} or {@code stage!="x"}, not regexes). */
    private static final Pattern STAGE_VALUE = Pattern.compile("\\bstage\\s*!?=\\s*\"([^\"]*)\"");

    private static final Path DOCKER = locateDocker();
    private static final Path PROMETHEUS = DOCKER.resolve("prometheus");
    private static final Path DASHBOARD = DOCKER.resolve("grafana/dashboards/ovaflow.json");

    @TempDir
    Path tmp;

    @Test
    void alertRulesPassPromtool() throws Exception {
        assertPromtool("check", "rules", PROMETHEUS.resolve("alerts.yml").toString());
    }

    @Test
    void prometheusConfigAndTheRulesItLoadsPassPromtool() throws Exception {
        String output = assertPromtool("check", "config", PROMETHEUS.resolve("prometheus.yml").toString());
        assertThat(output).contains("1 rule files found");
    }

    @Test
    void alertsFireWhenAndOnlyWhenTheirUnitTestsSay() throws Exception {
        assertPromtool("test", "rules", PROMETHEUS.resolve("alerts.test.yml").toString());
    }

    @Test
    void everyAlertHasASeverityASummaryAndADescription() throws IOException {
        String alerts = Files.readString(PROMETHEUS.resolve("alerts.yml"));
        String[] rules = alerts.split("\n\\s*- alert: ");
        assertThat(rules.length - 1).as("alerts in alerts.yml").isGreaterThanOrEqualTo(5);
        for (int i = 1; i < rules.length; i++) {
            String name = rules[i].lines().findFirst().orElseThrow().trim();
            assertThat(rules[i]).as(name)
                    .containsPattern("\\n\\s+severity: (critical|warning|info)\\n")
                    .containsPattern("\\n\\s+summary: ")
                    .containsPattern("\\n\\s+description: ");
        }
        assertThat(alerts).contains("up{", "absent(", "ovaflow_imports_in_flight",
                "kafka_consumer_fetch_manager_records_lag_max", "ovaflow_dead_letters_total");
    }

    @Test
    void dashboardIsAProvisionableGrafanaDashboardWithAStageVariable() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());

        assertThat(dashboard.path("uid").asText()).isEqualTo("ovaflow");
        assertThat(dashboard.path("schemaVersion").asInt()).isBetween(36, 41);
        assertThat(dashboard.has("id")).as("a provisioned dashboard has no database id").isFalse();
        JsonNode stage = variable(dashboard, "stage").orElseThrow(() -> new AssertionError("no stage variable"));
        assertThat(stage.toString()).contains("label_values(ovaflow_imports_total, stage)");
        assertThat(stage.path("datasource").path("uid").asText()).isEqualTo(provisionedDatasourceUid());
    }

    @Test
    void everyPanelHasTheDatasourceAndQueries() throws IOException {
        String uid = provisionedDatasourceUid();
        List<JsonNode> panels = panels(new ObjectMapper().readTree(DASHBOARD.toFile()));
        assertThat(panels).hasSizeGreaterThanOrEqualTo(8);
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode panel : panels) {
            String title = panel.path("title").asText();
            assertThat(ids.add(panel.path("id").asInt())).as("unique id of panel %s", title).isTrue();
            assertThat(panel.path("datasource").path("uid").asText()).as("datasource of panel %s", title).isEqualTo(uid);
            assertThat(panel.path("targets").isArray() && !panel.path("targets").isEmpty())
                    .as("targets of panel %s", title).isTrue();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asText()).as("query of panel %s", title).isNotBlank();
                assertThat(target.path("refId").asText()).as("refId in panel %s", title).isNotBlank();
            }
        }
        // the views the operators asked for
        String queries = String.join("\n", dashboardQueries());
        assertThat(queries).contains("rate(ovaflow_imports_total", "ovaflow_rejects_total", "by (check)",
                "histogram_quantile(0.5,", "histogram_quantile(0.95,", "histogram_quantile(0.99,",
                "kafka_consumer_fetch_manager_records_lag_max", "ovaflow_imports_in_flight",
                "ovaflow_dead_letters_total", "ovaflow_retries_total", "camel_route_exchanges_total{outcome=\"failed\"}",
                "ovaflow_stage_bytes_total", "jvm_memory_used_bytes");
    }

    @Test
    void dashboardQueriesAreValidPromql() throws Exception {
        // promtool has no "check this expression": each query becomes a recording rule of a scratch rule file
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int n = 0;
        for (String query : dashboardQueries()) {
            if (query.startsWith("label_values(")) {
                continue; // a Grafana function, not PromQL
            }
            String promql = query.replace("$__rate_interval", "5m").replace("$__range", "6h")
                    .replace("$__interval", "1m").replace("${stage}", ".*").replace("$stage", ".*");
            assertThat(promql).as("Grafana variables left in %s", query).doesNotContain("$");
            rules.append("      - record: dashboard:query").append(++n).append('\n')
                    .append("        expr: '").append(promql.replace("'", "''")).append("'\n");
        }
        Path file = tmp.resolve("dashboard-queries.yml");
        Files.writeString(file, rules);
        assertPromtool("check", "rules", file.toString());
    }

    @Test
    void dashboardAndAlertsUseOnlyMetricsOvaflowExposes() throws IOException {
        Set<String> dashboard = new TreeSet<>();
        Set<String> stages = new TreeSet<>();
        for (String query : dashboardQueries()) {
            dashboard.addAll(matches(METRIC, query));
            stages.addAll(matches(STAGE_VALUE, query));
        }
        String alerts = Files.readString(PROMETHEUS.resolve("alerts.yml"));
        Set<String> alerted = matches(METRIC, alerts);
        stages.addAll(matches(STAGE_VALUE, alerts));

        assertThat(dashboard).as("metrics of the dashboard").isNotEmpty().isSubsetOf(KNOWN_METRICS);
        assertThat(alerted).as("metrics of alerts.yml").isNotEmpty().isSubsetOf(KNOWN_METRICS);
        assertThat(stages).as("stage label values").isSubsetOf(STAGES);
    }

    @Test
    void prometheusScrapesEveryOvaflowServiceOfTheComposeFileOnAllInterfaces() throws IOException {
        String compose = Files.readString(DOCKER.resolve("compose.yaml"));
        String prometheus = Files.readString(PROMETHEUS.resolve("prometheus.yml"));

        Set<String> ovaflowServices = new TreeSet<>();
        Matcher service = Pattern.compile("(?m)^  ([a-z0-9-]+):\\n    <<: \\*ovaflow\\n    command: (\\[.*])$").matcher(compose);
        while (service.find()) {
            ovaflowServices.add(service.group(1));
            assertThat(service.group(2)).as("command of %s", service.group(1))
                    .startsWith("[\"run\"").contains("\"--http-host\", \"0.0.0.0\"");
        }
        assertThat(ovaflowServices).containsAll(List.of("ingest", "checksum", "schema", "transcode", "publish"));

        Set<String> scraped = matches(Pattern.compile("- names: \\[([a-z0-9-]+)]"), prometheus);
        assertThat(scraped).as("services scraped through Docker DNS").isEqualTo(ovaflowServices);
        assertThat(prometheus).contains("port: 8642", "rule_files:", "- alerts.yml");
        assertThat(compose).contains("./prometheus:/etc/prometheus", "./grafana/provisioning:/etc/grafana/provisioning",
                "./grafana/dashboards:/etc/grafana/dashboards", "\"9090:9090\"", "\"3000:3000\"");
    }

    // ------------------------------------------------------------------------------------------------------------

    /** Runs promtool, asserts it succeeded, returns what it printed. */
    private static String assertPromtool(String... arguments) throws Exception {
        Path promtool = onPath("promtool").orElse(null);
        if (promtool == null) {
            String message = "promtool is not installed (Debian/Ubuntu: apt-get install prometheus; .ci/run does it)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message + ": on CI the operations checks must run");
            }
            Assumptions.abort(message + ": skipping the Prometheus checks");
        }
        List<String> command = new ArrayList<>();
        command.add(promtool.toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        assertThat(process.exitValue()).as("exit code of %s, which printed:%n%s", String.join(" ", command), output)
                .isZero();
        return output;
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        return path == null ? Optional.empty() : Stream.of(path.split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, program))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** docker/ of the repository: tests run in the app module, so ../docker (or ./docker from the root). */
    private static Path locateDocker() {
        for (Path candidate : List.of(Path.of("..", "docker"), Path.of("docker"))) {
            if (Files.isRegularFile(candidate.resolve("compose.yaml"))) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("docker/compose.yaml not found from " + Path.of("").toAbsolutePath());
    }

    private static String provisionedDatasourceUid() throws IOException {
        String datasources = Files.readString(DOCKER.resolve("grafana/provisioning/datasources/prometheus.yml"));
        Matcher uid = Pattern.compile("(?m)^\\s+uid: (\\S+)$").matcher(datasources);
        assertThat(uid.find()).as("uid of the provisioned datasource").isTrue();
        assertThat(datasources).contains("type: prometheus", "url: http://prometheus:9090");
        return uid.group(1);
    }

    /** Every panel that shows data: rows (and the panels collapsed into them) are walked through. */
    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if ("row".equals(panel.path("type").asText())) {
                panel.path("panels").forEach(panels::add);
            } else {
                panels.add(panel);
            }
        }
        return panels;
    }

    private static Optional<JsonNode> variable(JsonNode dashboard, String name) {
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (name.equals(variable.path("name").asText())) {
                return Optional.of(variable);
            }
        }
        return Optional.empty();
    }

    /** The PromQL of every panel target and of the template variables. */
    private static Set<String> dashboardQueries() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        Set<String> queries = new LinkedHashSet<>();
        for (JsonNode panel : panels(dashboard)) {
            panel.path("targets").forEach(target -> queries.add(target.path("expr").asText()));
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            JsonNode query = variable.path("query");
            queries.add(query.isTextual() ? query.asText() : query.path("query").asText());
        }
        queries.removeIf(String::isBlank);
        return queries;
    }

    private static Set<String> matches(Pattern pattern, String text) {
        Set<String> found = new TreeSet<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            found.add(matcher.groupCount() > 0 ? matcher.group(1) : matcher.group());
        }
        return found;
    }
}
