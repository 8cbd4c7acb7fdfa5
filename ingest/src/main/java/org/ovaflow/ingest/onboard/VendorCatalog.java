package org.ovaflow.ingest.onboard;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rometools.rome.feed.synd.SyndEnclosure;
import com.rometools.rome.feed.synd.SyndEntry;
import com.rometools.rome.feed.synd.SyndFeed;
import com.rometools.rome.io.FeedException;
import com.rometools.rome.io.SyndFeedInput;
import org.jdom2.Attribute;
import org.jdom2.Element;
import org.xml.sax.InputSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a vendor's catalog of OVAs: JSON (an array of items or {@code {"items": [...]}}), CSV (a header row
 * with at least {@code url}) or an RSS 2.0 / Atom feed (every entry's .ova enclosure). The format is told by
 * content: {@code [} or <code>{</code> is JSON, {@code <} a feed, anything else CSV. Item fields: url
 * (required), id, sha256, size, vendor, product, version, name (the file name in the bucket).
 * A malformed item becomes an {@link Entry} with a problem and the others still come through; a file that is
 * none of these formats is an {@link InvalidCatalogException}.
 */
public final class VendorCatalog {

    /**
     * One item of a catalog, or why it could not be read ({@code problem != null}, then {@code item} may be
     * null). {@code line} is the item's line in a JSON or CSV file, its 1-based position in a feed.
     */
    public record Entry(int line, CatalogItem item, String problem) {
    }

    /** Catalogs are lists: more than this is not a catalog. */
    static final int MAX_CATALOG_BYTES = 32 * 1024 * 1024;

    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern SCHEME = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]+:.*");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> OVA_TYPES = Set.of("application/x-ova", "application/ova",
            "application/x-virtualbox-ova", "application/x-tar", "application/ovf", "application/x-ovf",
            "application/vnd.ovf", "application/x-vmware-ova");

    private VendorCatalog() {
    }

    /** Reads a catalog file; item paths without a scheme are taken relative to the file's folder. */
    public static List<Entry> read(Path file) throws InvalidCatalogException, IOException {
        if (Files.size(file) > MAX_CATALOG_BYTES) {
            throw new InvalidCatalogException(file.toString(), "larger than " + MAX_CATALOG_BYTES
                    + " bytes, not a catalog");
        }
        Path folder = file.toAbsolutePath().getParent();
        return read(file.toString(), Files.readAllBytes(file), folder);
    }

    /** Reads a catalog from a stream ({@code name} for messages); item paths without a scheme stay relative. */
    public static List<Entry> read(String name, InputStream in) throws InvalidCatalogException, IOException {
        byte[] content = in.readNBytes(MAX_CATALOG_BYTES + 1);
        if (content.length > MAX_CATALOG_BYTES) {
            throw new InvalidCatalogException(name, "larger than " + MAX_CATALOG_BYTES + " bytes, not a catalog");
        }
        return read(name, content, null);
    }

    private static List<Entry> read(String name, byte[] content, Path folder) throws InvalidCatalogException {
        int start = 0;
        if (content.length >= 3 && (content[0] & 0xff) == 0xEF && (content[1] & 0xff) == 0xBB
                && (content[2] & 0xff) == 0xBF) {
            start = 3;
        }
        int first = start;
        while (first < content.length && Character.isWhitespace(content[first])) {
            first++;
        }
        if (first == content.length) {
            throw new InvalidCatalogException(name, "empty, not a catalog");
        }
        return switch (content[first]) {
            case '[', '{' -> readJson(name, content, start, folder);
            case '<' -> readFeed(name, content, folder);
            default -> readCsv(name, text(name, content, start), folder);
        };
    }

    // ---- JSON

    private static List<Entry> readJson(String name, byte[] content, int start, Path folder)
            throws InvalidCatalogException {
        List<Entry> entries = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(content, start, content.length - start)) {
            JsonToken token = parser.nextToken();
            if (token == JsonToken.START_OBJECT) {
                boolean found = false;
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if ("items".equals(field) && value == JsonToken.START_ARRAY) {
                        readJsonItems(parser, folder, entries);
                        found = true;
                    } else {
                        parser.skipChildren();
                    }
                }
                if (!found) {
                    throw new InvalidCatalogException(name, "JSON object without an \"items\" array");
                }
            } else if (token == JsonToken.START_ARRAY) {
                readJsonItems(parser, folder, entries);
            } else {
                throw new InvalidCatalogException(name, "JSON that is neither an array nor an object");
            }
            if (parser.nextToken() != null) {
                throw new InvalidCatalogException(name, "text after the JSON catalog at line "
                        + parser.currentTokenLocation().getLineNr());
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new InvalidCatalogException(name, "not valid JSON" + (at == null ? "" : " at line "
                    + at.getLineNr() + ", column " + at.getColumnNr()) + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidCatalogException(name, "not readable as JSON: " + e.getMessage(), e);
        }
        return entries;
    }

    private static void readJsonItems(JsonParser parser, Path folder, List<Entry> entries) throws IOException {
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            int line = parser.currentTokenLocation().getLineNr();
            JsonNode node = parser.readValueAsTree();
            if (node == null || !node.isObject()) {
                entries.add(new Entry(line, null, "line " + line + ": not an object"));
                continue;
            }
            Map<String, String> fields = new LinkedHashMap<>();
            node.fields().forEachRemaining(f -> {
                if (f.getValue().isValueNode() && !f.getValue().isNull()) {
                    fields.put(f.getKey().toLowerCase(Locale.ROOT), f.getValue().asText());
                }
            });
            entries.add(entry(line, "line " + line, fields, folder));
        }
    }

    // ---- CSV

    private static List<Entry> readCsv(String name, String text, Path folder) throws InvalidCatalogException {
        List<CsvRecords.Record> records = CsvRecords.parse(text);
        int headerAt = 0;
        while (headerAt < records.size() && records.get(headerAt).blank()) {
            headerAt++;
        }
        if (headerAt == records.size() || records.get(headerAt).problem() != null) {
            throw new InvalidCatalogException(name, "not a catalog: no CSV header row");
        }
        List<String> header = records.get(headerAt).fields().stream()
                .map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
        if (!header.contains("url")) {
            throw new InvalidCatalogException(name, "not a catalog: neither JSON, nor a feed, nor CSV with a "
                    + "\"url\" column in its header (line " + records.get(headerAt).line() + ")");
        }
        List<Entry> entries = new ArrayList<>();
        for (CsvRecords.Record record : records.subList(headerAt + 1, records.size())) {
            String where = "line " + record.line();
            if (record.problem() != null) {
                entries.add(new Entry(record.line(), null, where + ": " + record.problem()));
            } else if (record.blank()) {
                continue;
            } else if (record.fields().size() > header.size()) {
                entries.add(new Entry(record.line(), null, where + ": " + record.fields().size()
                        + " fields, the header has " + header.size()));
            } else {
                Map<String, String> fields = new LinkedHashMap<>();
                for (int i = 0; i < record.fields().size(); i++) {
                    fields.putIfAbsent(header.get(i), record.fields().get(i));
                }
                entries.add(entry(record.line(), where, fields, folder));
            }
        }
        return entries;
    }

    private static String text(String name, byte[] content, int start) throws InvalidCatalogException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content, start, content.length - start)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidCatalogException(name, "not a catalog: not UTF-8 text", e);
        }
    }

    // ---- RSS 2.0 / Atom

    private static List<Entry> readFeed(String name, byte[] content, Path folder) throws InvalidCatalogException {
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
        List<Entry> entries = new ArrayList<>();
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
                if (!lastSegment(url).toLowerCase(Locale.ROOT).endsWith(".ova")) {
                    // an OVA by its type under a URL without the suffix: give it one, the bucket wants it
                    String segment = lastSegment(url);
                    fields.put("name", (segment.isBlank() ? "download" : segment) + ".ova");
                }
                entries.add(entry(position, "entry " + position, fields, folder));
            }
        }
        return entries;
    }

    private static boolean isOva(String url, String type) {
        if (lastSegment(url).toLowerCase(Locale.ROOT).endsWith(".ova")) {
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
            if (attr.equals("sha256") && SHA256.matcher(attribute.getValue().trim()).matches()) {
                return attribute.getValue().trim().toLowerCase(Locale.ROOT);
            }
            if (attr.equals("algo") || attr.equals("algorithm") || attr.equals("type")) {
                algo = attribute.getValue().toLowerCase(Locale.ROOT).replace("-", "");
            }
        }
        if (local.equals("sha256") || ((local.equals("hash") || local.equals("checksum") || local.equals("digest"))
                && "sha256".equals(algo))) {
            String text = element.getTextTrim();
            if (SHA256.matcher(text).matches()) {
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

    // ---- items

    private static Entry entry(int line, String where, Map<String, String> fields, Path folder) {
        String url = blankToNull(fields.get("url"));
        if (url == null) {
            return new Entry(line, null, where + ": no url");
        }
        URI source;
        try {
            source = source(url, folder);
        } catch (URISyntaxException | IllegalArgumentException e) {
            return new Entry(line, null, where + ": not a URL or path: " + url);
        }
        String sha256 = blankToNull(fields.get("sha256"));
        if (sha256 != null) {
            if (sha256.regionMatches(true, 0, "sha256:", 0, 7)) {
                sha256 = sha256.substring(7);
            }
            if (!SHA256.matcher(sha256).matches()) {
                return new Entry(line, null, where + ": sha256 is not 64 hex digits: " + fields.get("sha256"));
            }
            sha256 = sha256.toLowerCase(Locale.ROOT);
        }
        Long size = null;
        String sizeText = blankToNull(fields.get("size"));
        if (sizeText != null) {
            try {
                size = Long.parseLong(sizeText);
            } catch (NumberFormatException e) {
                size = -1L;
            }
            if (size < 0) {
                return new Entry(line, null, where + ": size is not a byte count: " + sizeText);
            }
        }
        String fileName = blankToNull(fields.get("name"));
        if (fileName == null) {
            fileName = lastSegment(source);
        }
        String id = blankToNull(fields.get("id"));
        CatalogItem item = new CatalogItem(id != null ? id : CatalogItem.idOf(source), source, fileName, sha256,
                size, blankToNull(fields.get("vendor")), blankToNull(fields.get("product")),
                blankToNull(fields.get("version")));
        return new Entry(line, item, null);
    }

    private static URI source(String url, Path folder) throws URISyntaxException {
        if (SCHEME.matcher(url).matches()) {
            URI uri = new URI(url);
            if (uri.getScheme().equalsIgnoreCase("file") || uri.getRawAuthority() != null) {
                return uri;
            }
            throw new URISyntaxException(url, "no host");
        }
        // a plain path: beside the catalog file, or relative for the Downloader's local root
        if (folder != null) {
            return folder.resolve(url).normalize().toUri();
        }
        return new URI(null, null, url, null);
    }

    private static String lastSegment(URI source) {
        String path = source.getPath();
        if (path == null) {
            return "";
        }
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    private static String lastSegment(String url) {
        try {
            return lastSegment(new URI(url.trim()));
        } catch (URISyntaxException e) {
            String path = url.split("[?#]")[0];
            return path.substring(path.lastIndexOf('/') + 1);
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
