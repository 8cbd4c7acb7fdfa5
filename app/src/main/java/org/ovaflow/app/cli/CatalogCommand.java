package org.ovaflow.app.cli;

import org.ovaflow.app.Ovaflow;
import org.ovaflow.app.follow.CatalogFollower;
import org.ovaflow.app.follow.FollowState;
import org.ovaflow.app.pipeline.CatalogSigning;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.publish.PublishModule;
import org.ovaflow.publish.catalog.ApplianceRecord;
import org.ovaflow.publish.catalog.CatalogIndex;
import org.ovaflow.publish.catalog.CatalogReader;
import org.ovaflow.publish.catalog.CatalogVerifier;
import org.ovaflow.publish.catalog.CatalogRetention;
import org.ovaflow.publish.catalog.CatalogRetraction;
import org.ovaflow.publish.catalog.CatalogWrites;
import org.ovaflow.publish.catalog.RetentionPolicy;
import org.ovaflow.publish.signing.CatalogSigner;
import org.ovaflow.publish.signing.SignatureVerifier;
import org.ovaflow.publish.signing.SigningKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * {@code ovaflow catalog list|show ID|retract ID|verify LOCATION|follow LOCATION}: what was published, its
 * withdrawal, a check of a catalog as its consumers see it, and following an upstream catalog into this pipeline.
 */
@Command(name = "catalog", mixinStandardHelpOptions = true, description = "Read and manage the catalog of published appliances.",
        subcommands = {CatalogCommand.ListEntries.class, CatalogCommand.ShowEntry.class, CatalogCommand.RetractEntry.class,
                CatalogCommand.VerifyCatalog.class, CatalogCommand.FollowCatalog.class,
                CatalogCommand.PruneCatalog.class})
public final class CatalogCommand {

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the available appliances, from the catalog's index, page by page as it reads them.")
    static final class ListEntries extends CommandOutput implements Callable<Integer> {
        /** Versions read from the index at a time: a listing of any size holds one page in memory. */
        static final int PAGE = 500;

        @Mixin
        StoreOptions options;

        @Option(names = "--all", description = "Retracted entries too.")
        boolean all;

