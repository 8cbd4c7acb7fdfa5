package org.ovaflow.publish.feed;

import com.rometools.rome.feed.synd.SyndEntry;
import com.rometools.rome.feed.synd.SyndFeed;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;
import org.ovaflow.publish.catalog.ApplianceRecord;
import org.ovaflow.publish.catalog.CatalogIndex;
import org.ovaflow.publish.catalog.CatalogWrites;
import org.ovaflow.publish.catalog.FeedLog;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bounded feeds: each page holds at most the configured number of items, older items are on RFC 5005 archive pages
 * linked by prev-archive (and back to the feed by current), which Rome reads, on which every item is exactly
 * once, and which a later publication does not change.
 */
class BoundedFeedsTest {

    @RegisterExtension
    static final S3Server S3 = new S3Server();

    private static final int PAGE = 4;

    private final ObjectStore store = S3.store();
    private final String catalog = "feeds-" + Long.toHexString(System.nanoTime());
    private final FeedPages pages = new FeedPages(store, catalog, PAGE);

    @BeforeEach
    void createCatalog() {
        store.ensureBuckets(List.of(catalog));
    }

    @Test
    void everyItemIsOnExactlyOnePageOfTheChainAndArchivePagesNeverChange() throws Exception {
        Set<String> expected = new TreeSet<>();
        List<ApplianceRecord> widgets = new ArrayList<>();
        int minute = 0;
        // 9 versions of two products, in batches of 1 to 3 (a batch's items in one drain)
        for (int batch = 0; batch < 5; batch++) {
            List<ApplianceRecord> records = new ArrayList<>();
            for (int i = 0; i <= batch % 3; i++) {
                minute++;
                String product = minute % 2 == 0 ? "Widget" : "Gadget";
                ApplianceRecord record = FeedRecords.record("Acme Corp", product, "1." + minute, "imp-" + minute,
                        FeedPages.at(minute), false);
                records.add(record);
                expected.add("urn:ovaflow:import:imp-" + minute);
                if (product.equals("Widget")) {
                    widgets.add(record);
                }
            }
            pages.publish(records);
        }
        // a retraction is news of its own
        ApplianceRecord retracted = widgets.get(0).retracted(FeedPages.at(100), "broken");
        pages.publish(List.of(retracted));
        expected.add("urn:ovaflow:import:" + retracted.provenance().importId() + ":retracted");
        assertThat(expected).hasSize(10);
        int last = minute;

        Map<String, byte[]> archives = new HashMap<>();
        for (FeedFormat format : FeedFormat.values()) {
            String current = FeedPages.LINKS.feed(FeedScope.catalog(), format);
            List<byte[]> chain = pages.chain(current);
            assertThat(chain).as("10 items, 4 a page").hasSize(3);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < chain.size(); i++) {
                byte[] page = chain.get(i);
                SyndFeed feed = CatalogFeedsTest.parse(page);
                assertThat(feed.getEntries()).hasSizeBetween(1, PAGE);
                feed.getEntries().stream().map(SyndEntry::getUri).forEach(ids::add);
                Map<String, String> links = FeedPages.links(page);
                int number = chain.size() - 1 - i;
                if (i == 0) {
                    assertThat(FeedPages.archive(page)).as("the feed itself is no archive page").isFalse();
                    assertThat(links).doesNotContainKeys("current", "next-archive");
                } else {
                    assertThat(feed.getEntries()).as("an archive page is full").hasSize(PAGE);
                    assertThat(FeedPages.archive(page)).isTrue();
                    assertThat(links).containsEntry("current", current)
                            .containsEntry("self", current + "?page=" + number);
                    assertThat(links).as("no next-archive: a page's bytes never change").doesNotContainKey("next-archive");
                    archives.put(current + "?page=" + number, page);
                }
                if (number > 0) {
                    assertThat(links).containsEntry("prev-archive", current + "?page=" + (number - 1));
                }
            }
            assertThat(ids).as("every item exactly once").doesNotHaveDuplicates();
            assertThat(new TreeSet<>(ids)).isEqualTo(expected);
            // newest first across the chain: the retraction, then the publications from the last
            assertThat(ids.get(0)).endsWith(":retracted");
            assertThat(ids.subList(1, ids.size())).containsExactlyElementsOf(
                    java.util.stream.IntStream.iterate(last, m -> m >= 1, m -> m - 1)
                            .mapToObj(m -> "urn:ovaflow:import:imp-" + m).toList());
        }

        // the product's own feed: its items only, chained the same way
        List<String> widgetIds = new ArrayList<>();
        for (byte[] page : pages.chain(FeedPages.LINKS.feed(FeedScope.product("acme-corp", "widget"), FeedFormat.RSS))) {
            CatalogFeedsTest.parse(page).getEntries().stream().map(SyndEntry::getUri).forEach(widgetIds::add);
        }
        assertThat(widgetIds).hasSize(widgets.size() + 1).doesNotHaveDuplicates();

