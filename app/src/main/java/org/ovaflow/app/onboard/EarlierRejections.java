package org.ovaflow.app.onboard;

import org.ovaflow.core.event.CheckConcern;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.store.StoredObject;
import org.ovaflow.ingest.onboard.CatalogItem;
import org.ovaflow.ingest.onboard.Downloader;
import org.ovaflow.publish.quarantine.QuarantineReader;
import org.ovaflow.publish.quarantine.QuarantineStage;
import org.ovaflow.publish.quarantine.RejectionReport;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What the quarantine remembers of a catalog's items. A rejected OVA is moved out of the incoming bucket, so a
 * second onboarding would download it again; and the same bytes under the same name are the same import, which
 * ingest lets through once: the copy would lie in the incoming bucket with nothing ever reading it. Onboarding
 * asks here first, and reports an item rejected before as rejected, without downloading it.
 */
public final class EarlierRejections {

    private final ObjectStore store;
    private final String quarantineBucket;
    private final String incomingBucket;
    private final QuarantineReader reader;

    public EarlierRejections(ObjectStore store, String quarantineBucket, String incomingBucket) {
        this.store = store;
        this.quarantineBucket = quarantineBucket;
        this.incomingBucket = incomingBucket;
        this.reader = new QuarantineReader(store, quarantineBucket);
    }

    /**
     * The latest rejection of each of {@code items} that was quarantined from the incoming bucket under the item's
     * file name and whose held original is the item ({@link Downloader#isSame}: its sha256, else its URL, which the
     * copy into quarantine keeps as user metadata), by item id. One listing of the quarantine bucket; a report and
     * a HEAD only for an original of the same file name.
     */
    public Map<String, RejectionReport> of(Collection<CatalogItem> items) {
        Map<String, List<CatalogItem>> byFileName = items.stream()
                .collect(Collectors.groupingBy(CatalogItem::fileName));
        Map<String, RejectionReport> found = new HashMap<>();
        for (ObjectInfo held : store.list(quarantineBucket, "")) {
            // an original is held as <importId>/<its file name>; the catalog's file names are plain .ova names
            int slash = held.key().indexOf('/');
            if (slash < 0 || held.key().indexOf('/', slash + 1) >= 0) {
                continue;
            }
            List<CatalogItem> named = byFileName.get(held.key().substring(slash + 1));
            if (named == null || held.key().endsWith("/" + QuarantineStage.REPORT_JSON)) {
                continue;
            }
            String importId = held.key().substring(0, slash);
            String source = "s3://" + incomingBucket + "/" + held.key().substring(slash + 1);
            // quarantined from the incoming bucket's top level, as onboarding uploads (a release's copy is not)
            Optional<RejectionReport> report = reader.find(importId)
                    .filter(r -> Objects.equals(r.source(), source)
                            && Objects.equals(r.quarantinedAs(), quarantineBucket + "/" + held.key()));
            if (report.isEmpty()) {
                continue;
            }
            Optional<StoredObject> original = store.describe(quarantineBucket, held.key());
            for (CatalogItem item : named) {
                if (original.isPresent() && Downloader.isSame(item, original.get())) {
                    found.merge(item.id(), report.get(), EarlierRejections::later);
                }
            }
        }
        return found;
    }

    /** The rejection of import {@code importId}, when the quarantine has one. */
    public Optional<RejectionReport> ofImport(String importId) {
        return reader.find(importId);
    }

    /** Why {@code report} rejected the import, as the quarantine stage's status says it. */
    public static String reasons(RejectionReport report) {
        List<CheckConcern> failed = report.failed() == null ? List.of() : report.failed();
        return failed.isEmpty() ? "no failed check recorded"
                : failed.stream().map(CheckConcern::where).collect(Collectors.joining("; "));
    }

    private static RejectionReport later(RejectionReport a, RejectionReport b) {
        Comparator<RejectionReport> byTime = Comparator.comparing(r -> r.rejectedAt() == null ? Instant.EPOCH
                : r.rejectedAt());
        return byTime.compare(a, b) >= 0 ? a : b;
    }
}