        @Override
        public Integer call() throws IOException {
            CatalogIndex index = new CatalogIndex(options.store(), options.buckets().catalog());
            PrintWriter out = out();
            boolean any = false;
            String cursor = null;
            do {
                CatalogIndex.Page page = index.page(cursor, PAGE, all);
                for (CatalogIndex.Entry entry : page.entries()) {
                    if (options.json) {
                        // a JSON array written entry by entry: the same document whatever the catalog's size
                        out.print(any ? ",\n" : "[ ");
                        out.print(new String(EventCodec.toPrettyJson(entry), StandardCharsets.UTF_8));
                    } else {
                        if (!any) {
                            out.printf("%-48s  %-9s  %-24s  %5s  %s%n", "ENTRY", "STATE", "IMPORT", "FILES",
                                    "PUBLISHED");
                        }
                        out.printf("%-48s  %-9s  %-24s  %5d  %s%n", entry.vendor() + "/" + entry.product() + "/"
                                        + entry.version(), entry.state(), entry.importId(),
                                entry.items() == null ? 0 : entry.items().size(), entry.published());
                    }
                    any = true;
                }
                out.flush();
                cursor = page.next();
            } while (cursor != null);
            if (options.json) {
                out.println(any ? " ]" : "[ ]");
            } else if (!any) {
                out.println("(the catalog is empty)");
            }
            return Ovaflow.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one entry's appliance.json.")
    static final class ShowEntry extends CommandOutput implements Callable<Integer> {
        @Mixin
        StoreOptions options;

        @Parameters(paramLabel = "ID", description = "vendor/product/version, or the importId that published it.")
        String id;

        @Override
        public Integer call() {
            Optional<ApplianceRecord> record = new CatalogReader(options.store(), options.buckets().catalog()).find(id);
            if (record.isEmpty()) {
                err().println("ovaflow: no catalog entry " + id);
                return Ovaflow.REJECTED;
            }
            out().println(new String(EventCodec.toPrettyJson(record.get()), StandardCharsets.UTF_8));
            return Ovaflow.OK;
        }
    }

    @Command(name = "retract", mixinStandardHelpOptions = true,
            description = "Withdraw an entry: kept, marked retracted, no longer offered (nor the latest of its product).")
    static final class RetractEntry extends CommandOutput implements Callable<Integer> {
        @Mixin
        StoreOptions options;

        @Parameters(paramLabel = "ID", description = "vendor/product/version, or the importId that published it.")
        String id;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why, recorded in appliance.json and the index.")
        String reason;

        @Override
        public Integer call() {
            // the pipeline's key when this machine has it: else the index is rewritten unsigned until run signs it again
            CatalogSigner signer = CatalogSigning.existing(options.connection.dataDir, options.properties)
                    .map(SigningKey::signer).orElse(null);
            int feedItems;
            try {
                feedItems = PublishModule.FEED_ITEMS.from(options.properties);
            } catch (IllegalArgumentException e) {
                err().println("ovaflow: " + e.getMessage());
                return Ovaflow.USAGE;
            }
            ObjectStore store = options.store();
            Optional<ApplianceRecord> record = new CatalogRetraction(store, CatalogWrites.to(store),
                    options.buckets().catalog(), Clock.systemUTC(), signer, feedItems).retract(id, reason);
            if (record.isEmpty()) {
                err().println("ovaflow: no catalog entry " + id);
                return Ovaflow.REJECTED;
            }
            ApplianceRecord retracted = record.get();
            if (options.json) {
                out().println(new String(EventCodec.toPrettyJson(retracted), StandardCharsets.UTF_8));
            } else {
                out().printf("retracted %s/%s/%s (import %s) at %s%s%n", retracted.vendor(), retracted.product(),
                        retracted.version(), retracted.provenance().importId(), retracted.retraction().at(),
                        retracted.retraction().reason() == null ? "" : ": " + retracted.retraction().reason());
            }
            return Ovaflow.OK;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check a catalog as a consumer would: every document's signature against a pinned key, "
                    + "the root's version and expiry, each document's size and sha256 as the root states them "
                    + "(--deep: every artifact's too). Exit 0 when everything holds, 1 with the failures.")
    static final class VerifyCatalog extends CommandOutput implements Callable<Integer> {
        @Mixin
        StoreOptions options;

        @Parameters(paramLabel = "LOCATION", description = "s3://BUCKET/ (through this machine's store settings) "
                + "or the http(s):// URL under which the catalog bucket's objects are served.")
        String location;

        @Option(names = "--key", paramLabel = "KEY.asc", required = true,
                description = "The publisher's public key (armored), pinned: nothing else is trusted.")
        Path key;

        @Option(names = "--deep", description = "Read every available version's artifacts and check their sha256.")
        boolean deep;

        @Option(names = "--state", paramLabel = "FILE",
                description = "Remembers the last version accepted from LOCATION: an older one is refused.")
        Path state;

        @Override
        public Integer call() throws IOException {
            SignatureVerifier pinned;
            try {
                pinned = SignatureVerifier.of(Files.readAllBytes(key));
            } catch (IllegalArgumentException e) {
                err().println("ovaflow: " + key + ": " + e.getMessage());
                return Ovaflow.USAGE;
            }
            CatalogVerifier.Source source;
            try {
                source = CatalogSources.of(location, options);
            } catch (IllegalArgumentException e) {
                err().println("ovaflow: " + e.getMessage());
                return Ovaflow.USAGE;
            }
            Properties seen = new Properties();
            if (state != null && Files.exists(state)) {
                try (var in = Files.newInputStream(state)) {
                    seen.load(in);
                }
            }
            String stateKey = source.describe("");
            Long lastSeen = null;
            if (seen.getProperty(stateKey) != null) {
                try {
                    lastSeen = Long.parseLong(seen.getProperty(stateKey).trim());
                } catch (NumberFormatException e) {
                    err().println("ovaflow: " + state + ": the version of " + stateKey + " is not a number: "
                            + seen.getProperty(stateKey));
                    return Ovaflow.USAGE;
                }
            }
            CatalogVerifier.Report report = new CatalogVerifier(source, pinned, Clock.systemUTC())
                    .verify(lastSeen, deep);
            if (report.ok() && state != null) {
                seen.setProperty(stateKey, Long.toString(report.version()));
                Path parent = state.toAbsolutePath().getParent();
                Path written = Files.createTempFile(parent, ".ovaflow-verify", ".tmp");
                try (var out = Files.newOutputStream(written)) {
                    seen.store(out, "ovaflow catalog verify: the last version accepted from each catalog");
                }
                Files.move(written, state, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            if (options.json) {
                out().println(new String(EventCodec.toPrettyJson(report), StandardCharsets.UTF_8));
            } else {
                for (CatalogVerifier.Failure failure : report.failures()) {
                    out().println("FAIL " + failure);
                }
                out().printf("%s %s: version %d, expires %s, %d documents%s%n", report.ok() ? "OK" : "FAILED",
                        source.describe(CatalogIndex.INDEX_JSON), report.version(), report.expires(),
                        report.documents(), deep ? ", " + report.artifacts() + " artifacts" : "");
            }
            return report.ok() ? Ovaflow.OK : Ovaflow.REJECTED;
        }
    }

    @Command(name = "follow", mixinStandardHelpOptions = true,
            description = {"Follow an upstream ovaflow catalog into this pipeline (a mirror): verify its signed index "
                    + "as verify does (a failure refuses the upstream: nothing is imported), put every available "
                    + "version not imported yet (its original OVA, role ova, checked against the index's sha256) "
                    + "into the incoming bucket, where this pipeline validates it for itself, and retract here what "
                    + "the upstream retracted.",
                    "Resumes after a stop and imports nothing twice: what it did is kept in --state. Once, or every "
                            + "--interval. Exit 0 when everything held, 1 when the upstream was refused or an "
                            + "import failed."})
    static final class FollowCatalog extends CommandOutput implements Callable<Integer> {
        @Mixin
        StoreOptions options;

        @Parameters(paramLabel = "LOCATION", description = "The upstream: the http(s):// URL under which its catalog "
                + "bucket's objects are served (no redirect is followed), or s3://BUCKET/ of this machine's store.")
        String location;

        @Option(names = "--key", paramLabel = "KEY.asc", required = true,
                description = "The upstream publisher's public key (armored), pinned: nothing else is trusted.")
        Path key;

        @Option(names = "--state", paramLabel = "FILE", description = "What was imported and retracted, and the last "
                + "root version accepted (default: <data-dir>/follow/<upstream's digest>.json).")
        Path state;

        @Option(names = "--interval", paramLabel = "DURATION",
                description = "Follow on: read the upstream again after this long (ISO-8601, e.g. PT5M); a refused "
                        + "upstream is reported and read again at the next round. Default: once.")
        Duration interval;

        @Override
        public Integer call() throws IOException {
            SignatureVerifier pinned;
            try {
                pinned = SignatureVerifier.of(Files.readAllBytes(key));
            } catch (IllegalArgumentException e) {
                err().println("ovaflow: " + key + ": " + e.getMessage());
                return Ovaflow.USAGE;
            }
            if (interval != null && (interval.isNegative() || interval.isZero())) {
                err().println("ovaflow: --interval must be positive, not " + interval);
                return Ovaflow.USAGE;
            }
            CatalogVerifier.Source source;
            Path file;
            try {
                source = CatalogSources.upstream(location, options);
                file = state != null ? state : options.connection.dataDir.resolve("follow")
                        .resolve(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(source.describe("").getBytes(StandardCharsets.UTF_8)), 0, 8) + ".json");
            } catch (IllegalArgumentException e) {
                err().println("ovaflow: " + e.getMessage());
                return Ovaflow.USAGE;
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("no SHA-256 in this JVM", e);
            }
            Path lockFile = file.toAbsolutePath().resolveSibling(file.getFileName() + ".lock");
            Files.createDirectories(lockFile.getParent());
            // one follower per state file: two would both import what neither had saved yet
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = tryLock(channel)) {
                if (lock == null) {
                    err().println("ovaflow: " + file + " is in use by another catalog follow");
                    return Ovaflow.USAGE;
                }
                FollowState followed;
                try {
                    followed = FollowState.load(file, source.describe(""));
                } catch (IllegalArgumentException e) {
                    err().println("ovaflow: " + e.getMessage());
                    return Ovaflow.USAGE;
                }
                return follow(source, pinned, followed);
            }
        }

        private static FileLock tryLock(FileChannel channel) throws IOException {
            try {
                return channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                return null; // held by this process already
            }
        }

        private Integer follow(CatalogVerifier.Source source, SignatureVerifier pinned, FollowState followed)
                throws IOException {
            CatalogSigner signer = CatalogSigning.existing(options.connection.dataDir, options.properties)
                    .map(SigningKey::signer).orElse(null);
            CatalogFollower follower = new CatalogFollower(source, pinned, options.store(),
                    options.buckets().incoming(), options.buckets().catalog(), signer, Clock.systemUTC());
            while (true) {
                CatalogFollower.Report report;
                try {
                    report = follower.follow(followed);
                } catch (IOException | RuntimeException e) {
                    if (interval == null) {
                        throw e;
                    }
                    err().println("ovaflow: following " + source.describe("") + " failed: " + e.getMessage());
                    report = null;
                }
                if (report != null) {
                    print(report, source);
                    if (interval == null) {
                        return report.ok() ? Ovaflow.OK : Ovaflow.REJECTED;
                    }
                }
                try {
                    Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Ovaflow.OK;
                }
            }
        }

        /** Texts from the upstream (a retraction's reason, a document's parse error) without terminal controls. */
        private static String printable(String text) {
            return text.replaceAll("\\p{Cntrl}", "?");
        }

        private void print(CatalogFollower.Report report, CatalogVerifier.Source source) {
            PrintWriter out = out();
            if (options.json) {
                out.println(new String(EventCodec.toPrettyJson(report), StandardCharsets.UTF_8));
                out.flush();
                return;
            }
            String root = source.describe(CatalogIndex.INDEX_JSON);
            if (report.refused()) {
                for (CatalogVerifier.Failure failure : report.failures()) {
                    out.println("FAIL " + printable(failure.toString()));
                }
                out.println("REFUSED " + root + ": nothing imported or retracted");
                out.flush();
                return;
            }
            for (CatalogFollower.Step step : report.steps()) {
                out.printf("%-9s  %-48s  %-24s  %s%n", step.outcome().name().toLowerCase(java.util.Locale.ROOT),
                        printable(step.id()), step.importId() == null ? "-" : step.importId(),
                        step.detail() == null ? "" : printable(step.detail()));
            }
            out.printf("%s %s: version %d, %d imported, %d retracted, %d adopted, %d skipped, %d pending, %d failed%n",
                    report.ok() ? "OK" : "FAILED", root, report.version(),
                    report.count(CatalogFollower.Outcome.IMPORTED), report.count(CatalogFollower.Outcome.RETRACTED),
                    report.count(CatalogFollower.Outcome.ADOPTED), report.count(CatalogFollower.Outcome.SKIPPED),
                    report.count(CatalogFollower.Outcome.PENDING), report.count(CatalogFollower.Outcome.FAILED));
            out.flush();
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Apply the retention policy (ovaflow.publish.retention.*, as given to run with -D, or the "
                    + "options below): prune the versions of each product it no longer keeps (out of the index, "
                    + "announced in the feeds; the latest available version never) and remove the files of those "
                    + "pruned longer than the grace period ago. The pipeline does the same every hour at most.")
    static final class PruneCatalog extends CommandOutput implements Callable<Integer> {
        @Mixin
        StoreOptions options;

        @Option(names = "--dry-run", description = "List what would be pruned and whose files removed; change nothing.")
        boolean dryRun;

        @Option(names = "--keep-versions", paramLabel = "N",
                description = "Keep the N latest available versions of each product (0: no limit by count).")
        String keepVersions;

        @Option(names = "--max-age", paramLabel = "DURATION",
                description = "Keep the versions published less than this long ago (90d, 12h, P90D).")
        String maxAge;

        @Option(names = "--grace", paramLabel = "DURATION",
                description = "How long a pruned version's files stay (default 7d; 0: at once).")
        String grace;

        /** What a run did (or, dry, would do): the versions pruned, the versions whose files were removed. */
        record Result(boolean dryRun, String policy, List<CatalogRetention.Candidate> pruned,
                      List<CatalogRetention.Pruned> removed) {
        }

        @Override
        public Integer call() {
            Map<String, String> properties = new HashMap<>(options.properties);
            putIfGiven(properties, PublishModule.RETENTION_KEEP_VERSIONS.key(), keepVersions);
            putIfGiven(properties, PublishModule.RETENTION_MAX_AGE.key(), maxAge);
            putIfGiven(properties, PublishModule.RETENTION_GRACE.key(), grace);
            RetentionPolicy policy;
            int feedItems;
            java.time.Duration expiry;
            try {
                policy = new RetentionPolicy(PublishModule.RETENTION_KEEP_VERSIONS.from(properties),
                        PublishModule.RETENTION_MAX_AGE.from(properties), PublishModule.RETENTION_GRACE.from(properties));
                feedItems = PublishModule.FEED_ITEMS.from(properties);
                expiry = PublishModule.INDEX_EXPIRY.from(properties);
            } catch (IllegalArgumentException e) {
                err().println("ovaflow: " + e.getMessage());
                return Ovaflow.USAGE;
            }
            ObjectStore store = options.store();
            String bucket = options.buckets().catalog();
            CatalogSigner signer = dryRun ? null : CatalogSigning.existing(options.connection.dataDir, options.properties)
                    .map(SigningKey::signer).orElse(null);
            CatalogIndex index = new CatalogIndex(store, CatalogWrites.to(store), bucket, signer, expiry,
                    Clock.systemUTC(), feedItems);
            CatalogRetention retention = new CatalogRetention(store, CatalogWrites.to(store), bucket, index, policy,
                    Clock.systemUTC());
            Result result;
            if (dryRun) {
                java.time.Instant now = java.time.Instant.now();
                result = new Result(true, policy.describe(), retention.plan(), retention.pending().stream()
                        .filter(p -> retention.due(p, now)).toList());
            } else {
                result = new Result(false, policy.describe(), retention.prune(), retention.purge());
            }
            if (options.json) {
                out().println(new String(EventCodec.toPrettyJson(result), StandardCharsets.UTF_8));
                return Ovaflow.OK;
            }
            String would = dryRun ? "would prune" : "pruned";
            for (CatalogRetention.Candidate candidate : result.pruned()) {
                out().printf("%s %s/%s/%s (%s, import %s, published %s)%n", would, candidate.vendor(),
                        candidate.product(), candidate.version(), candidate.state(), candidate.importId(),
                        candidate.published());
            }
            for (CatalogRetention.Pruned removed : result.removed()) {
                out().printf("%s the files of %s/%s/%s (import %s, pruned %s)%n", dryRun ? "would remove" : "removed",
                        removed.vendor(), removed.product(), removed.version(), removed.importId(), removed.prunedAt());
            }
            out().printf("%s%d version(s) %s, the files of %d removed (%s)%n", dryRun ? "dry run: " : "",
                    result.pruned().size(), dryRun ? "to prune" : "pruned", result.removed().size(), policy.describe());
            return Ovaflow.OK;
        }

        private static void putIfGiven(Map<String, String> properties, String key, String value) {
            if (value != null) {
                properties.put(key, value);
            }
        }
    }

    static void print(List<ApplianceRecord> records, PrintWriter out) {
        if (records.isEmpty()) {
            out.println("(the catalog is empty)");
            return;
        }
        out.printf("%-48s  %-9s  %-24s  %5s  %s%n", "ENTRY", "STATE", "IMPORT", "FILES", "SOURCE");
        for (ApplianceRecord record : records) {
            out.printf("%-48s  %-9s  %-24s  %5d  %s%n", record.vendor() + "/" + record.product() + "/" + record.version(),
                    record.state(), record.provenance().importId(), record.artifacts().size(),
                    record.provenance().source());
        }
    }

    private CatalogCommand() {
    }
}
