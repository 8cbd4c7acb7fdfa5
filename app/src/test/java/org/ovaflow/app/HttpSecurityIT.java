package org.ovaflow.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.http.ApiToken;
import org.ovaflow.app.pipeline.Endpoints;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.sample.SampleAppliance;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Who may change what over HTTP, and that no secret leaks into logs or metrics. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpSecurityIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private Level rootLevel;
    private Pipeline pipeline;
    private String token;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void startPipelineCapturingLogs() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        // INFO everywhere while capturing: a secret logged at INFO by any library would be caught too
        root.setLevel(Level.INFO);
        logs.start();
        root.addAppender(logs);
        pipeline = Pipeline.start(TestPipelines.embedded(dir.resolve("data"), "all", Map.of()));
        token = ApiToken.resolve(dir.resolve("data")).value();
    }

    @AfterAll
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender(logs);
        root.setLevel(rootLevel);
    }

    @Test
    void theGeneratedTokenIsKeptOwnerReadableOnly() throws Exception {
        if (System.getenv(ApiToken.ENV) == null) {
            Path file = dir.resolve("data").resolve(ApiToken.FILE_NAME);
            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(Files.readString(file).strip()).isEqualTo(token);
        }
        assertThat(token).hasSizeGreaterThanOrEqualTo(32);
        assertThat(ApiToken.resolve(dir.resolve("data")).toString()).doesNotContain(token);
    }

    @Test
    void uploadsNeedTheBearerToken() throws Exception {
        byte[] small = "not even an ova".getBytes(StandardCharsets.UTF_8);
        assertThat(post("nobody.ova", small, null).statusCode()).isEqualTo(401);
        assertThat(post("nobody.ova", small, "Bearer wrong-" + token).statusCode()).isEqualTo(401);
        assertThat(post("nobody.ova", small, "Bearer " + token.substring(1)).statusCode()).isEqualTo(401);
        assertThat(post("nobody.ova", small, "Basic " + token).statusCode()).isEqualTo(401);
        assertThat(pipeline.store().exists("ova-incoming", "nobody.ova")).isFalse();
    }

    @Test
    void anAuthorizedUploadIsAcceptedAndPublished() throws Exception {
        byte[] ova = SampleAppliance.ova("Acme Corp", "Uploaded", "1.0", 500_000, 21).toBytes();

        HttpResponse<String> response = post("uploaded.ova", ova, "Bearer " + token);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String importId = EventCodec.JSON.readTree(response.body()).path("importId").asText();
        assertThat(await(importId).state()).isEqualTo(StatusEvent.State.PUBLISHED);
        HttpResponse<String> entry = get("/api/catalog/acme-corp/uploaded/1.0");
        assertThat(entry.statusCode()).isEqualTo(200);
        assertThat(EventCodec.JSON.readTree(entry.body()).path("provenance").path("importId").asText())
                .isEqualTo(importId);
    }

    @Test
    void aChunkedUploadOfUnknownSizeIsStreamedToo() throws Exception {
        byte[] ova = SampleAppliance.ova("Acme Corp", "Chunked", "1.0", 300_000, 22).toBytes();
        HttpRequest request = HttpRequest.newBuilder(uri("/api/imports?name=chunked.ova"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(ova))).build();

        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String importId = EventCodec.JSON.readTree(response.body()).path("importId").asText();
        assertThat(await(importId).state()).isEqualTo(StatusEvent.State.PUBLISHED);
    }

    @Test
    void badNamesAreRefused() throws Exception {
        byte[] small = "x".getBytes(StandardCharsets.UTF_8);
        for (String name : List.of("../x.ova", "a/b.ova", "x.txt", "a\\b.ova", ".ova", "x\n.ova", "",
                "a".repeat(300) + ".ova")) {
            HttpResponse<String> response = post(name, small, "Bearer " + token);
            assertThat(response.statusCode()).as(name).isEqualTo(400);
            assertThat(EventCodec.JSON.readTree(response.body()).path("error").asText()).as(name).isNotBlank();
        }
        assertThat(pipeline.store().list("ova-incoming", "")).noneMatch(o -> o.key().contains("x"));
    }

    @Test
    void onlyGetAndPostAreAllowed() throws Exception {
        for (String method : List.of("PUT", "DELETE", "PATCH")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/api/imports"))
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(method).isEqualTo(405);
        }
        assertThat(http.send(HttpRequest.newBuilder(uri("/health")).POST(HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(405);
    }

    @Test
    void documentPathsCannotLeaveTheirBucket() throws Exception {
        assertThat(get("/api/catalog/../../ova-incoming/x").statusCode()).isEqualTo(404);
        assertThat(get("/api/catalog/%2e%2e/x/y").statusCode()).isEqualTo(404);
        assertThat(get("/api/quarantine/..%2Fx").statusCode()).isEqualTo(404);
        assertThat(get("/api/quarantine/000000000000000000000000").statusCode()).isEqualTo(404);
        assertThat(get("/no-such-page").statusCode()).isEqualTo(404);
    }

    @Test
    void noSecretAppearsInLogsOrMetrics() throws Exception {
        // some traffic first, with and without the token, so that its handling is in the logs
        byte[] ova = SampleAppliance.ova("Acme Corp", "Logged", "1.0", 100_000, 23).toBytes();
        HttpResponse<String> accepted = post("logged.ova", ova, "Bearer " + token);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        await(EventCodec.JSON.readTree(accepted.body()).path("importId").asText());
        post("nobody.ova", new byte[1], "Bearer wrong");
        Endpoints endpoints = pipeline.endpoints();
        List<String> secrets = List.of(token, endpoints.s3AccessKey(), endpoints.s3SecretKey());

        String metrics = get("/metrics").body();
        List<String> logged = new ArrayList<>();
        for (ILoggingEvent event : List.copyOf(logs.list)) {
            logged.add(event.getFormattedMessage());
            for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                logged.add(t.getMessage());
            }
        }

        assertThat(logged).as("log events captured").isNotEmpty();
        for (String secret : secrets) {
            assertThat(secret).isNotBlank();
            assertThat(metrics).doesNotContain(secret);
            assertThat(logged).noneMatch(line -> line != null && line.contains(secret));
        }
    }

    private StatusEvent await(String importId) throws InterruptedException {
        StatusEvent status = pipeline.statuses().awaitFinal(List.of(importId), WAIT).get(importId);
        assertThat(status).as("status of " + importId).isNotNull();
        return status;
    }

    private HttpResponse<String> post(String name, byte[] body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                uri("/api/imports?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create(pipeline.httpUrl() + path);
    }
}
