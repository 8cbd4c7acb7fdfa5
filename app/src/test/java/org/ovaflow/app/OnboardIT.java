package org.ovaflow.app;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.publish.quarantine.QuarantineRelease;
import org.ovaflow.publish.quarantine.Release;
import picocli.CommandLine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ovaflow onboard} against a vendor's web server on loopback and a running pipeline. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnboardIT {

    @TempDir
    static Path dir;

    private Pipeline pipeline;
    private Path dataDir;
    private HttpServer vendor;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    /** Paths whose body the server sends slowly, so that a test can stop onboarding midway. */
    private final Map<String, Boolean> slow = new ConcurrentHashMap<>();

    @BeforeAll
    void start() throws Exception {
        dataDir = dir.resolve("data");
        pipeline = Pipeline.start(TestPipelines.embedded(dataDir, "all", Map.of()));
        vendor = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        vendor.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            byte[] body = files.get(path);
            try (exchange) {
                if (body == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    int chunk = slow.containsKey(path) ? 16 * 1024 : body.length;
                    for (int at = 0; at < body.length; at += chunk) {
                        out.write(body, at, Math.min(chunk, body.length - at));
                        if (slow.containsKey(path)) {
                            Thread.sleep(100);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException e) {
                    // the client went away (onboarding stopped): nothing to do
                }
            }
        });
        vendor.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
        vendor.start();
    }

    @AfterAll
    void stop() {
        if (vendor != null) {
            vendor.stop(0);
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void aCatalogOfGoodAndBadItemsEndsWithASummaryOfEveryItemAndExitOne() throws Exception {
        byte[] good = serve("/acme/widget-1.0.ova", SampleAppliance.ova("Acme", "Onboard Widget", "1.0", 200_000, 31).toBytes());
        byte[] spoiled = serve("/acme/broken-1.0.ova", SampleAppliance.ova("Acme", "Onboard Broken", "1.0", 100_000, 32)
                .spoilDigestOf("disk1.img").toBytes());
        serve("/acme/renamed.ova", SampleAppliance.ova("acme", "widget", "0.1-internal", 100_000, 34).toBytes());
        byte[] other = serve("/acme/other-2.0.ova", SampleAppliance.ova("Acme", "Onboard Other", "2.0", 100_000, 33).toBytes());
        Path catalog = dir.resolve("acme.json");
        Files.writeString(catalog, """
                {"items": [
                  {"url": "%1$s/acme/widget-1.0.ova", "sha256": "%2$s", "size": %3$d},
                  {"url": "%1$s/acme/broken-1.0.ova"},
                  {"url": "%1$s/acme/missing-3.0.ova"},
                  {"url": "%1$s/acme/other-2.0.ova", "sha256": "%4$s"},
                  {"url": "%1$s/acme/renamed.ova", "vendor": "ACME Corporation", "product": "Widget Pro", "version": "7.0"},
                  {"sha256": "no url on this line"}
                ]}""".formatted(base(), sha256(good), good.length, "0".repeat(64)));

        Run run = onboard(catalog.toString(), "--progress", "plain", "--timeout", "PT90S");

        assertThat(run.exit).as(run.out).isEqualTo(1);
        assertThat(line(run.out, "widget-1.0.ova")).contains("PUBLISHED", "acme/onboard-widget/1.0/");
        assertThat(line(run.out, "broken-1.0.ova")).contains("REJECTED", "manifest.digest");
        assertThat(line(run.out, "missing-3.0.ova")).contains("FAILED", "404");
        assertThat(line(run.out, "other-2.0.ova")).contains("FAILED", "sha256");
        assertThat(line(run.out, "renamed.ova")).as("the catalog's overrides win").contains("PUBLISHED",
                "acme-corporation/widget-pro/7.0/");
        assertThat(run.out).contains("6 item(s): 2 published, 1 rejected, 3 failed");
        assertThat(pipeline.store().exists("ova-incoming", "other-2.0.ova")).as("a wrong download is not left behind").isFalse();
        assertThat(other).isNotEmpty();
        assertThat(spoiled).isNotEmpty();
    }

    @Test
    void onboardingStoppedMidwayAndRunAgainPublishesEveryItemOnceWithoutDownloadingItAgain() throws Exception {
        StringBuilder items = new StringBuilder();
        for (int i = 1; i <= 4; i++) {
            String path = "/globex/router-" + i + ".ova";
            serve(path, SampleAppliance.ova("Globex", "Resume Router " + i, "1." + i, i == 4 ? 3_000_000 : 100_000, 40 + i).toBytes());
            items.append(i > 1 ? "," : "").append("{\"url\": \"").append(base()).append(path).append("\"}");
        }
        slow.put("/globex/router-4.ova", true); // ~20 s to send: the first run is stopped while it downloads
        Path catalog = dir.resolve("globex.json");
        Files.writeString(catalog, "[" + items + "]");

        Thread first = new Thread(() -> onboard(catalog.toString(), "--progress", "quiet", "--parallel", "4"));
        first.start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!(pipeline.store().exists("ova-incoming", "router-1.ova") && pipeline.store().exists("ova-incoming", "router-2.ova")
                && pipeline.store().exists("ova-incoming", "router-3.ova") && requests.containsKey("/globex/router-4.ova"))) {
            assertThat(System.nanoTime()).as("the first run got going").isLessThan(deadline);
            Thread.sleep(100);
        }
        first.interrupt(); // like Ctrl-C in the middle of router-4's download
        first.join(30_000);
        assertThat(first.isAlive()).isFalse();

        slow.remove("/globex/router-4.ova");
        Run again = onboard(catalog.toString(), "--progress", "plain", "--timeout", "PT90S");

        assertThat(again.exit).as(again.out).isEqualTo(0);
        assertThat(again.out).contains("4 item(s): 4 published");
        for (int i = 1; i <= 3; i++) {
            assertThat(requests.get("/globex/router-" + i + ".ova").get()).as("router-" + i + " downloaded once").isEqualTo(1);
        }
        List<String> entries = pipeline.store().list("ova-catalog", "globex/").stream().map(o -> o.key())
                .filter(k -> k.endsWith("/appliance.json")).toList();
        assertThat(entries).hasSize(4);
        var arrivals = TestPipelines.readAll(pipeline.kafka(), Topics.ARRIVED.topic()).stream()
                .filter(r -> new String(r.value()).contains("router-")).map(r -> r.key()).toList();
        assertThat(arrivals).hasSize(4).doesNotHaveDuplicates();
    }

    @Test
    void aRejectedItemOnboardedAgainIsReportedRejectedWithoutADownloadAndLeavesNothingInTheIncomingBucket()
            throws Exception {
        String path = "/initech/tps-report-1.0.ova";
        serve(path, SampleAppliance.ova("Initech", "TPS Report", "1.0", 100_000, 61).spoilDigestOf("disk1.img").toBytes());
        Path catalog = dir.resolve("initech.json");
        Files.writeString(catalog, "[{\"url\": \"" + base() + path + "\"}]");

        Run first = onboard(catalog.toString(), "--progress", "plain", "--timeout", "PT90S");
        assertThat(line(first.out, "tps-report-1.0.ova")).as(first.out).contains("REJECTED", "manifest.digest");
        assertThat(requests.get(path).get()).isEqualTo(1);

        Run again = onboard(catalog.toString(), "--progress", "plain", "--timeout", "PT90S");

        assertThat(again.exit).as(again.out).isEqualTo(1);
        assertThat(line(again.out, "tps-report-1.0.ova")).as(again.out)
                .contains("REJECTED", "manifest.digest [disk1.img]", "not downloaded again", "quarantine release");
        assertThat(again.out).contains("1 item(s): 0 published, 1 rejected, 0 failed, 0 pending");
        assertThat(requests.get(path).get()).as("the rejected item is not downloaded again").isEqualTo(1);
        assertThat(incomingKeys()).as("nothing left in ova-incoming").doesNotContain("tps-report-1.0.ova");

        // released by an operator (and, the same bytes, rejected again): the item's outcome is the released import's
        List<String> held = pipeline.store().list("ova-quarantine", "").stream().map(o -> o.key())
                .filter(k -> k.endsWith("/tps-report-1.0.ova")).toList();
        assertThat(held).hasSize(1);
        String importId = held.get(0).substring(0, held.get(0).indexOf('/'));
        Release release = new QuarantineRelease(pipeline.store(), "ova-quarantine", "ova-incoming",
                java.time.Clock.systemUTC()).release(importId);

        Run afterRelease = onboard(catalog.toString(), "--progress", "plain", "--timeout", "PT90S");

        assertThat(line(afterRelease.out, "tps-report-1.0.ova")).as(afterRelease.out).contains("REJECTED",
                "released from quarantine as s3://ova-incoming/" + release.asKey(), "not downloaded again",
                "manifest.digest [disk1.img]");
        assertThat(requests.get(path).get()).isEqualTo(1);

        // an operator removed the quarantined original (report.json stays): the item is downloaded, found to be
        // the import rejected before by its importId, and the download removed again
        pipeline.store().remove("ova-quarantine", held.get(0));

        Run third = onboard(catalog.toString(), "--progress", "plain", "--timeout", "PT90S");

        assertThat(third.exit).as(third.out).isEqualTo(1);
        assertThat(line(third.out, "tps-report-1.0.ova")).as(third.out)
                .contains("REJECTED", "manifest.digest [disk1.img]", "the download was removed again");
        assertThat(requests.get(path).get()).isEqualTo(2);
        assertThat(incomingKeys()).as("no orphan in ova-incoming").doesNotContain("tps-report-1.0.ova");
    }

    private List<String> incomingKeys() {
        return pipeline.store().list("ova-incoming", "").stream().map(o -> o.key()).toList();
    }

    @Test
    void followingAVmcastFeedOnboardsNewItemsAsTheyAppear() throws Exception {
        byte[] first = serve("/vmcast/umbrella-hive-1.0.ova", SampleAppliance.ova("Umbrella", "Hive", "1.0", 100_000, 51).toBytes());
        serve("/vmcast/feed.xml", feed(Map.of("umbrella-hive-1.0.ova", first.length)));

        Thread follower = new Thread(() -> onboard(base() + "/vmcast/feed.xml", "--follow", "--interval", "PT1S",
                "--progress", "quiet", "--timeout", "PT60S"));
        follower.start();
        try {
            awaitCatalogEntry("umbrella/hive/1.0/appliance.json");
            byte[] second = serve("/vmcast/umbrella-hive-1.1.ova", SampleAppliance.ova("Umbrella", "Hive", "1.1", 100_000, 52).toBytes());
            serve("/vmcast/feed.xml", feed(Map.of("umbrella-hive-1.0.ova", first.length, "umbrella-hive-1.1.ova", second.length)));
            awaitCatalogEntry("umbrella/hive/1.1/appliance.json");
        } finally {
            follower.interrupt();
            follower.join(30_000);
        }
        assertThat(requests.get("/vmcast/umbrella-hive-1.0.ova").get()).as("an item seen before is not fetched again").isEqualTo(1);
    }

    private byte[] feed(Map<String, Integer> enclosures) {
        StringBuilder items = new StringBuilder();
        enclosures.forEach((file, length) -> items.append("""
                <item><title>%1$s</title><guid>%1$s</guid>
                  <enclosure url="%2$s/vmcast/%1$s" length="%3$d" type="application/x-tar"/></item>
                """.formatted(file, base(), length)));
        return ("""
                <?xml version="1.0" encoding="UTF-8"?>
                <rss version="2.0"><channel><title>Umbrella VMcast</title><link>%s</link>
                <description>Umbrella's appliances</description>
                %s</channel></rss>""".formatted(base(), items)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private void awaitCatalogEntry(String key) throws InterruptedException {
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (!pipeline.store().exists("ova-catalog", key)) {
            assertThat(System.nanoTime()).as("waiting for " + key).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private byte[] serve(String path, byte[] body) {
        files.put(path, body);
        return body;
    }

    private String base() {
        return "http://127.0.0.1:" + vendor.getAddress().getPort();
    }

    private record Run(int exit, String out) {
    }

    private Run onboard(String... args) {
        StringWriter out = new StringWriter();
        CommandLine commandLine = Ovaflow.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(out, true));
        String[] all = new String[args.length + 3];
        all[0] = "onboard";
        all[1] = "--data-dir";
        all[2] = dataDir.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        int exit = commandLine.execute(all);
        return new Run(exit, out.toString());
    }

    private static String line(String output, String file) {
        return output.lines().filter(l -> l.contains(file) && (l.startsWith("PUBLISHED") || l.startsWith("REJECTED")
                || l.startsWith("FAILED") || l.startsWith("PENDING"))).findFirst().orElse("(no summary line for " + file + ")");
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
