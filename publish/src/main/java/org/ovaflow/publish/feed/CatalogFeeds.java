package org.ovaflow.publish.feed;

import com.rometools.rome.feed.synd.SyndContent;
import com.rometools.rome.feed.synd.SyndContentImpl;
import com.rometools.rome.feed.synd.SyndEnclosure;
import com.rometools.rome.feed.synd.SyndEnclosureImpl;
import com.rometools.rome.feed.synd.SyndEntry;
import com.rometools.rome.feed.synd.SyndEntryImpl;
import com.rometools.rome.feed.synd.SyndFeed;
import com.rometools.rome.feed.synd.SyndFeedImpl;
import com.rometools.rome.feed.synd.SyndLink;
import com.rometools.rome.feed.synd.SyndLinkImpl;
import com.rometools.rome.io.FeedException;
import com.rometools.rome.io.WireFeedOutput;
import org.jdom2.Document;
import org.jdom2.Element;
import org.jdom2.Namespace;
import org.jdom2.output.Format;
import org.jdom2.output.LineSeparator;
import org.jdom2.output.XMLOutputter;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.publish.catalog.ApplianceRecord;
import org.ovaflow.publish.catalog.FeedLog;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The catalog's VMcast feeds (RSS 2.0 and Atom 1.0, written by Rome): for the whole catalog, one vendor or one
 * product, one item per published or retracted version, newest first. Built from the committed entries
 * (appliance.json), so a feed never shows a half-published version. An item carries the release notes, a link
 * to the entry's JSON, a EULA link when the descriptor has one, an enclosure per artifact (pointing at the
 * HTTP server's download redirect) and, in {@link FeedMarkup}'s namespace, each artifact's sha256. Every text
 * from a descriptor is cleaned and escaped ({@link FeedText}): the feed stays well-formed and inert.
 */
public final class CatalogFeeds {

    private static final Comparator<ApplianceRecord> NEWEST_FIRST = Comparator
            .comparing(CatalogFeeds::itemDate).reversed()
            .thenComparing(r -> r.provenance() == null ? "" : Objects.toString(r.provenance().importId(), ""));

    private final CatalogLinks links;

    public CatalogFeeds(CatalogLinks links) {
        this.links = links;
    }

    /**
     * The feed of {@code scope} over {@code records} (the catalog as {@code CatalogReader.list()} reads it) as XML,
     * or empty when a vendor or product scope matches no entry (it does not exist).
     */
    public Optional<byte[]> xml(FeedScope scope, FeedFormat format, List<ApplianceRecord> records) {
        List<ApplianceRecord> matching = records.stream().filter(scope::includes).sorted(NEWEST_FIRST).toList();
        if (matching.isEmpty() && scope.vendor() != null) {
            return Optional.empty();
        }
        return Optional.of(write(feed(scope, format, matching), format));
    }

    /**
     * A page of the feed of {@code scope} as its log holds it ({@link FeedLog}): the open page is the feed itself (at
     * the feed's URL), an earlier one an RFC 5005 archive page ({@code ?page=N}, marked {@code fh:archive}), each
     * item an event (published, retracted, pruned) newest first. Every page links the archive page before it
     * ({@code prev-archive}); an archive page links the feed ({@code current}). No {@code next-archive} (RFC 5005
     * does not require it): the newest archive page would gain one when the next is sealed, and an archive page's
     * bytes, and so its signature, never change.
     */
    public byte[] page(FeedScope scope, FeedFormat format, FeedLog.Page page) {
        List<FeedLog.Item> items = new ArrayList<>(page.items());
        Collections.reverse(items);
        List<ApplianceRecord> records = items.stream().map(FeedLog.Item::record).toList();
        SyndFeed feed = feed(scope, format, records, items.stream().map(this::entry).toList(),
                items.isEmpty() ? Instant.EPOCH : items.get(0).at());
        String current = links.feed(scope, format);
        List<SyndLink> history = new ArrayList<>();
        if (page.archive()) {
            history.add(link("current", current, format.mediaType()));
        }
        if (page.page() > 0) {
            history.add(link("prev-archive", archive(current, page.page() - 1), format.mediaType()));
        }
        String self = page.archive() ? archive(current, page.page()) : current;
        return write(feed, format, self, history, page.archive());
    }

    /** The URL of archive page {@code page} of the feed at {@code current}. */
    static String archive(String current, int page) {
        return current + "?page=" + page;
    }

    /** The feed of {@code scope} over {@code records}, which must already be the scope's, newest first. */
    SyndFeed feed(FeedScope scope, FeedFormat format, List<ApplianceRecord> records) {
        return feed(scope, format, records, records.stream().map(this::entry).toList(),
                records.isEmpty() ? Instant.EPOCH : itemDate(records.get(0)));
    }

