package org.ovaflow.ingest.onboard;

import com.rometools.rome.feed.synd.SyndEnclosure;
import com.rometools.rome.feed.synd.SyndEntry;
import com.rometools.rome.feed.synd.SyndFeed;
import com.rometools.rome.io.FeedException;
import com.rometools.rome.io.SyndFeedInput;
import org.jdom2.Attribute;
import org.jdom2.Element;
import org.xml.sax.InputSource;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** A vendor catalog as an RSS 2.0 or Atom feed (a VMcast): every entry's OVA enclosures, with their digests. */
final class FeedCatalog {

    private static final Set<String> OVA_TYPES = Set.of("application/x-ova", "application/ova",
            "application/x-virtualbox-ova", "application/x-tar", "application/ovf", "application/x-ovf",
            "application/vnd.ovf", "application/x-vmware-ova");

    private FeedCatalog() {
    }

    static List<VendorCatalog.Entry> read(String name, byte[] content, Path folder) throws InvalidCatalogException {
        SyndFeed feed;
        try {
            // no DOCTYPE at all (Rome then forbids it in its SAX parser): no external entities, no entity bombs
            SyndFeedInput input = new SyndFeedInput(false, Locale.ROOT);
            input.setAllowDoctypes(false);
            input.setXmlHealerOn(false);
            feed = input.build(new InputSource(new ByteArrayInputStream(content)));
        } catch (FeedException | IllegalArgumentException e) {
            throw new InvalidCatalogException(name, "not a readable RSS 2.0 or Atom feed: " + e.getMessage(), e);
        }
        List<VendorCatalog.Entry> entries = new ArrayList<>();
        int position = 0;
        for (SyndEntry syndEntry : feed.getEntries()) {
            position++;
            List<Element> markup = syndEntry.getForeignMarkup();
            Map<String, String> hashesByUrl = new HashMap<>();
            String entryHash = findHashes(markup, hashesByUrl);
            for (SyndEnclosure enclosure : syndEntry.getEnclosures()) {
                String url = enclosure.getUrl();
                if (url == null || url.isBlank() || !isOva(url, enclosure.getType())) {
                    continue;
                }
                Map<String, String> fields = new LinkedHashMap<>();
                fields.put("url", url.trim());
                if (enclosure.getLength() > 0) {
                    fields.put("size", Long.toString(enclosure.getLength()));
                }
                String hash = hashesByUrl.getOrDefault(url.trim(), entryHash);
                if (hash != null) {
                    fields.put("sha256", hash);
                }
                for (String field : List.of("vendor", "product", "version")) {
                    String value = foreignText(markup, field);
                    if (value != null) {
                        fields.put(field, value);
                    }
                }
                if (!CatalogItems.lastSegment(url).toLowerCase(Locale.ROOT).endsWith(".ova")) {
                    // an OVA by its type under a URL without the suffix: give it one, the bucket wants it
                    String segment = CatalogItems.lastSegment(url);
                    fields.put("name", (segment.isBlank() ? "download" : segment) + ".ova");
                }
                entries.add(CatalogItems.entry(position, "entry " + position, fields, folder));
            }
        }
        return entries;
    }

    private static boolean isOva(String url, String type) {
        if (CatalogItems.lastSegment(url).toLowerCase(Locale.ROOT).endsWith(".ova")) {
            return true;
        }
        if (type == null) {
            return false;
        }
        String mime = type.toLowerCase(Locale.ROOT).split(";")[0].trim();
        return OVA_TYPES.contains(mime) || mime.contains("ova");
    }

    /**
     * SHA-256 digests a feed carries in foreign markup, leniently: {@code <media:hash algo="sha256">},
     * {@code <x:sha256>}, {@code <x:checksum type|algo="sha256">}, or a {@code sha256} attribute (ovaflow's own
     * feeds: {@code <ovaflow:artifact url="…" sha256="…"/>}). One under an element with a {@code url}
     * attribute (media:content) belongs to that URL; the first other one to the entry.
     */
    private static String findHashes(List<Element> elements, Map<String, String> byUrl) {
        String entryHash = null;
        for (Element element : elements) {
            String url = element.getAttributeValue("url");
            String hash = sha256In(element);
            if (hash != null) {
                if (url != null) {
                    byUrl.putIfAbsent(url.trim(), hash);
                } else if (entryHash == null) {
                    entryHash = hash;
                }
            }
        }
        return entryHash;
    }

    private static String sha256In(Element element) {
        String local = element.getName().toLowerCase(Locale.ROOT);
        String algo = null;
        for (Attribute attribute : element.getAttributes()) {
            String attr = attribute.getName().toLowerCase(Locale.ROOT);
            if (attr.equals("sha256") && CatalogItems.SHA256.matcher(attribute.getValue().trim()).matches()) {
                return attribute.getValue().trim().toLowerCase(Locale.ROOT);
            }
            if (attr.equals("algo") || attr.equals("algorithm") || attr.equals("type")) {
                algo = attribute.getValue().toLowerCase(Locale.ROOT).replace("-", "");
            }
        }
        if (local.equals("sha256") || ((local.equals("hash") || local.equals("checksum") || local.equals("digest"))
                && "sha256".equals(algo))) {
            String text = element.getTextTrim();
            if (CatalogItems.SHA256.matcher(text).matches()) {
                return text.toLowerCase(Locale.ROOT);
            }
        }
        for (Element child : element.getChildren()) {
            String hash = sha256In(child);
            if (hash != null) {
                return hash;
            }
        }
        return null;
    }

    private static String foreignText(List<Element> elements, String localName) {
        for (Element element : elements) {
            if (element.getName().equalsIgnoreCase(localName) && !element.getTextTrim().isEmpty()) {
                return element.getTextTrim();
            }
        }
        return null;
    }
}
