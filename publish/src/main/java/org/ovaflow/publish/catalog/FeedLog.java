package org.ovaflow.publish.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The history the catalog's feeds show, in the catalog bucket under {@value #FOLDER}: one log per feed (the whole
 * catalog, each vendor, each product), each a chain of pages of at most {@code pageItems} items in the order they
 * were announced. A log's open page, {@code <log>/current.json}, is what the feed's own URL shows and what a
 * publication rewrites; once full, the next item seals it as {@code <log>/archive/<n>.json} (an RFC 5005 archive
 * page, linked from the newer pages by {@code prev-archive}), which nothing rewrites once the open page names a later
 * page: a publication writes the open page, never the history.
 *
 * <p>An item is an event of a version: published, retracted, pruned (by the retention policy). The index's rebuild
 * finds them (a product's document compared with the one it replaces) and announces them before it writes the root:
 * one pending record under {@value #PENDING} per round, so that a crash between the root and the feeds loses no
 * item. Pending records are then drained into the logs, oldest first, by one rebuild at a time (the one that finds
 * no other rebuild pending in the index's journal, see {@link CatalogIndex}); a drain cut short is done again, and
 * an item already in its log (by id, among the last {@code 2 × pageItems} it took) is not taken twice. A sealed
 * page is written before the open page that names it: until then it is nobody's archive, and written again.
 */
public final class FeedLog {

    public static final String FOLDER = ".feeds/";
    static final String PENDING = FOLDER + ".pending/";
    public static final String FORMAT = "ovaflow-feed:1";
    /** Items of a feed's page unless configured ({@code ovaflow.publish.feed-items}). */
    public static final int DEFAULT_PAGE_ITEMS = 50;
    public static final String PUBLISHED = "published";
    public static final String RETRACTED = "retracted";
    public static final String PRUNED = "pruned";
    /** More than any page or pending record of ours: what is larger is not read. */
    private static final int MAX_BYTES = 64 * 1024 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Items in one pending record at most. */
    static final int PENDING_ITEMS = 500;
    /** Pending records a drain takes into the logs at once: a bounded number of items in memory. */
    private static final int DRAINED_RECORDS = 20;

    private final ObjectStore store;
    private final CatalogWrites writes;
    private final String bucket;
    private final int pageItems;

    public FeedLog(ObjectStore store, CatalogWrites writes, String bucket, int pageItems) {
        if (pageItems < 1) {
            throw new IllegalArgumentException("a feed's page holds at least one item, not " + pageItems);
        }
        this.store = store;
        this.writes = writes;
        this.bucket = bucket;
        this.pageItems = pageItems;
    }

    public FeedLog(ObjectStore store, String bucket) {
        this(store, CatalogWrites.to(store), bucket, DEFAULT_PAGE_ITEMS);
    }

    /**
     * An event of a version, as its feed item shows it.
     *
     * @param id     {@code <kind>:<importId>}: the same event found twice is one item
     * @param kind   {@value #PUBLISHED}, {@value #RETRACTED} or {@value #PRUNED}
     * @param at     when it happened (the publication, the retraction, the pruning)
     * @param record the entry as it was then
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Item(String id, String kind, Instant at, ApplianceRecord record) {

        /**
         * The event {@code kind} of {@code record} (as its appliance.json says after it), null without a time. The
         * record without its checks and signer, which no item shows: a page is rewritten at every publication.
         */
        public static Item of(String kind, ApplianceRecord record) {
            ApplianceRecord.Provenance p = record.provenance();
            Instant at = PUBLISHED.equals(kind) ? p.publishedAt()
                    : record.retraction() == null ? null : record.retraction().at();
            if (at == null) {
                return null;
            }
            return new Item(kind + ":" + p.importId(), kind, at, record.withoutChecks());
        }
    }

    /**
     * A page of a log as stored: its number, its items oldest first; the open page also lists the ids of the items
     * lately taken ({@code recent}), which a drain done again skips.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Stored(String format, String log, int page, List<Item> items, List<String> recent) {
    }

    /**
     * A page as a feed shows it: its number, the number of the log's open page ({@code open}: this is an archive
     * page when {@code page < open}), its items oldest first.
     */
    public record Page(int page, int open, List<Item> items) {
        public boolean archive() {
            return page < open;
        }
    }

    /** The pending record of one round of announcements. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Pending(String format, List<Item> items) {
    }

    /** The log of the whole catalog, a vendor's ({@code product} null) or a product's ({@code vendor} null: all). */
    public static String log(String vendor, String product) {
        if (vendor == null) {
            return "all";
        }
        return product == null ? "vendor/" + vendor : "product/" + vendor + "/" + product;
    }

    private static String current(String log) {
        return FOLDER + log + "/current.json";
    }

    private static String archive(String log, int page) {
        return FOLDER + log + "/archive/" + page + ".json";
    }

    /**
     * Records {@code items} as pending, before the root that shows their versions' change is written: one record,
     * or one per {@value #PENDING_ITEMS} items (a catalog's first rebuild announces every version it has).
     */
    void announce(List<Item> items) {
        for (int from = 0; from < items.size(); from += PENDING_ITEMS) {
            byte[] random = new byte[6];
            RANDOM.nextBytes(random);
            String key = PENDING + String.format("%013d", System.currentTimeMillis()) + "-"
                    + HexFormat.of().formatHex(random) + ".json";
            List<Item> chunk = items.subList(from, Math.min(items.size(), from + PENDING_ITEMS));
            writes.write(bucket, key, EventCodec.toJson(new Pending(FORMAT, List.copyOf(chunk))), "application/json");
        }
    }

    /**
     * Takes every pending item into its logs (the catalog's, its vendor's, its product's), oldest first, then
     * removes the pending records taken. Only one drain at a time may run on a catalog (the caller sees to it).
     */
    void drain() {
        List<ObjectInfo> pending = store.list(bucket, PENDING);
        // in the order they were announced (their keys begin with the time), a bounded number of items at a time
        for (int from = 0; from < pending.size(); from += DRAINED_RECORDS) {
            drain(pending.subList(from, Math.min(pending.size(), from + DRAINED_RECORDS)));
        }
    }

    private void drain(List<ObjectInfo> pending) {
        List<Item> items = new ArrayList<>();
        List<String> taken = new ArrayList<>();
        for (ObjectInfo record : pending) {
            Optional<Pending> read = read(record.key(), Pending.class);
            taken.add(record.key());
            read.filter(p -> p.items() != null).ifPresent(p -> p.items().stream()
                    .filter(i -> i != null && i.id() != null && i.at() != null && i.record() != null)
                    .forEach(items::add));
        }
        items.sort(Comparator.comparing(Item::at).thenComparing(Item::id));
        Map<String, List<Item>> byLog = new LinkedHashMap<>();
        for (Item item : items) {
            String vendor = item.record().vendor();
            String product = item.record().product();
            for (String log : List.of(log(null, null), log(vendor, null), log(vendor, product))) {
                byLog.computeIfAbsent(log, l -> new ArrayList<>()).add(item);
            }
        }
        byLog.forEach(this::append);
        writes.removeAll(bucket, taken);
    }

    private void append(String log, List<Item> items) {
        Stored open = read(current(log), Stored.class).filter(s -> FORMAT.equals(s.format()) && s.items() != null)
                .orElse(new Stored(FORMAT, log, 0, List.of(), List.of()));
        Set<String> seen = new LinkedHashSet<>(open.recent() == null ? List.of() : open.recent());
        open.items().forEach(i -> seen.add(i.id()));
        List<Item> page = new ArrayList<>(open.items());
        boolean added = false;
        for (Item item : items) {
            if (seen.add(item.id())) {
                page.add(item);
                added = true;
            }
        }
        if (!added) {
            return;
        }
        int number = open.page();
        while (page.size() > pageItems) {
            // sealed before the open page names it: until then no feed links to it, and a drain done again rewrites it
            writes.write(bucket, archive(log, number), EventCodec.toJson(new Stored(FORMAT, log, number,
                    List.copyOf(page.subList(0, pageItems)), null)), "application/json");
            page = new ArrayList<>(page.subList(pageItems, page.size()));
            number++;
        }
        List<String> recent = new ArrayList<>(seen);
        recent = List.copyOf(recent.subList(Math.max(0, recent.size() - 2 * pageItems), recent.size()));
        writes.write(bucket, current(log), EventCodec.toJson(new Stored(FORMAT, log, number, page, recent)),
                "application/json");
    }

    /** The open page of {@code log}, empty when it has none (nothing was ever announced in it). */
    public Optional<Page> current(String vendor, String product) {
        return read(current(log(vendor, product)), Stored.class)
                .filter(s -> FORMAT.equals(s.format()) && s.items() != null && s.page() >= 0)
                .map(s -> new Page(s.page(), s.page(), s.items()));
    }

    /** Archive page {@code page} of the log, empty unless its open page already names it (a later page is open). */
    public Optional<Page> archive(String vendor, String product, int page) {
        Optional<Page> open = current(vendor, product);
        if (open.isEmpty() || page < 0 || page >= open.get().open()) {
            return Optional.empty();
        }
        return read(archive(log(vendor, product), page), Stored.class)
                .filter(s -> FORMAT.equals(s.format()) && s.items() != null && s.page() == page)
                .map(s -> new Page(page, open.get().open(), s.items()));
    }

    /**
     * What {@code key} holds, empty when it is not there, or is too large or not JSON of this shape (not ours); a
     * failure to read it is an error, never taken for an absent page, which would restart the log over its history.
     */
    private <T> Optional<T> read(String key, Class<T> type) {
        try (InputStream in = store.read(bucket, key)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                return Optional.empty();
            }
            return Optional.of(EventCodec.JSON.readValue(bytes, type));
        } catch (ObjectGoneException e) {
            return Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read s3://" + bucket + "/" + key, e);
        }
    }
}