    private SyndFeed feed(FeedScope scope, FeedFormat format, List<ApplianceRecord> records, List<SyndEntry> entries,
                          Instant date) {
        SyndFeed feed = new SyndFeedImpl();
        feed.setFeedType(format.romeType());
        String about = scope.vendor() == null ? "the ovaflow catalog" : scopeName(scope, records);
        feed.setTitle(scope.vendor() == null ? "ovaflow catalog" : "ovaflow catalog: " + about);
        feed.setDescription("Appliances published and retracted in " + about + ", newest first");
        feed.setUri(scope.id());
        feed.setLink(links.catalog());
        feed.setLinks(List.of(link("self", links.feed(scope, format), format.mediaType()),
                link("alternate", links.catalog(), "application/json")));
        feed.setAuthor("ovaflow");
        feed.setLanguage("en");
        // an empty catalog has no date of its own: a fixed one keeps the feed the same from one request to the next
        feed.setPublishedDate(Date.from(date));
        feed.setEntries(entries);
        return feed;
    }

    /**
     * An event's item: a publication as the version was published, a retraction or a pruning as the version then
     * was, each with its own id ({@code urn:ovaflow:import:<importId>}, with {@code :retracted} or {@code :pruned}
     * appended), so that a reader shows a retraction as news rather than an edit of the publication it may not have
     * kept.
     */
    private SyndEntry entry(FeedLog.Item item) {
        SyndEntry entry = entry(item.record());
        Date date = Date.from(item.at());
        entry.setPublishedDate(date);
        entry.setUpdatedDate(date);
        if (!FeedLog.PUBLISHED.equals(item.kind())) {
            entry.setUri(entry.getUri() + ":" + item.kind());
        }
        return entry;
    }

    private SyndEntry entry(ApplianceRecord record) {
        ApplianceMetadata appliance = record.appliance();
        boolean retracted = !record.available();
        boolean pruned = record.pruned();
        SyndEntry entry = new SyndEntryImpl();
        // each part cut on its own: a huge product name must not push the version and vendor out of the title
        String title = FeedText.title(product(record), 120) + " " + FeedText.title(version(record), 40) + " ("
                + FeedText.title(vendor(record), 80) + ")";
        entry.setTitle(pruned ? "Pruned: " + title : retracted ? "Retracted: " + title : title);
        entry.setUri("urn:ovaflow:import:" + CatalogLinks.segment(importId(record)));
        entry.setLink(links.entry(record));
        entry.setAuthor(FeedText.title(vendor(record), FeedText.MAX_NAME));
        Date date = Date.from(itemDate(record));
        entry.setPublishedDate(date);
        entry.setUpdatedDate(date);

        Optional<ApplianceRecord.Artifact> eula = appliance != null && appliance.hasEula()
                ? descriptor(record) : Optional.empty();
        // a retracted version's files answer 410 Gone, its descriptor (the EULA) among them: the notes link none
        entry.setDescription(html(releaseNotes(record, retracted ? Optional.empty()
                : eula.map(d -> links.download(record, d)))));

        List<SyndLink> entryLinks = new ArrayList<>(List.of(link("alternate", links.entry(record), "application/json")));
        List<Element> markup = new ArrayList<>();
        List<SyndEnclosure> enclosures = new ArrayList<>();
        for (ApplianceRecord.Artifact artifact : record.artifacts()) {
            // a retracted version is announced, not offered: its files are named (with their digests) but not linked
            String url = retracted ? null : links.download(record, artifact);
            markup.add(FeedMarkup.artifact(artifact, url));
            if (url != null) {
                SyndEnclosure enclosure = new SyndEnclosureImpl();
                enclosure.setUrl(url);
                enclosure.setLength(artifact.size());
                enclosure.setType(ArtifactTypes.of(artifact));
                enclosures.add(enclosure);
            }
        }
        if (eula.isPresent() && !retracted) {
            String url = links.download(record, eula.get());
            entryLinks.add(link("license", url, ArtifactTypes.DESCRIPTOR)); // RFC 4946
            markup.add(FeedMarkup.eula(url));
        }
        if (pruned && record.retraction() != null) {
            markup.add(FeedMarkup.pruning(record.retraction().at(), record.retraction().reason()));
        } else if (retracted && record.retraction() != null) {
            markup.add(FeedMarkup.retraction(record.retraction().at(), record.retraction().reason()));
        }
        entry.setLinks(entryLinks);
        entry.setEnclosures(enclosures);
        entry.setForeignMarkup(markup);
        return entry;
    }

