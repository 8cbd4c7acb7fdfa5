package org.ovaflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.rometools.rome.feed.synd.SyndEnclosure;
import com.rometools.rome.feed.synd.SyndEntry;
import com.rometools.rome.feed.synd.SyndFeed;
import com.rometools.rome.io.SyndFeedInput;
import org.jdom2.Element;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.ova.OvaBuilder;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.ExternalTool;
import org.ovaflow.core.testing.Gpg;
import org.ovaflow.publish.catalog.ApplianceRecord;
import org.ovaflow.publish.catalog.CatalogReader;
import org.ovaflow.publish.feed.FeedMarkup;
import org.xml.sax.InputSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalog over HTTP on a real embedded pipeline: the feeds list what was published (and retracted), filter by
 * vendor and product, 404 what does not exist; downloads redirect to presigned URLs that give the artifact's
 * exact bytes; no URL reaches outside the catalog bucket.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogHttpIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String LICENSE = "You may run this widget on Tuesdays only.";

    @TempDir
    static Path dir;

    private Pipeline pipeline;
    private ObjectStore store;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    private Drop widget1;
    private Drop widget2;
    private Drop router;
    private Drop retracted;

    @BeforeAll
    void publishFourVersionsAndRetractOne() throws Exception {
        // 3 items a page: the 5 items (4 publications, a retraction) of the catalog's feed span an archive page
        pipeline = Pipeline.start(TestPipelines.embedded(dir.resolve("data"), "all",
                Map.of("ovaflow.http.presign-expiry-s", "600", "ovaflow.publish.feed-items", "3")));
        store = pipeline.store();
        widget1 = drop("widget-1.0.ova", withEula("1.0", 300_000, 31));
        widget2 = drop("widget-2.0.ova", SampleAppliance.ova("Acme Corp", "Widget", "2.0", 200_000, 32));
        // markup in the metadata (the sample escapes it in the descriptor's XML)
        router = drop("router.ova", SampleAppliance.ova("Globex & <b>Sons</b>", "Router", "3.0", 100_000, 33));
        retracted = drop("widget-0.9.ova", withEula("0.9", 100_000, 34));
        Map<String, StatusEvent> outcomes = pipeline.statuses().awaitFinal(
                List.of(widget1.importId(), widget2.importId(), router.importId(), retracted.importId()), WAIT);
        assertThat(outcomes.values()).hasSize(4).allSatisfy(s -> assertThat(s.state()).as(s.toString())
                .isEqualTo(StatusEvent.State.PUBLISHED));
        // withdrawn as `ovaflow catalog retract` does it: the entry rewritten with its state and reason, its marker,
        // the index signed with the pipeline's key
        new org.ovaflow.publish.catalog.CatalogRetraction(store, org.ovaflow.publish.catalog.CatalogWrites.to(store),
                "ova-catalog", java.time.Clock.systemUTC(), org.ovaflow.publish.signing.SigningKey
                .keptIn(dir.resolve("data").resolve(org.ovaflow.app.pipeline.CatalogSigning.FOLDER), null).signer(), 3)
                .retract("acme-corp/widget/0.9", "CVE-2026-0042: default password").orElseThrow();
    }

    @AfterAll
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void theCatalogFeedsListEveryPublishedAndRetractedVersion() throws Exception {
        for (String feed : List.of("/feeds/catalog.rss", "/feeds/catalog.atom")) {
            HttpResponse<byte[]> response = get(feed);

            assertThat(response.statusCode()).as(feed).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).as(feed).contains(feed.endsWith(".rss")
                    ? "application/rss+xml" : "application/atom+xml");
            SyndFeed parsed = parse(response.body());
            assertThat(parsed.getFeedType()).isEqualTo(feed.endsWith(".rss") ? "rss_2.0" : "atom_1.0");
            assertThat(parsed.getEntries()).as("the newest page: at most 3").hasSizeBetween(1, 3);
            assertThat(entries(feed)).as("the feed and its archive pages").extracting(SyndEntry::getUri)
                    .containsExactlyInAnyOrder(urn(widget1), urn(widget2), urn(router), urn(retracted),
                            urn(retracted) + ":retracted");
            // the retraction is the newest news, an item of its own
            assertThat(parsed.getEntries().get(0).getUri()).isEqualTo(urn(retracted) + ":retracted");
            assertThat(parsed.getEntries().get(0).getTitle()).isEqualTo("Retracted: Widget 0.9 (Acme Corp)");
            assertThat(parsed.getEntries().get(0).getEnclosures()).isEmpty();
            SyndEntry routerEntry = entry(entries(feed), router);
            assertThat(routerEntry.getTitle()).isEqualTo("Router 3.0 (Globex & bSons/b)");
            assertThat(new String(response.body(), StandardCharsets.UTF_8)).doesNotContain("<b>");
        }
    }

    @Test
    void vendorAndProductFeedsHoldOnlyTheirOwn() throws Exception {
        assertThat(entries("/feeds/acme-corp.atom")).extracting(SyndEntry::getUri)
                .containsExactlyInAnyOrder(urn(widget1), urn(widget2), urn(retracted), urn(retracted) + ":retracted");
        assertThat(entries("/feeds/acme-corp/widget.rss")).extracting(SyndEntry::getUri)
                .containsExactlyInAnyOrder(urn(widget1), urn(widget2), urn(retracted), urn(retracted) + ":retracted");
        assertThat(entries("/feeds/globex-b-sons-b/router.atom")).extracting(SyndEntry::getUri)
                .containsExactly(urn(router));
    }

    @Test
    void gpgVerifiesEachFeedWithItsSignatureFetchedSeparatelyAndTheIndexWithTheKeyServedAndPublished() throws Exception {
        HttpResponse<byte[]> key = get("/keys/ovaflow-signing.asc");
        assertThat(key.statusCode()).isEqualTo(200);
        assertThat(key.headers().firstValue("Content-Type")).contains("application/pgp-keys");
        assertThat(store.read("ova-catalog", "keys/ovaflow-signing.asc").readAllBytes()).as("the key in the bucket")
                .isEqualTo(key.body());
        String fingerprint = pipeline.signingKey().signer().fingerprint();
        assertThat(pipeline.signingKey().secretKeyFile()).isEqualTo(dir.resolve("data/signing/secret-key.asc"));
        try (Gpg gpg = Gpg.require(dir.resolve("gnupg"))) {
            Path files = Files.createDirectories(dir.resolve("fetched"));
            gpg.importKey(Files.write(files.resolve("ovaflow-signing.asc"), key.body()));

            // every page: the feeds and their archive pages (?page=N, signed at .asc?page=N)
            List<String> pages = new java.util.ArrayList<>();
            for (String feed : List.of("/feeds/catalog.rss", "/feeds/catalog.atom", "/feeds/acme-corp.atom",
                    "/feeds/acme-corp/widget.rss")) {
                pages.add(feed);
                for (String archive : archivePages(feed)) {
                    pages.add(archive);
                }
            }
            assertThat(pages).as("archive pages among them").anyMatch(page -> page.contains("?page="));
            for (String feed : pages) {
                String name = feed.substring(1).replace('/', '-').replace('?', '-').replace('=', '-');
                Path body = Files.write(files.resolve(name), get(feed).body());
                // a request of its own, as a reader makes it
                HttpResponse<byte[]> signature = get(feed.contains("?") ? feed.replace("?", ".asc?") : feed + ".asc");
                assertThat(signature.statusCode()).as(feed).isEqualTo(200);
                assertThat(signature.headers().firstValue("Content-Type")).contains("application/pgp-signature");

                ExternalTool.Result verification = gpg.verify(Files.write(files.resolve(name + ".asc"), signature.body()), body);

                assertThat(Gpg.validSignatureFingerprint(verification)).as(feed + "\n" + verification.output())
                        .isEqualTo(fingerprint);
            }
            Path index = Files.write(files.resolve("index.json"),
                    store.read("ova-catalog", "index.json").readAllBytes());
            Path indexSignature = Files.write(files.resolve("index.json.asc"),
                    store.read("ova-catalog", "index.json.asc").readAllBytes());
            ExternalTool.Result verification = gpg.verify(indexSignature, index);
            assertThat(Gpg.validSignatureFingerprint(verification)).as(verification.output()).isEqualTo(fingerprint);
        }
        assertThat(get("/feeds/initech.rss.asc").statusCode()).isEqualTo(404);
        assertThat(get("/keys/other.asc").statusCode()).isEqualTo(404);
    }

    @Test
    void unknownFeedsAreNotFound() throws Exception {
        for (String feed : List.of("/feeds/initech.rss", "/feeds/acme-corp/gadget.atom", "/feeds/catalog.xml",
                "/feeds/catalog", "/feeds/acme-corp/widget/1.0.rss", "/feeds/.rss", "/feeds/%2e%2e.rss",
                "/feeds/../api/catalog.rss",
                // 3 items a page: the router's feed (1 item) has no archive page, the catalog's only page 0
                "/feeds/globex-b-sons-b/router.rss?page=0", "/feeds/globex-b-sons-b/router.rss.asc?page=0",
                "/feeds/catalog.rss?page=1", "/feeds/catalog.atom.asc?page=7")) {
            HttpResponse<byte[]> response = get(feed);
            assertThat(response.statusCode()).as(feed).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type")).as(feed).contains("application/json");
        }
        for (String feed : List.of("/feeds/catalog.rss?page=x", "/feeds/catalog.rss?page=-1",
                "/feeds/catalog.rss?archive=0", "/feeds/catalog.rss?page=0&page=1")) {
            assertThat(get(feed).statusCode()).as(feed).isEqualTo(400);
        }
        assertThat(new String(get("/feeds/globex-b-sons-b/router.rss").body(), StandardCharsets.UTF_8))
                .as("a feed of one page links no archive").doesNotContain("prev-archive");
    }

    @Test
    void theCatalogListAndEntriesAreJson() throws Exception {
        HttpResponse<byte[]> list = get("/api/catalog");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode available = EventCodec.JSON.readTree(list.body());
        assertThat(available.path("entries")).extracting(e -> e.path("importId").asText())
                .containsExactlyInAnyOrder(widget1.importId(), widget2.importId(), router.importId());
        assertThat(available.has("next")).as("one page").isFalse();
        // page by page, retracted versions too
        List<JsonNode> entries = new java.util.ArrayList<>();
        String next = "";
        do {
            JsonNode page = EventCodec.JSON.readTree(get("/api/catalog?all=true&limit=1"
                    + (next.isEmpty() ? "" : "&cursor=" + java.net.URLEncoder.encode(next, StandardCharsets.UTF_8))).body());
            assertThat(page.path("entries")).hasSizeLessThanOrEqualTo(1);
            page.path("entries").forEach(entries::add);
            next = page.path("next").asText();
        } while (!next.isEmpty());
        assertThat(entries).extracting(e -> e.path("importId").asText())
                .containsExactlyInAnyOrder(widget1.importId(), widget2.importId(), router.importId(), retracted.importId());
        assertThat(entries).filteredOn(e -> e.path("version").asText().equals("0.9"))
                .extracting(e -> e.path("state").asText()).containsExactly("retracted");
        for (String bad : List.of("limit=0", "limit=1001", "limit=x", "cursor=..%2F..%2Fx", "cursor=a", "sort=name")) {
            assertThat(get("/api/catalog?" + bad).statusCode()).as(bad).isEqualTo(400);
        }

        JsonNode entry = EventCodec.JSON.readTree(get("/api/catalog/acme-corp/widget/1.0").body());
        assertThat(entry.path("provenance").path("importId").asText()).isEqualTo(widget1.importId());
        assertThat(get("/api/catalog/acme-corp/widget/7.0").statusCode()).isEqualTo(404);
    }

    @Test
    void everyEnclosureRedirectsToAPresignedUrlOfTheArtifactsExactBytes() throws Exception {
        SyndEntry entry = entry(entries("/feeds/acme-corp/widget.rss"), widget1);
        List<Element> artifacts = entry.getForeignMarkup().stream()
                .filter(e -> FeedMarkup.URI.equals(e.getNamespaceURI()) && e.getName().equals("artifact")).toList();
        assertThat(entry.getEnclosures()).hasSize(artifacts.size()).hasSizeGreaterThanOrEqualTo(4);

        for (SyndEnclosure enclosure : entry.getEnclosures()) {
            assertThat(enclosure.getUrl()).startsWith(pipeline.httpUrl() + "/api/catalog/acme-corp/widget/1.0/download/");
            HttpResponse<byte[]> redirect = http.send(HttpRequest.newBuilder(URI.create(enclosure.getUrl())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(redirect.statusCode()).as(enclosure.getUrl()).isEqualTo(302);
            String location = redirect.headers().firstValue("Location").orElseThrow();
            assertThat(location).startsWith(store.endpoint()).contains("X-Amz-Signature=", "X-Amz-Expires=600");

            HttpResponse<byte[]> download = following.send(HttpRequest.newBuilder(URI.create(enclosure.getUrl())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());

            assertThat(download.statusCode()).as(location).isEqualTo(200);
            Element artifact = artifacts.stream().filter(a -> enclosure.getUrl().equals(a.getAttributeValue("url")))
                    .findFirst().orElseThrow();
            assertThat((long) download.body().length).isEqualTo(enclosure.getLength())
                    .isEqualTo(Long.parseLong(artifact.getAttributeValue("size")));
            assertThat(sha256(download.body())).isEqualTo(artifact.getAttributeValue("sha256"));
            try (InputStream stored = store.read("ova-catalog", keyOf("acme-corp/widget/1.0/",
                    artifact.getAttributeValue("name")))) {
                assertThat(download.body()).isEqualTo(stored.readAllBytes());
            }
        }
        // the original disk, byte for byte as it was in the OVA
        HttpResponse<byte[]> disk = following.send(HttpRequest.newBuilder(
                URI.create(pipeline.httpUrl() + "/api/catalog/acme-corp/widget/1.0/download/disk1.img")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(disk.body()).isEqualTo(SampleAppliance.disk(300_000, 31));
    }

    @Test
    void theEulaLinkLeadsToTheDescriptorThatHoldsTheLicense() throws Exception {
        SyndEntry entry = entry(entries("/feeds/catalog.atom"), widget1);
        String eula = entry.getForeignMarkup().stream().filter(e -> e.getName().equals("eula")).findFirst()
                .orElseThrow().getAttributeValue("url");
        assertThat(entry.getLinks()).anySatisfy(link -> {
            assertThat(link.getRel()).isEqualTo("license");
            assertThat(link.getHref()).isEqualTo(eula);
        });

        HttpResponse<String> descriptor = following.send(HttpRequest.newBuilder(URI.create(eula)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(descriptor.statusCode()).isEqualTo(200);
        assertThat(descriptor.body()).contains(LICENSE);
        assertThat(entry(entries("/feeds/catalog.atom"), widget2).getForeignMarkup())
                .noneMatch(e -> e.getName().equals("eula"));
    }

    @Test
    void aRetractedVersionIsNoLongerHandedOut() throws Exception {
        HttpResponse<byte[]> response = get("/api/catalog/acme-corp/widget/0.9/download/disk1.img");

        assertThat(response.statusCode()).isEqualTo(410);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("CVE-2026-0042");
        assertThat(response.headers().firstValue("Location")).isEmpty();
    }

    @Test
    void noLinkOfARetractedVersionAnswersGoneAsRomeAndFeedparserReadTheFeeds() throws Exception {
        Feedparser feedparser = Feedparser.require();
        for (String feed : List.of("/feeds/catalog.rss", "/feeds/catalog.atom", "/feeds/acme-corp/widget.rss",
                "/feeds/acme-corp/widget.atom")) {
            byte[] xml = get(feed).body();
            // the retraction's own item; the publication's stays as it was (history: its downloads now answer 410)
            SyndEntry entry = parse(xml).getEntries().stream()
                    .filter(e -> (urn(retracted) + ":retracted").equals(e.getUri())).findFirst().orElseThrow();
            Set<String> links = new LinkedHashSet<>();
            links.add(entry.getLink());
            entry.getLinks().forEach(l -> links.add(l.getHref()));
            entry.getEnclosures().forEach(e -> links.add(e.getUrl()));
            entry.getForeignMarkup().forEach(e -> links.add(e.getAttributeValue("url")));
            Matcher href = Pattern.compile("href=\"([^\"]*)\"").matcher(entry.getDescription().getValue());
            while (href.find()) {
                links.add(href.group(1).replace("&amp;", "&"));
            }
            Path file = Files.write(dir.resolve("retracted-" + feed.substring(1).replace('/', '-')), xml);
            List<String> read = feedparser.links(file).get(urn(retracted) + ":retracted");
            assertThat(read).as(feed + ": feedparser reads the retracted item").isNotNull();
            links.addAll(read);
            links.remove(null);
            // the item's id (Rome gives an Atom entry's as its link too) names, it is not fetched
            links.remove(urn(retracted) + ":retracted");

            // the retraction is in the feed, and the EULA is there (the descriptor has one), but not as a link
            assertThat(entry.getDescription().getValue()).as(feed).contains("CVE-2026-0042", "EULA");
            assertThat(links).as(feed).isNotEmpty().allSatisfy(url -> {
                assertThat(url).as(feed).startsWith(pipeline.httpUrl()).doesNotContain("/download/");
                assertThat(http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode()).as(feed + ": " + url).isNotEqualTo(410)
                        .isLessThan(400);
            });
        }
    }

    @Test
    void downloadsCannotLeaveTheEntryOrTheCatalogBucket() throws Exception {
        store.write("ova-incoming", "secret.ova", "not for you".getBytes(StandardCharsets.UTF_8), "application/x-tar");
        String entry = "/api/catalog/acme-corp/widget/1.0/download/";
        for (String path : List.of(
                entry + "../../../../../ova-incoming/secret.ova",
                entry + "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/ova-incoming/secret.ova",
                entry + "%2E%2E%2F%2E%2E%2Fova-incoming%2Fsecret.ova",
                entry + "/ova-incoming/secret.ova",
                entry + "%2Fova-incoming%2Fsecret.ova",
                entry + "s3://ova-incoming/secret.ova",
                entry + "appliance.json",
                entry + "qcow2/../disk1.img",
                entry + "../2.0/disk1.img",
                "/api/catalog/%2e%2e/ova-incoming/x/download/secret.ova",
                "/api/catalog/../ova-incoming/x/download/secret.ova",
                "/api/catalog/acme-corp/widget/..%2F..%2Fova-incoming/download/secret.ova",
                "/api/catalog//ova-incoming/secret.ova/download/secret.ova",
                "/api/catalog/acme-corp/widget/1.0/download/")) {
            HttpResponse<byte[]> response = get(path);
            assertThat(response.statusCode()).as(path).isIn(400, 404);
            assertThat(response.headers().firstValue("Location")).as(path).isEmpty();
        }
    }

    @Test
    void feedLinksFollowTheHostTheClientAskedFor() throws Exception {
        URI server = URI.create(pipeline.httpUrl());
        // the archive page with the publications (3 items a page; the retraction is on the feed's newest page)
        String viaName = rawGet(server, "/feeds/acme-corp/widget.rss?page=0", "mirror.example:8080");
        String hostile = rawGet(server, "/feeds/acme-corp/widget.rss?page=0", "evil.example/\"><x");

        assertThat(viaName).contains("http://mirror.example:8080/api/catalog/acme-corp/widget/1.0/download/disk1.img")
                .contains("rel=\"current\" href=\"http://mirror.example:8080/feeds/acme-corp/widget.rss\"");
        assertThat(hostile).doesNotContain("evil.example")
                .contains(pipeline.httpUrl() + "/api/catalog/acme-corp/widget/1.0/download/disk1.img");
    }

    @Test
    void theCatalogIsReadOnly() throws Exception {
        for (String path : List.of("/feeds/catalog.rss", "/api/catalog", "/api/catalog/acme-corp/widget/1.0/download/disk1.img")) {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(pipeline.httpUrl() + path))
                    .method("DELETE", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).as(path).isEqualTo(405);
        }
        assertThat(store.exists("ova-catalog", keyOf("acme-corp/widget/1.0/", "disk1.img"))).isTrue();
    }

    /** Where the entry at {@code prefix} keeps its file {@code name}, as its appliance.json says. */
    private String keyOf(String prefix, String name) throws IOException {
        try (InputStream json = store.read("ova-catalog", prefix + "appliance.json")) {
            for (JsonNode artifact : EventCodec.JSON.readTree(json).path("artifacts")) {
                if (artifact.path("name").asText().equals(name)) {
                    return artifact.path("key").asText();
                }
            }
        }
        throw new AssertionError(prefix + " has no artifact " + name);
    }

    /** Acme's widget of {@code version} with a EULA in its descriptor. */
    private static OvaBuilder withEula(String version, int diskSize, int seed) {
        String descriptor = SampleAppliance.descriptor("Acme Corp", "Widget", version, "disk1.img", diskSize)
                .replace("<OperatingSystemSection", "<EulaSection>\n<Info>License agreement</Info>\n<License>"
                        + LICENSE + "</License>\n</EulaSection>\n<OperatingSystemSection");
        return new OvaBuilder("widget.ovf", descriptor).file("disk1.img", SampleAppliance.disk(diskSize, seed));
    }

    private Drop drop(String name, OvaBuilder ova) throws Exception {
        return TestPipelines.drop(pipeline, dir, name, ova.toBytes());
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(pipeline.httpUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A GET with a Host header of our choosing (java.net.http does not let a caller set one). */
    private static String rawGet(URI server, String path, String host) throws Exception {
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static SyndFeed parse(byte[] xml) throws Exception {
        SyndFeedInput input = new SyndFeedInput(false, Locale.ROOT);
        input.setAllowDoctypes(false);
        input.setXmlHealerOn(false);
        return input.build(new InputSource(new ByteArrayInputStream(xml)));
    }

    private static SyndEntry entry(SyndFeed feed, Drop drop) {
        return entry(feed.getEntries(), drop);
    }

    private static SyndEntry entry(List<SyndEntry> entries, Drop drop) {
        return entries.stream().filter(e -> urn(drop).equals(e.getUri())).findFirst().orElseThrow();
    }

    /** The paths of the archive pages of the feed at {@code feed}, newest first, by its prev-archive links. */
    private List<String> archivePages(String feed) throws Exception {
        List<String> pages = new java.util.ArrayList<>();
        String body = new String(get(feed).body(), StandardCharsets.UTF_8);
        while (true) {
            Matcher prev = Pattern.compile("<(?:atom:)?link rel=\"prev-archive\" href=\"([^\"]+)\"").matcher(body);
            if (!prev.find()) {
                return pages;
            }
            String path = prev.group(1).substring(pipeline.httpUrl().length());
            pages.add(path);
            HttpResponse<byte[]> page = get(path);
            assertThat(page.statusCode()).as(path).isEqualTo(200);
            body = new String(page.body(), StandardCharsets.UTF_8);
            assertThat(body).as(path).contains("<fh:archive").contains("rel=\"current\"");
        }
    }

    /** The items of the feed at {@code feed} and of its archive pages, each page read by Rome, newest first. */
    private List<SyndEntry> entries(String feed) throws Exception {
        List<SyndEntry> entries = new java.util.ArrayList<>(parse(get(feed).body()).getEntries());
        for (String page : archivePages(feed)) {
            entries.addAll(parse(get(page).body()).getEntries());
        }
        assertThat(entries).extracting(SyndEntry::getUri).as(feed + ": every item once").doesNotHaveDuplicates();
        return entries;
    }

    private static String urn(Drop drop) {
        return "urn:ovaflow:import:" + drop.importId();
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
