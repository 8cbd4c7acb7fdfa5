package org.ovaflow.publish.feed;

import org.jdom2.Document;
import org.jdom2.Element;
import org.jdom2.input.SAXBuilder;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.publish.catalog.ApplianceRecord;
import org.ovaflow.publish.catalog.CatalogIndex;
import org.ovaflow.publish.catalog.CatalogWrites;
import org.ovaflow.publish.catalog.FeedLog;

import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A catalog whose feeds' pages hold {@code pageItems} items, written through the index as publish and retraction
 * write it (appliance.json, marker, rebuild), and its feeds' pages read as the HTTP server serves them: by URL.
 */
final class FeedPages {

    static final CatalogLinks LINKS = new CatalogLinks("http://catalog.example");

    private final ObjectStore store;
    private final String bucket;
    private final CatalogIndex index;
    private final FeedLog log;
    private final CatalogFeeds feeds = new CatalogFeeds(LINKS);

    FeedPages(ObjectStore store, String bucket, int pageItems) {
        this.store = store;
        this.bucket = bucket;
        this.index = new CatalogIndex(store, CatalogWrites.to(store), bucket, null, CatalogIndex.DEFAULT_EXPIRY,
                Clock.systemUTC(), pageItems);
        this.log = new FeedLog(store, bucket);
    }

    /** Commits {@code records} (appliance.json, then marker) and rebuilds the index once for them. */
    void publish(List<ApplianceRecord> records) {
        for (ApplianceRecord record : records) {
            byte[] json = EventCodec.toPrettyJson(record);
            store.write(bucket, record.vendor() + "/" + record.product() + "/" + record.version() + "/appliance.json",
                    json, "application/json");
            index.mark(record, json);
        }
        index.rebuild(records.stream().map(ApplianceRecord::vendor).distinct().toList());
    }

    /** The page at {@code url} as the HTTP server renders it, empty when there is no such page. */
    Optional<byte[]> get(String url) {
        String path = url.substring((LINKS.baseUrl() + "/feeds/").length());
        int query = path.indexOf("?page=");
        Integer page = query < 0 ? null : Integer.parseInt(path.substring(query + "?page=".length()));
        path = query < 0 ? path : path.substring(0, query);
        int dot = path.lastIndexOf('.');
        FeedFormat format = FeedFormat.byExtension(path.substring(dot + 1)).orElseThrow();
        String[] parts = path.substring(0, dot).split("/");
        FeedScope scope = parts.length == 2 ? FeedScope.product(parts[0], parts[1])
                : parts[0].equals("catalog") ? FeedScope.catalog() : FeedScope.vendor(parts[0]);
        Optional<FeedLog.Page> found = page == null ? log.current(scope.vendor(), scope.product())
                : log.archive(scope.vendor(), scope.product(), page);
        return found.map(p -> feeds.page(scope, format, p));
    }

    /** The links of a page's feed (RSS: the channel's Atom links), by relation. */
    static Map<String, String> links(byte[] xml) throws Exception {
        SAXBuilder builder = new SAXBuilder();
        builder.setExpandEntities(false);
        Document document = builder.build(new ByteArrayInputStream(xml));
        Element root = document.getRootElement();
        Element parent = root.getName().equals("rss") ? root.getChild("channel") : root;
        Map<String, String> links = new LinkedHashMap<>();
        for (Element link : parent.getChildren()) {
            if (link.getName().equals("link") && CatalogFeeds.ATOM.equals(link.getNamespaceURI())) {
                links.put(link.getAttributeValue("rel"), link.getAttributeValue("href"));
            }
        }
        return links;
    }

    /** Whether a page says it is an archive page (RFC 5005's fh:archive). */
    static boolean archive(byte[] xml) throws Exception {
        SAXBuilder builder = new SAXBuilder();
        builder.setExpandEntities(false);
        Element root = builder.build(new ByteArrayInputStream(xml)).getRootElement();
        Element parent = root.getName().equals("rss") ? root.getChild("channel") : root;
        return parent.getChild("archive", CatalogFeeds.HISTORY) != null;
    }

    /** The pages of the feed at {@code current}, newest first, following prev-archive links. */
    List<byte[]> chain(String current) throws Exception {
        List<byte[]> pages = new ArrayList<>();
        String url = current;
        while (url != null) {
            byte[] page = get(url).orElseThrow(() -> new AssertionError("no page"));
            pages.add(page);
            url = links(page).get("prev-archive");
        }
        return pages;
    }

    static Instant at(int minute) {
        return Instant.parse("2026-03-01T00:00:00Z").plusSeconds(60L * minute);
    }
}