    /**
     * The release notes, as HTML built here with every value escaped: the appliance's name, its annotation
     * (the descriptor's AnnotationSection), full version, product URL and guest OS, the EULA link ({@code eulaUrl},
     * empty for a retracted version, whose EULA is then said to be withdrawn with its files) and, for a retracted
     * version, when and why.
     */
    private static String releaseNotes(ApplianceRecord record, Optional<String> eulaUrl) {
        ApplianceMetadata appliance = record.appliance();
        StringBuilder html = new StringBuilder();
        if (record.pruned()) {
            html.append("<p><strong>Pruned</strong>");
            if (record.retraction() != null && record.retraction().at() != null) {
                html.append(" on ").append(record.retraction().at());
            }
            html.append(" by the catalog's retention policy: no longer in the index, its files removed after a grace "
                    + "period");
            if (record.retraction() != null && record.retraction().reason() != null) {
                html.append(" (").append(FeedText.html(record.retraction().reason(), FeedText.MAX_TEXT)).append(")");
            }
            html.append("</p>");
        } else if (record.retraction() != null && !record.available()) {
            html.append("<p><strong>Retracted</strong>");
            if (record.retraction().at() != null) {
                html.append(" on ").append(record.retraction().at());
            }
            html.append(": ").append(FeedText.html(Objects.toString(record.retraction().reason(), "no reason given"),
                    FeedText.MAX_TEXT)).append("</p>");
        } else if (!record.available()) {
            html.append("<p><strong>Retracted</strong></p>");
        }
        if (appliance != null && appliance.name() != null && !appliance.name().isBlank()) {
            html.append("<p>").append(FeedText.html(appliance.name(), FeedText.MAX_NAME)).append("</p>");
        }
        if (appliance != null && appliance.annotation() != null && !appliance.annotation().isBlank()) {
            html.append("<p>").append(FeedText.html(appliance.annotation(), FeedText.MAX_TEXT)).append("</p>");
        }
        html.append("<p>Version ").append(FeedText.html(appliance != null && appliance.fullVersion() != null
                ? appliance.fullVersion() : version(record), FeedText.MAX_NAME)).append("</p>");
        if (appliance != null && appliance.productUrl() != null) {
            html.append("<p>Product page: ").append(webLink(appliance.productUrl())).append("</p>");
        }
        Set<String> systems = new LinkedHashSet<>();
        if (appliance != null) {
            appliance.virtualSystems().stream().map(ApplianceMetadata.VirtualSystem::osDescription)
                    .filter(os -> os != null && !os.isBlank()).forEach(systems::add);
        }
        if (!systems.isEmpty()) {
            html.append("<p>Guest OS: ").append(FeedText.html(String.join("; ", systems), FeedText.MAX_TEXT))
                    .append("</p>");
        }
        eulaUrl.ifPresent(url -> html.append("<p>License agreement (EULA): in the <a href=\"")
                .append(FeedText.html(url, Integer.MAX_VALUE)).append("\">descriptor</a>; accept it before use.</p>"));
        if (eulaUrl.isEmpty() && !record.available() && appliance != null && appliance.hasEula()) {
            html.append("<p>License agreement (EULA): in the descriptor, withdrawn with the version's files.</p>");
        }
        return html.toString();
    }

