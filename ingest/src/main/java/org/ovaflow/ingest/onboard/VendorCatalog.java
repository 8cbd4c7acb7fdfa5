package org.ovaflow.ingest.onboard;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
            case '[', '{' -> JsonCatalog.read(name, content, start, folder);
            case '<' -> FeedCatalog.read(name, content, folder);
            default -> CsvCatalog.read(name, content, start, folder);
        };
    }
}
