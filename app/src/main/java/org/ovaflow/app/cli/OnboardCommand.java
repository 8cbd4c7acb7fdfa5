package org.ovaflow.app.cli;

import org.ovaflow.app.Ovaflow;
import org.ovaflow.app.onboard.EarlierRejections;
import org.ovaflow.app.onboard.Onboarding;
import org.ovaflow.app.onboard.OnboardingProgress;
import org.ovaflow.app.onboard.OnboardingReport;
import org.ovaflow.app.pipeline.Buckets;
import org.ovaflow.app.pipeline.Endpoints;
import org.ovaflow.app.pipeline.ImportStatuses;
import org.ovaflow.core.config.SharedSettings;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.ingest.onboard.Downloader;
import org.ovaflow.ingest.onboard.InvalidCatalogException;
import org.ovaflow.ingest.onboard.VendorCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code ovaflow onboard CATALOG}: a vendor's whole catalog into the pipeline, with progress, resumable. */
@Command(name = "onboard", mixinStandardHelpOptions = true,
        description = {"Onboard a vendor catalog: a JSON or CSV list of OVAs (http(s)://, s3://bucket/key or local "
                + "files) or an RSS/Atom feed whose enclosures are OVAs. Downloads stream into the incoming bucket "
                + "and are verified on the fly; then every item is followed to its outcome.",
                "Re-running the same catalog skips what is already in the bucket or published, reports what was rejected "
                        + "(the quarantine holds it) without downloading it again, and retries failures."})
public final class OnboardCommand extends CommandOutput implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Parameters(paramLabel = "CATALOG", description = "A catalog file, or the http(s) URL of a catalog or feed.")
    String catalog;

    @Option(names = "--parallel", defaultValue = "4", description = "Downloads at once (default ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--progress", paramLabel = "bars|plain|quiet",
            description = "bars on a terminal, one line per event (plain), or nothing; default: bars on a terminal, "
                    + "else plain.")
    OnboardingProgress.Mode progressMode;

    @Option(names = "--timeout", defaultValue = "PT30M",
            description = "How long to wait for the imports' outcomes (ISO-8601, default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--follow", description = "Keep reading the catalog (a feed) and onboard new items as they appear.")
    boolean follow;

    @Option(names = "--interval", defaultValue = "PT1M", description = "How often --follow reads the catalog again.")
    Duration interval;

    @Option(names = "--local-root", paramLabel = "DIR",
            description = "Local OVAs must lie under this folder (default: the catalog file's folder).")
    Path localRoot;

    @Option(names = "--json", description = "Print the summary as JSON.")
    boolean json;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE", description = "Bucket names, as given to run, and the "
            + "upload settings (ovaflow.store.part-size-mib, .parallel-parts, .payload-signing, "
            + ".max-single-request-gib).")
    Map<String, String> properties = new HashMap<>();

    @Override
    public Integer call() throws Exception {
        Endpoints endpoints = connection.endpoints();
        // the downloads upload side by side: unless set, they share the default parts in flight (memory: each
        // download holds its parts in flight and one filling)
        ObjectStore.UploadSettings uploads = ObjectStore.UploadSettings.from(endpoints.storeSettings(properties));
        if (!properties.containsKey(SharedSettings.STORE_PARALLEL_PARTS.key())) {
            uploads = new ObjectStore.UploadSettings(uploads.partSize(),
                    Math.max(1, uploads.parallelParts() / Math.max(1, parallel)), uploads.signing(),
                    uploads.maxSingleRequest());
        }
        ObjectStore store = new ObjectStore(endpoints.s3(), endpoints.s3AccessKey(), endpoints.s3SecretKey(),
                uploads);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        Path root = localRoot != null ? localRoot : isUrl(catalog) ? null
                : Path.of(catalog).toAbsolutePath().getParent();
        Buckets buckets = Buckets.from(properties);
        // s3:// items name objects of the pipeline's own store
        Downloader downloader = new Downloader(store, buckets.incoming(), http, root, uri -> store);
        try (ImportStatuses statuses = new ImportStatuses(endpoints.kafka()).start()) {
            Onboarding onboarding = new Onboarding(downloader, statuses,
                    new EarlierRejections(store, buckets.quarantine(), buckets.incoming()), parallel);
            Set<String> done = new HashSet<>();
            boolean allPublished = true;
            do {
                List<VendorCatalog.Entry> entries = readCatalog(http).stream()
                        .filter(e -> e.item() == null || !done.contains(e.item().id())).toList();
                if (!entries.isEmpty()) {
                    OnboardingReport report = onboard(onboarding, entries);
                    allPublished &= report.allPublished();
                    entries.stream().filter(e -> e.item() != null).forEach(e -> done.add(e.item().id()));
                }
                if (follow) {
                    Thread.sleep(interval.toMillis());
                }
            } while (follow);
            return allPublished ? Ovaflow.OK : Ovaflow.REJECTED;
        }
    }

    private OnboardingReport onboard(Onboarding onboarding, List<VendorCatalog.Entry> entries) throws InterruptedException {
        long knownBytes = entries.stream().filter(e -> e.item() != null && e.item().size() != null)
                .mapToLong(e -> e.item().size()).sum();
        OnboardingProgress.Mode mode = progressMode != null ? progressMode
                : json ? OnboardingProgress.Mode.QUIET
                : System.console() != null ? OnboardingProgress.Mode.BARS : OnboardingProgress.Mode.PLAIN;
        OnboardingReport report;
        try (OnboardingProgress progress = OnboardingProgress.of(mode, out(), entries.size(), knownBytes)) {
            report = onboarding.run(catalog, entries, progress, timeout);
        }
        if (json) {
            out().println(new String(EventCodec.toPrettyJson(report), StandardCharsets.UTF_8));
        } else {
            print(report, out());
        }
        out().flush();
        return report;
    }

    private List<VendorCatalog.Entry> readCatalog(HttpClient http) throws IOException, InterruptedException {
        try {
            if (!isUrl(catalog)) {
                return VendorCatalog.read(Path.of(catalog));
            }
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(catalog))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new IllegalArgumentException(catalog + ": HTTP " + response.statusCode());
                }
                return VendorCatalog.read(catalog, body);
            }
        } catch (InvalidCatalogException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(catalog + ": no such file", e);
        }
    }

    private static boolean isUrl(String catalog) {
        return catalog.startsWith("http://") || catalog.startsWith("https://");
    }

    static void print(OnboardingReport report, PrintWriter out) {
        out.printf("%n%-11s  %-36s  %s%n", "OUTCOME", "FILE", "DETAIL");
        for (OnboardingReport.Item item : report.items()) {
            out.printf("%-11s  %-36s  %s%n", item.outcome(), item.file() == null ? item.item() : item.file(),
                    item.detail() == null ? "" : item.detail());
        }
        out.printf("%n%d item(s): %d published, %d rejected, %d failed, %d pending%n", report.items().size(),
                report.count(OnboardingReport.Outcome.PUBLISHED), report.count(OnboardingReport.Outcome.REJECTED),
                report.count(OnboardingReport.Outcome.FAILED), report.count(OnboardingReport.Outcome.PENDING));
    }
}