    /** An http(s) URL as a link, anything else (javascript:, data:, a broken URL) as text. */
    private static String webLink(String url) {
        String cleaned = FeedText.clean(url, FeedText.MAX_TEXT);
        try {
            URI uri = new URI(cleaned);
            if (("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null) {
                String escaped = FeedText.html(uri.toASCIIString(), Integer.MAX_VALUE);
                return "<a href=\"" + escaped + "\">" + FeedText.html(cleaned, FeedText.MAX_NAME) + "</a>";
            }
        } catch (URISyntaxException e) {
            // not a URL: shown as the text it is
        }
        return FeedText.html(cleaned, FeedText.MAX_NAME);
    }

    /** The descriptor the EULA is read from: the package's own, else the first of a target. */
    private static Optional<ApplianceRecord.Artifact> descriptor(ApplianceRecord record) {
        return record.artifacts().stream()
                .filter(a -> "descriptor".equals(a.role()) || a.name().toLowerCase(Locale.ROOT).endsWith(".ovf"))
                .min(Comparator.comparing(a -> a.target() == null ? 0 : 1));
    }

    private static String scopeName(FeedScope scope, List<ApplianceRecord> records) {
        if (records.isEmpty()) {
            return scope.path();
        }
        ApplianceRecord newest = records.get(0);
        return scope.product() == null ? FeedText.title(vendor(newest), FeedText.MAX_NAME)
                : FeedText.title(vendor(newest), 80) + " " + FeedText.title(product(newest), 120);
    }

    /** When the item last changed: its retraction, else its publication. */
    static Instant itemDate(ApplianceRecord record) {
        if (!record.available() && record.retraction() != null && record.retraction().at() != null) {
            return record.retraction().at();
        }
        ApplianceRecord.Provenance provenance = record.provenance();
        if (provenance != null && provenance.publishedAt() != null) {
            return provenance.publishedAt();
        }
        return provenance != null && provenance.arrivedAt() != null ? provenance.arrivedAt() : Instant.EPOCH;
    }

    private static String vendor(ApplianceRecord record) {
        return firstNonBlank(record.appliance() == null ? null : record.appliance().vendor(), record.vendor());
    }

    private static String product(ApplianceRecord record) {
        ApplianceMetadata appliance = record.appliance();
        return firstNonBlank(appliance == null ? null : appliance.product(), appliance == null ? null : appliance.name(),
                record.product());
    }

    private static String version(ApplianceRecord record) {
        return firstNonBlank(record.appliance() == null ? null : record.appliance().version(), record.version());
    }

    private static String importId(ApplianceRecord record) {
        return record.provenance() == null || record.provenance().importId() == null
                ? record.vendor() + "/" + record.product() + "/" + record.version()
                : record.provenance().importId();
    }

    private static String firstNonBlank(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null && !FeedText.clean(candidate, 1).isEmpty()) {
                return candidate;
            }
        }
        return "";
    }

    /** Atom's namespace, for its links in RSS. */
    static final String ATOM = "http://www.w3.org/2005/Atom";
    /** RFC 5005's namespace ({@code fh:archive}). */
    public static final Namespace HISTORY = Namespace.getNamespace("fh", "http://purl.org/syndication/history/1.0");

    /** The index of the first item of a feed's (RSS: channel's) content, -1 when it has none. */
    private static int firstItem(Element parent, FeedFormat format) {
        String name = format == FeedFormat.RSS ? "item" : "entry";
        for (int i = 0; i < parent.getContentSize(); i++) {
            if (parent.getContent(i) instanceof Element element && element.getName().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static SyndContent html(String html) {
        SyndContent content = new SyndContentImpl();
        content.setType("text/html");
        content.setValue(html);
        return content;
    }

    private static SyndLink link(String rel, String href, String type) {
        SyndLink link = new SyndLinkImpl();
        link.setRel(rel);
        link.setHref(href);
        link.setType(type);
        return link;
    }

    /** Serialises with ovaflow's namespace declared once on the root, not on every element that uses it. */
    static byte[] write(SyndFeed feed, FeedFormat format) {
        return write(feed, format, null, List.of(), false);
    }

    /**
     * Serialises with ovaflow's namespace declared once on the root and, for a page of a log, its links to the other
     * pages ({@code self} null: none) and, for an archive page, RFC 5005's {@code fh:archive}: Atom links in the
     * feed, Atom links in the channel of RSS (RFC 5005 appendix B), which Rome's RSS writer has no place for.
     */
    static byte[] write(SyndFeed feed, FeedFormat format, String self, List<SyndLink> history, boolean archive) {
        try {
            Document document = new WireFeedOutput().outputJDom(feed.createWireFeed(format.romeType()));
            document.getRootElement().addNamespaceDeclaration(FeedMarkup.NAMESPACE);
            if (self != null) {
                Element root = document.getRootElement();
                Element parent = format == FeedFormat.RSS ? root.getChild("channel") : root;
                Namespace atom = Namespace.getNamespace("atom", ATOM);
                if (format == FeedFormat.RSS) {
                    root.addNamespaceDeclaration(atom);
                } else {
                    // the page's own URL, not the feed's, for an archive page
                    parent.getChildren("link", root.getNamespace()).stream()
                            .filter(l -> "self".equals(l.getAttributeValue("rel")))
                            .forEach(l -> l.setAttribute("href", self));
                }
                List<SyndLink> links = new ArrayList<>(history);
                if (format == FeedFormat.RSS) {
                    links.add(0, link("self", self, format.mediaType()));
                }
                for (SyndLink link : links) {
                    Element element = new Element("link", format == FeedFormat.RSS ? atom : root.getNamespace());
                    element.setAttribute("rel", link.getRel());
                    element.setAttribute("href", link.getHref());
                    element.setAttribute("type", link.getType());
                    // before the items: RSS readers expect the channel's elements first
                    int first = firstItem(parent, format);
                    parent.addContent(first < 0 ? parent.getContentSize() : first, element);
                }
                if (archive) {
                    root.addNamespaceDeclaration(HISTORY);
                    int first = firstItem(parent, format);
                    Element marker = new Element("archive", HISTORY);
                    parent.addContent(first < 0 ? parent.getContentSize() : first, marker);
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new XMLOutputter(Format.getPrettyFormat().setEncoding("UTF-8").setLineSeparator(LineSeparator.UNIX)).output(document, out);
            return out.toByteArray();
        } catch (FeedException e) {
            throw new IllegalStateException("Rome cannot write the " + format + " feed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
