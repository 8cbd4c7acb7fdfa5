package org.ovaflow.publish.feed;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;
import org.ovaflow.publish.catalog.ApplianceRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Python's feedparser reads every page of the bounded feeds, RSS and Atom, without complaint, sees the archive
 * pages as such and the links between pages, and following prev-archive from the feed finds every item once.
 */
class BoundedFeedsFeedparserIT {

    @RegisterExtension
    static final S3Server S3 = new S3Server();

    @TempDir
    Path dir;

    private final ObjectStore store = S3.store();
    private final String catalog = "feedparser-" + Long.toHexString(System.nanoTime());

    @Test
    void feedparserReadsEveryPageAndFollowsTheArchiveChainThroughEveryItemOnce() throws Exception {
        Feedparser feedparser = Feedparser.require(dir);
        store.ensureBuckets(List.of(catalog));
        FeedPages pages = new FeedPages(store, catalog, 3);
        Set<String> expected = new TreeSet<>();
        for (int batch = 0; batch < 4; batch++) {
            List<ApplianceRecord> records = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                int m = batch * 2 + i;
                records.add(FeedRecords.record("Acme <Corp>", m % 2 == 0 ? "Widget" : "Gadget & Co", "2." + m,
                        "imp-" + m, FeedPages.at(m), m == 3));
                expected.add("urn:ovaflow:import:imp-" + m);
            }
            pages.publish(records);
        }
        ApplianceRecord retracted = FeedRecords.record("Acme <Corp>", "Widget", "2.2", "imp-2", FeedPages.at(2), false)
                .retracted(FeedPages.at(60), "a <script> in the image");
        pages.publish(List.of(retracted));
        expected.add("urn:ovaflow:import:imp-2:retracted");

        for (FeedScope scope : List.of(FeedScope.catalog(), FeedScope.vendor(FeedRecords.slug("Acme <Corp>")))) {
            for (FeedFormat format : FeedFormat.values()) {
                String current = FeedPages.LINKS.feed(scope, format);
                List<byte[]> chain = pages.chain(current);
                List<Path> files = new ArrayList<>();
                for (int i = 0; i < chain.size(); i++) {
                    files.add(Files.write(dir.resolve(scope.path() + "-" + i + "." + format.extension()), chain.get(i)));
                }

                List<Feedparser.Page> read = feedparser.read(files);

                assertThat(read).hasSize(3); // 9 items, 3 a page: the feed full, sealed by the next item
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < read.size(); i++) {
                    Feedparser.Page page = read.get(i);
                    assertThat(page.bozo()).as("%s page %d: %s", current, i, page.error()).isFalse();
                    assertThat(page.version()).isEqualTo(format == FeedFormat.RSS ? "rss20" : "atom10");
                    assertThat(page.archive()).as("%s page %d", current, i).isEqualTo(i > 0);
                    Map<String, String> links = page.links();
                    int number = read.size() - 1 - i;
                    if (number > 0) {
                        assertThat(links).containsEntry("prev-archive", current + "?page=" + (number - 1));
                    } else {
                        assertThat(links).doesNotContainKey("prev-archive");
                    }
                    if (i > 0) {
                        assertThat(links).containsEntry("current", current);
                    }
                    ids.addAll(page.ids());
                }
                assertThat(ids).as(current).doesNotHaveDuplicates();
                assertThat(new TreeSet<>(ids)).as(current).isEqualTo(expected);
            }
        }
    }
}
