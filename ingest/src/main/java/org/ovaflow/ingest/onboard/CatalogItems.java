package org.ovaflow.ingest.onboard;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** One catalog item from its fields as any of the formats gives them: checked, its source resolved. */
final class CatalogItems {

    static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern SCHEME = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]+:.*");

    private CatalogItems() {
    }

    static VendorCatalog.Entry entry(int line, String where, Map<String, String> fields, Path folder) {
        String url = blankToNull(fields.get("url"));
        if (url == null) {
            return new VendorCatalog.Entry(line, null, where + ": no url");
        }
        URI source;
        try {
            source = source(url, folder);
        } catch (URISyntaxException | IllegalArgumentException e) {
            return new VendorCatalog.Entry(line, null, where + ": not a URL or path: " + url);
        }
        String sha256 = blankToNull(fields.get("sha256"));
        if (sha256 != null) {
            if (sha256.regionMatches(true, 0, "sha256:", 0, 7)) {
                sha256 = sha256.substring(7);
            }
            if (!SHA256.matcher(sha256).matches()) {
                return new VendorCatalog.Entry(line, null,
                        where + ": sha256 is not 64 hex digits: " + fields.get("sha256"));
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
                return new VendorCatalog.Entry(line, null, where + ": size is not a byte count: " + sizeText);
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
        return new VendorCatalog.Entry(line, item, null);
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

    static String lastSegment(String url) {
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
