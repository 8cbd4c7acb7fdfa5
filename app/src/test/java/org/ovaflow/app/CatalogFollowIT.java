package org.ovaflow.app;

import com.sun.net.httpserver.HttpServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.follow.CatalogFollower;
import org.ovaflow.app.follow.FollowState;
import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.publish.catalog.CatalogIndex;
import org.ovaflow.publish.catalog.CatalogRetraction;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ovaflow catalog follow}: two whole pipelines on loopback, an upstream and a mirror, each on its own
 * embedded broker and store. The upstream's catalog bucket is served over HTTP as a static host would serve it
 * (a stand-in that can also serve a tampered or replayed document in place of the real one); the mirror follows
 * it: what the upstream publishes is imported through the mirror's own stages once, what it retracts is
 * retracted in the mirror, and a tampered or replayed upstream is refused with the reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CatalogFollowIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path dir;

    private Pipeline upstream;
    private Pipeline mirror;
    private HttpServer host;
    /** What the upstream's host serves instead of the bucket's object, by key. */
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private String url;
    private Path key;
    private Path state;

    @BeforeAll
    void startTwoPipelinesAndTheUpstreamsHost() throws Exception {
        upstream = Pipeline.start(TestPipelines.embedded(dir.resolve("upstream"), "all", Map.of()));
        mirror = Pipeline.start(TestPipelines.embedded(dir.resolve("mirror"), "all", Map.of()));
        key = upstream.signingKey().publicKeyFile();
        state = dir.resolve("follow-state.json");
        host = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        host.createContext("/ova-catalog/", exchange -> {
            try {
                String objectKey = exchange.getRequestURI().getPath().substring("/ova-catalog/".length());
                byte[] body = served.get(objectKey);
                if (body == null) {
                    try (InputStream in = upstream.store().read("ova-catalog", objectKey)) {
                        body = in.readAllBytes();
                    } catch (ObjectGoneException e) {
                        exchange.sendResponseHeaders(404, -1);
                        return;
                    }
                }
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } finally {
                exchange.close();
            }
        });
        host.start();
        url = "http://127.0.0.1:" + host.getAddress().getPort() + "/ova-catalog/";
    }

    @AfterAll
    void stop() {
        if (host != null) {
            host.stop(0);
        }
        if (mirror != null) {
            mirror.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    @Order(1)
    void whatTheUpstreamPublishedIsImportedByTheMirrorsOwnStagesOnce() throws Exception {
        publishUpstream("widget-1.0.ova", "1.0", 1);
        publishUpstream("widget-2.0.ova", "2.0", 2);

        Run followed = follow();

        assertThat(followed.exit).as(followed.out + followed.err).isEqualTo(0);
        assertThat(followed.out).containsPattern("imported +acme-corp/widget/1\\.0 ")
                .containsPattern("imported +acme-corp/widget/2\\.0 ")
                .contains("OK " + url + "index.json: version ").contains(", 2 imported, 0 retracted");
        FollowState remembered = FollowState.load(state, url);
        List<String> imports = List.of(remembered.get("acme-corp/widget/1.0").orElseThrow().importId(),
                remembered.get("acme-corp/widget/2.0").orElseThrow().importId());
        Map<String, StatusEvent> outcomes = mirror.statuses().awaitFinal(imports, WAIT);
        assertThat(outcomes.values()).hasSize(2).allSatisfy(s -> assertThat(s.state()).as(s.toString())
                .isEqualTo(StatusEvent.State.PUBLISHED));
        CatalogIndex.ProductIndex mirrored = new CatalogIndex(mirror.store(), "ova-catalog")
                .product("acme-corp", "widget").orElseThrow();
        CatalogIndex.ProductIndex original = new CatalogIndex(upstream.store(), "ova-catalog")
                .product("acme-corp", "widget").orElseThrow();
        assertThat(mirrored.versions()).containsOnlyKeys("1.0", "2.0");
        assertThat(mirrored.latest()).isEqualTo("2.0");
        for (String version : List.of("1.0", "2.0")) {
            assertThat(ova(mirrored, version).sha256()).as("the mirror's own checksum of the same bytes")
                    .isEqualTo(ova(original, version).sha256());
            assertThat(mirrored.versions().get(version).importId()).as("the mirror's own import")
                    .isNotEqualTo(original.versions().get(version).importId());
        }

        Run again = follow();

        assertThat(again.exit).as(again.out + again.err).isEqualTo(0);
        assertThat(again.out).contains(", 0 imported, 0 retracted, 0 adopted, 0 skipped, 0 pending, 0 failed")
                .doesNotContain("imported  ");
        assertThat(mirror.store().list("ova-incoming", CatalogFollower.INCOMING_FOLDER))
                .as("nothing put into the incoming bucket twice").hasSizeLessThanOrEqualTo(2);
    }

    @Test
    @Order(2)
    void aRetractionUpstreamIsCarriedOverToTheMirrorOnce() {
        new CatalogRetraction(upstream.store(), "ova-catalog", upstream.signingKey().signer())
                .retract("acme-corp/widget/2.0", "CVE-2026-0099: default password").orElseThrow();

        Run followed = follow();

        assertThat(followed.exit).as(followed.out + followed.err).isEqualTo(0);
        assertThat(followed.out).containsPattern("retracted +acme-corp/widget/2\\.0 .*CVE-2026-0099")
                .contains(", 0 imported, 1 retracted");
        CatalogIndex.ProductIndex mirrored = new CatalogIndex(mirror.store(), "ova-catalog")
                .product("acme-corp", "widget").orElseThrow();
        assertThat(mirrored.versions().get("2.0").state()).isEqualTo("retracted");
        assertThat(mirrored.versions().get("2.0").retraction().reason()).isEqualTo("CVE-2026-0099: default password");
        assertThat(mirrored.latest()).isEqualTo("1.0");

        Run again = follow();
        assertThat(again.exit).isEqualTo(0);
        assertThat(again.out).contains(", 0 imported, 0 retracted, 0 adopted");
    }

    @Test
    @Order(3)
    void aTamperedOrReplayedUpstreamIsRefusedWithTheReasonAndATamperedOvaNeverReachesTheMirror() throws Exception {
        byte[] oldRoot = object(CatalogIndex.INDEX_JSON);
        byte[] oldSignature = object(CatalogIndex.INDEX_JSON + CatalogIndex.SIGNATURE_SUFFIX);
        long oldVersion = new CatalogIndex(upstream.store(), "ova-catalog").root().orElseThrow().version();
        publishUpstream("widget-3.0.ova", "3.0", 3);
        CatalogIndex upstreamIndex = new CatalogIndex(upstream.store(), "ova-catalog");
        String productPath = upstreamIndex.vendor("acme-corp").orElseThrow().products().get("widget").path();

        // a product document altered on its way: its sha256 is not the one the (signed) vendor document states
        served.put(productPath, new String(object(productPath), StandardCharsets.UTF_8)
                .replace("\"3.0\"", "\"3.1\"").getBytes(StandardCharsets.UTF_8));
        Run tampered = follow();
        served.clear();

        assertThat(tampered.exit).isEqualTo(1);
        assertThat(tampered.out).contains("FAIL " + url + productPath + ": sha256: ", "tampered with or replaced")
                .contains("REFUSED " + url + "index.json: nothing imported or retracted");
        assertThat(followedObjects()).as("nothing imported").hasSize(2);

        // the OVA's bytes altered: the index verifies, the download does not, and the upload never completes
        CatalogIndex.Item ova = ova(upstreamIndex.product("acme-corp", "widget").orElseThrow(), "3.0");
        byte[] bytes = object(ova.key());
        bytes[bytes.length / 2] ^= 1;
        served.put(ova.key(), bytes);
        Run badOva = follow();
        served.clear();

        assertThat(badOva.exit).isEqualTo(1);
        assertThat(badOva.out).containsPattern("failed +acme-corp/widget/3\\.0 .*sha256 mismatch")
                .contains("1 failed");
        assertThat(followedObjects()).as("the tampered OVA is not in the incoming bucket").hasSize(2);
        assertThat(FollowState.load(state, url).get("acme-corp/widget/3.0")).as("tried again next time").isEmpty();

        // the older root and its valid signature served again after a newer one was accepted
        served.put(CatalogIndex.INDEX_JSON, oldRoot);
        served.put(CatalogIndex.INDEX_JSON + CatalogIndex.SIGNATURE_SUFFIX, oldSignature);
        Run replayed = follow();
        served.clear();

        assertThat(replayed.exit).isEqualTo(1);
        assertThat(replayed.out).contains("FAIL " + url + "index.json: version: version " + oldVersion
                + " is older than version ").contains("replayed or rolled-back").contains("REFUSED");

        Run recovered = follow();

        assertThat(recovered.exit).as(recovered.out + recovered.err).isEqualTo(0);
        assertThat(recovered.out).containsPattern("imported +acme-corp/widget/3\\.0 ").contains(", 1 imported");
        String importId = FollowState.load(state, url).get("acme-corp/widget/3.0").orElseThrow().importId();
        assertThat(mirror.statuses().awaitFinal(List.of(importId), WAIT).get(importId).state())
                .isEqualTo(StatusEvent.State.PUBLISHED);
    }

    @Test
    @Order(4)
    void withAnIntervalItFollowsOnAndImportsWhatTheUpstreamPublishesMeanwhile() throws Exception {
        int[] exit = {-1};
        Thread following = new Thread(() -> exit[0] = run("catalog", "follow", url, "--key", key.toString(),
                "--state", state.toString(), "--interval", "PT1S", "--data-dir", dir.resolve("mirror").toString()).exit,
                "catalog-follow");
        following.start();
        try {
            publishUpstream("widget-4.0.ova", "4.0", 4);

            Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() ->
                    FollowState.load(state, url).get("acme-corp/widget/4.0").isPresent());
            Run second = follow();
            assertThat(second.exit).as("one follower per state file").isEqualTo(2);
            assertThat(second.err).contains(state.toString(), "in use by another catalog follow");
        } finally {
            following.interrupt();
            following.join(WAIT.toMillis());
        }

        assertThat(following.isAlive()).isFalse();
        assertThat(exit[0]).isEqualTo(0);
        String importId = FollowState.load(state, url).get("acme-corp/widget/4.0").orElseThrow().importId();
        assertThat(mirror.statuses().awaitFinal(List.of(importId), WAIT).get(importId).state())
                .isEqualTo(StatusEvent.State.PUBLISHED);
    }

    private List<ObjectInfo> followedObjects() {
        return mirror.store().list("ova-incoming", CatalogFollower.INCOMING_FOLDER);
    }

    private static CatalogIndex.Item ova(CatalogIndex.ProductIndex product, String version) {
        return product.versions().get(version).items().values().stream().filter(i -> "ova".equals(i.role()))
                .findFirst().orElseThrow();
    }

    private byte[] object(String objectKey) throws IOException {
        try (InputStream in = upstream.store().read("ova-catalog", objectKey)) {
            return in.readAllBytes();
        }
    }

    private void publishUpstream(String name, String version, long seed) throws Exception {
        Drop drop = TestPipelines.drop(upstream, dir, name,
                SampleAppliance.ova("Acme Corp", "Widget", version, 100_000, seed).toBytes());
        assertThat(TestPipelines.awaitFinal(upstream, drop, WAIT).state()).isEqualTo(StatusEvent.State.PUBLISHED);
    }

    private Run follow() {
        return run("catalog", "follow", url, "--key", key.toString(), "--state", state.toString(),
                "--data-dir", dir.resolve("mirror").toString());
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine commandLine = Ovaflow.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