        // more publications rewrite the feed's newest page, never an archive page
        List<ApplianceRecord> more = new ArrayList<>();
        for (int m = 10; m <= 18; m++) {
            more.add(FeedRecords.record("Acme Corp", "Gadget", "1." + m, "imp-" + m, FeedPages.at(m), false));
        }
        pages.publish(more);
        archives.forEach((url, bytes) -> assertThat(pages.get(url)).as(url).hasValueSatisfying(
                now -> assertThat(new String(now)).isEqualTo(new String(bytes))));
        List<String> all = new ArrayList<>();
        for (byte[] page : pages.chain(FeedPages.LINKS.feed(FeedScope.catalog(), FeedFormat.ATOM))) {
            CatalogFeedsTest.parse(page).getEntries().stream().map(SyndEntry::getUri).forEach(all::add);
        }
        assertThat(all).hasSize(19).doesNotHaveDuplicates();
    }

    @Test
    void aDrainDoneAgainAfterACrashTakesNoItemTwiceAndAnUnnamedPageIsNotServed() throws Exception {
        // the rebuild stops after its n-th feed write (the pending record, sealed pages, open pages)
        for (int crashAfter = 0; crashAfter < 6; crashAfter++) {
            String bucket = catalog + "-" + crashAfter;
            store.ensureBuckets(List.of(bucket));
            FeedPages before = new FeedPages(store, bucket, PAGE);
            List<ApplianceRecord> first = new ArrayList<>();
            for (int m = 1; m <= 3; m++) {
                first.add(FeedRecords.record("Acme Corp", "Gadget", "1." + m, "imp-" + m, FeedPages.at(m), false));
            }
            before.publish(first);

            java.util.concurrent.atomic.AtomicInteger limit = new java.util.concurrent.atomic.AtomicInteger(crashAfter);
            CatalogWrites crashing = new CatalogWrites() {
                private int feedWrites;

                @Override
                public void copy(String fromBucket, String fromKey, long size, String fromEtag, String toBucket,
                                 String toKey) {
                    store.copy(fromBucket, fromKey, size, fromEtag, toBucket, toKey);
                }

                @Override
                public String write(String b, String key, byte[] data, String contentType) {
                    if (key.startsWith(FeedLog.FOLDER) && feedWrites++ == limit.get()) {
                        throw new IllegalStateException("crash");
                    }
                    return store.write(b, key, data, contentType).etag();
                }

                @Override
                public void remove(String b, String key) {
                    store.remove(b, key);
                }
            };
            CatalogIndex crashingIndex = new CatalogIndex(store, crashing, bucket, null, CatalogIndex.DEFAULT_EXPIRY,
                    Clock.systemUTC(), PAGE);
            List<ApplianceRecord> second = new ArrayList<>();
            for (int m = 4; m <= 9; m++) {
                ApplianceRecord record = FeedRecords.record("Acme Corp", "Gadget", "1." + m, "imp-" + m,
                        FeedPages.at(m), false);
                byte[] json = EventCodec.toPrettyJson(record);
                store.write(bucket, "acme-corp/gadget/1." + m + "/appliance.json", json, "application/json");
                crashingIndex.mark(record, json);
                second.add(record);
            }
            try {
                crashingIndex.rebuild("acme-corp");
            } catch (IllegalStateException e) {
                // the crash
            }
            // whatever the crash left, every page a feed links to is there and holds no item twice
            List<String> seen = new ArrayList<>();
            for (byte[] page : before.chain(FeedPages.LINKS.feed(FeedScope.catalog(), FeedFormat.RSS))) {
                CatalogFeedsTest.parse(page).getEntries().stream().map(SyndEntry::getUri).forEach(seen::add);
            }
            assertThat(seen).as("after a crash after feed write %d", crashAfter).doesNotHaveDuplicates()
                    .contains("urn:ovaflow:import:imp-1", "urn:ovaflow:import:imp-2", "urn:ovaflow:import:imp-3");

            // the process's next rebuild (the batch delivered again, the timer) finishes the drain
            limit.set(-1);
            crashingIndex.rebuild("acme-corp");
            List<String> ids = new ArrayList<>();
            for (byte[] page : before.chain(FeedPages.LINKS.feed(FeedScope.catalog(), FeedFormat.RSS))) {
                CatalogFeedsTest.parse(page).getEntries().stream().map(SyndEntry::getUri).forEach(ids::add);
            }
            assertThat(ids).as("after a crash after feed write %d", crashAfter).hasSize(9).doesNotHaveDuplicates();
        }
    }
}
