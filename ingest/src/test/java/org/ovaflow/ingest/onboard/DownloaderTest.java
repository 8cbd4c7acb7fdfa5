package org.ovaflow.ingest.onboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.core.event.ImportId;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.store.StoredObject;
import org.ovaflow.core.testing.S3Server;
import org.ovaflow.ingest.onboard.DownloadResult.Status;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Downloads from a real HTTP server into a real S3 server: each outcome, and nothing wrong left in the bucket. */
class DownloaderTest {

    private static final String BUCKET = "ova-incoming";

    @RegisterExtension
    static final S3Server S3 = new S3Server(BUCKET, "vendor-bucket");

    private static HttpServer server;
    private static final Map<String, AtomicInteger> REQUESTS = new ConcurrentHashMap<>();
    private static final byte[] OVA = SampleAppliance.ova("Acme", "Widget", "1.0", 300_000, 7).toBytes();
    private static final byte[] BIG = new byte[17 * 1024 * 1024 + 123];

    private final ObjectStore store = S3.store();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path localRoot;

    @BeforeAll
    static void serve() throws IOException {
        new java.util.Random(1).nextBytes(BIG);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", DownloaderTest::handle);
        // a slow answer must not hold up the other tests' requests
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        REQUESTS.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        try (exchange) {
            if (path.startsWith("/ova/")) {
                send(exchange, 200, OVA, OVA.length);
            } else if (path.startsWith("/big/")) {
                send(exchange, 200, BIG, BIG.length);
            } else if (path.startsWith("/chunked/")) {
                send(exchange, 200, OVA, 0);
            } else if (path.equals("/short.ova")) {
                exchange.sendResponseHeaders(200, OVA.length);
                exchange.getResponseBody().write(OVA, 0, OVA.length / 2);
                exchange.getResponseBody().flush();
                // closing a connection that owes bytes: the client sees the body end early
                throw new IOException("cut short on purpose");
            } else if (path.equals("/loop-a.ova")) {
                redirect(exchange, "/loop-b.ova");
            } else if (path.equals("/loop-b.ova")) {
                redirect(exchange, "/loop-a.ova");
            } else if (path.startsWith("/hop")) {
                int hop = Integer.parseInt(path.substring(4, path.indexOf('.')));
                redirect(exchange, hop >= 3 ? "/ova/after-hops.ova" : "/hop" + (hop + 1) + ".ova");
            } else if (path.startsWith("/chain")) {
                int hop = Integer.parseInt(path.substring(6, path.indexOf('.')));
                redirect(exchange, "/chain" + (hop + 1) + ".ova");
            } else if (path.equals("/to-file.ova")) {
                exchange.getResponseHeaders().set("Location", "file:///etc/passwd");
                exchange.sendResponseHeaders(302, -1);
            } else if (path.equals("/error.ova")) {
                send(exchange, 500, "boom".getBytes(), 4);
            } else if (path.equals("/slow.ova")) {
                sleep(3000);
                send(exchange, 200, OVA, OVA.length);
            } else {
                send(exchange, 404, "not here".getBytes(), 8);
            }
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body, long length) throws IOException {
        exchange.sendResponseHeaders(status, length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static void redirect(HttpExchange exchange, String to) throws IOException {
        exchange.getResponseHeaders().set("Location", to);
        exchange.sendResponseHeaders(302, -1);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Downloader downloader() {
        return new Downloader(store, BUCKET, http, localRoot, uri -> store, Duration.ofSeconds(1));
    }

    private static URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static CatalogItem item(String path, String fileName, String sha256, Long size) {
        URI source = url(path);
        return new CatalogItem(CatalogItem.idOf(source), source, fileName, sha256, size, null, null, null);
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    private List<String> keys() {
        return store.list(BUCKET, "").stream().map(ObjectInfo::key).toList();
    }

    @Test
    void downloadsVerifiesAndNamesTheObjectAsIngestWould() throws Exception {
        List<Long> progress = new CopyOnWriteArrayList<>();
        long[] started = {0};
        DownloadListener listener = new DownloadListener() {
            @Override
            public void started(CatalogItem item, long expectedBytes) {
                started[0] = expectedBytes;
            }

            @Override
            public void progressed(CatalogItem item, long bytesSoFar) {
                progress.add(bytesSoFar);
            }
        };

        DownloadResult result = downloader().fetch(item("/ova/widget.ova", "widget.ova", sha256(OVA),
                (long) OVA.length), listener);

        assertThat(result.error()).isNull();
        assertThat(result.status()).isEqualTo(Status.DOWNLOADED);
        assertThat(result.bytes()).isEqualTo(OVA.length);
        assertThat(started[0]).isEqualTo(OVA.length);
        assertThat(progress).isNotEmpty().isSorted().last().isEqualTo((long) OVA.length);
        ObjectInfo listed = store.list(BUCKET, "widget.ova").get(0);
        assertThat(ImportId.of(result.object())).isEqualTo(ImportId.of(new ObjectRef(listed.bucket(),
                listed.key(), listed.etag(), listed.size(), listed.versionId())));
        assertThat(store.read(result.object()).readAllBytes()).isEqualTo(OVA);
        assertThat(store.describe(BUCKET, "widget.ova").orElseThrow().userMetadata())
                .containsEntry("sha256", sha256(OVA));
    }

    @Test
    void aServerSideCopyIsStillTheItemAndWithdrawRemovesOnlyTheDownloadItself() throws Exception {
        CatalogItem item = item("/ova/withdrawn.ova", "withdrawn.ova", null, null);
        DownloadResult result = downloader().fetch(item, null);
        assertThat(result.status()).isEqualTo(Status.DOWNLOADED);
        // as the quarantine holds a rejected original: a copy, which keeps the user metadata
        store.copy(BUCKET, "withdrawn.ova", OVA.length, "vendor-bucket", "held/withdrawn.ova");
        StoredObject held = store.describe("vendor-bucket", "held/withdrawn.ova").orElseThrow();

        assertThat(Downloader.isSame(item, held)).as("the copy of the same URL's download").isTrue();
        assertThat(Downloader.isSame(item("/ova/other.ova", "withdrawn.ova", null, null), held)).isFalse();
        assertThat(Downloader.isSame(item("/ova/withdrawn.ova", "withdrawn.ova", "0".repeat(64), null), held)).isFalse();

        assertThat(downloader().withdraw(result.object())).isTrue();
        assertThat(keys()).doesNotContain("withdrawn.ova");
        assertThat(downloader().withdraw(result.object())).as("gone already").isFalse();

        // written over since the download: another upload's object, not ours to remove
        DownloadResult again = downloader().fetch(item, null);
        store.write(BUCKET, "withdrawn.ova", "someone else's".getBytes(), "application/x-tar");
        assertThat(downloader().withdraw(again.object())).isFalse();
        assertThat(keys()).contains("withdrawn.ova");
    }

    @Test
    void aSecondFetchFindsItPresentWithoutARequest() throws Exception {
        CatalogItem bySha = item("/ova/again.ova", "again.ova", sha256(OVA), null);
        assertThat(downloader().fetch(bySha, null).status()).isEqualTo(Status.DOWNLOADED);
        CatalogItem bySize = item("/ova/again2.ova", "again2.ova", null, (long) OVA.length);
        assertThat(downloader().fetch(bySize, null).status()).isEqualTo(Status.DOWNLOADED);

        DownloadResult first = downloader().fetch(bySha, null);
        DownloadResult second = downloader().fetch(bySize, null);

        assertThat(first.status()).isEqualTo(Status.ALREADY_PRESENT);
        assertThat(first.object().key()).isEqualTo("again.ova");
        assertThat(first.object().etag()).isNotBlank();
        assertThat(second.status()).isEqualTo(Status.ALREADY_PRESENT);
        assertThat(REQUESTS.get("/ova/again.ova")).hasValue(1);
        assertThat(REQUESTS.get("/ova/again2.ova")).hasValue(1);
    }

    @Test
    void aWrongSha256FailsNamingBothAndLeavesNothing() throws Exception {
        String wrong = "0".repeat(64);
        DownloadResult result = downloader().fetch(item("/ova/wrong.ova", "wrong.ova", wrong, null), null);

        assertThat(result.status()).isEqualTo(Status.FAILED);
        assertThat(result.error()).contains("sha256 mismatch").contains(wrong).contains(sha256(OVA));
        assertThat(keys()).doesNotContain("wrong.ova");
    }

    @Test
    void aWrongSha256OfAMultipartUploadLeavesNothing() throws Exception {
        DownloadResult result = downloader().fetch(item("/big/big.ova", "big.ova", "1".repeat(64), null), null);

        assertThat(result.status()).isEqualTo(Status.FAILED);
        assertThat(result.error()).contains("sha256 mismatch").contains(sha256(BIG));
        assertThat(keys()).doesNotContain("big.ova");
    }

    @Test
    void aBodyLongerThanTheCatalogSaysIsCutShort() {
        DownloadResult announced = downloader().fetch(item("/ova/long.ova", "long.ova", null, 1000L), null);
        DownloadResult chunked = downloader().fetch(item("/chunked/long.ova", "long2.ova", null, 1000L), null);

        assertThat(announced.status()).isEqualTo(Status.FAILED);
        assertThat(announced.error()).startsWith("longer than announced");
        assertThat(chunked.status()).isEqualTo(Status.FAILED);
        assertThat(chunked.error()).startsWith("longer than announced");
        assertThat(chunked.bytes()).isLessThan(OVA.length);
        assertThat(keys()).doesNotContain("long.ova", "long2.ova");
    }

    @Test
    void aBodyShorterThanAnnouncedFails() {
        DownloadResult byContentLength = downloader().fetch(item("/short.ova", "short.ova", null, null), null);
        DownloadResult byCatalog = downloader().fetch(item("/chunked/short2.ova", "short2.ova", null,
                (long) OVA.length + 10), null);

        assertThat(byContentLength.status()).isEqualTo(Status.FAILED);
        assertThat(byContentLength.error()).contains("shorter than announced");
        assertThat(byCatalog.status()).isEqualTo(Status.FAILED);
        assertThat(byCatalog.error()).startsWith("shorter than announced");
        assertThat(keys()).doesNotContain("short.ova", "short2.ova");
    }

    @Test
    void httpErrorsAreOneLineFailures() {
        assertThat(downloader().fetch(item("/missing.ova", "missing.ova", null, null), null).error())
                .isEqualTo("HTTP 404 from " + url("/missing.ova"));
        assertThat(downloader().fetch(item("/error.ova", "error.ova", null, null), null).error())
                .isEqualTo("HTTP 500 from " + url("/error.ova"));
        assertThat(downloader().fetch(item("/slow.ova", "slow.ova", null, null), null).error())
                .startsWith("timed out").contains("/slow.ova");
        URI closed = URI.create("http://127.0.0.1:1/x.ova");
        DownloadResult unreachable = downloader().fetch(new CatalogItem("x", closed, "x.ova", null, null, null,
                null, null), null);
        assertThat(unreachable.status()).isEqualTo(Status.FAILED);
        assertThat(unreachable.error()).contains("127.0.0.1:1");
        assertThat(keys()).doesNotContain("missing.ova", "error.ova", "slow.ova", "x.ova");
    }

    @Test
    void redirectsAreFollowedWithinBounds() {
        DownloadResult hops = downloader().fetch(item("/hop1.ova", "hops.ova", null, null), null);
        assertThat(hops.status()).isEqualTo(Status.DOWNLOADED);

        assertThat(downloader().fetch(item("/loop-a.ova", "loop.ova", null, null), null).error())
                .startsWith("redirect loop");
        assertThat(downloader().fetch(item("/chain1.ova", "chain.ova", null, null), null).error())
                .startsWith("too many redirects");
        assertThat(downloader().fetch(item("/to-file.ova", "to-file.ova", null, null), null).error())
                .contains("refused: not http(s)");
    }

    @Test
    void badFileNamesAreRefused() {
        for (String name : List.of("../escape.ova", "dir/x.ova", "x.iso", "..", ".hidden.ova", "")) {
            DownloadResult result = downloader().fetch(item("/ova/n.ova", name, null, null), null);
            assertThat(result.status()).as(name).isEqualTo(Status.FAILED);
        }
        assertThat(REQUESTS.get("/ova/n.ova")).isNull();
    }

    @Test
    void localFilesOnlyUnderTheRoot(@TempDir Path elsewhere) throws Exception {
        Files.write(localRoot.resolve("local.ova"), OVA);
        Files.write(elsewhere.resolve("outside.ova"), OVA);

        DownloadResult inside = downloader().fetch(new CatalogItem("l", localRoot.resolve("local.ova").toUri(),
                "local.ova", null, null, null, null, null), null);
        DownloadResult relative = downloader().fetch(new CatalogItem("r", new URI(null, null, "local.ova", null),
                "local-rel.ova", null, null, null, null, null), null);
        DownloadResult outside = downloader().fetch(new CatalogItem("o", elsewhere.resolve("outside.ova").toUri(),
                "outside.ova", null, null, null, null, null), null);
        DownloadResult escape = downloader().fetch(new CatalogItem("e", new URI(null, null,
                "../" + elsewhere.getFileName() + "/outside.ova", null), "escape.ova", null, null, null, null, null),
                null);
        DownloadResult refused = new Downloader(store, BUCKET, http, null, null).fetch(new CatalogItem("l",
                localRoot.resolve("local.ova").toUri(), "local3.ova", null, null, null, null, null), null);

        assertThat(inside.status()).isEqualTo(Status.DOWNLOADED);
        assertThat(relative.status()).isEqualTo(Status.DOWNLOADED);
        assertThat(outside.error()).contains("outside the local root");
        assertThat(escape.status()).isEqualTo(Status.FAILED);
        assertThat(refused.error()).contains("not allowed");
    }

    @Test
    void s3SourcesAreCopiedThroughTheStream() {
        store.write("vendor-bucket", "releases/v1/app.ova", OVA, "application/x-tar");

        DownloadResult result = downloader().fetch(new CatalogItem("s", URI.create("s3://vendor-bucket/releases/v1/app.ova"),
                "app.ova", null, (long) OVA.length, null, null, null), null);
        DownloadResult missing = downloader().fetch(new CatalogItem("m", URI.create("s3://vendor-bucket/none.ova"),
                "none.ova", null, null, null, null, null), null);

        assertThat(result.status()).isEqualTo(Status.DOWNLOADED);
        assertThat(result.object().size()).isEqualTo(OVA.length);
        assertThat(missing.error()).isEqualTo("no such object: s3://vendor-bucket/none.ova");
    }
}
