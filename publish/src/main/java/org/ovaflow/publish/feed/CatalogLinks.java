package org.ovaflow.publish.feed;

import org.ovaflow.publish.catalog.ApplianceRecord;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The URLs of the catalog on the HTTP server that serves it ({@code baseUrl}, e.g. {@code http://host:8642}):
 * an entry's JSON, an artifact's download (a redirect to a presigned URL of the store), a feed. Every path
 * segment taken from the catalog is percent-encoded, so no name can add a segment, a query or markup to a URL.
 */
public record CatalogLinks(String baseUrl) {

    public CatalogLinks {
        URI uri = URI.create(baseUrl);
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("not an http(s) base URL: " + baseUrl);
        }
        baseUrl = baseUrl.replaceAll("/+$", "");
    }

    /** {@code GET /api/catalog}: the list of entries. */
    public String catalog() {
        return baseUrl + "/api/catalog";
    }

    /** {@code GET /api/catalog/<vendor>/<product>/<version>}: the entry's appliance.json. */
    public String entry(ApplianceRecord record) {
        return catalog() + "/" + segment(record.vendor()) + "/" + segment(record.product()) + "/"
                + segment(record.version());
    }

    /** {@code GET /api/catalog/<vendor>/<product>/<version>/download/<artifact name>}: a redirect to the bytes. */
    public String download(ApplianceRecord record, ApplianceRecord.Artifact artifact) {
        // names of a target's files have a folder ("qcow2/disk1.qcow2"): one URL segment per name segment
        return entry(record) + "/download/" + Arrays.stream(artifact.name().split("/", -1))
                .map(CatalogLinks::segment).collect(Collectors.joining("/"));
    }

    public String feed(FeedScope scope, FeedFormat format) {
        return baseUrl + "/feeds/" + Arrays.stream(scope.path().split("/")).map(CatalogLinks::segment)
                .collect(Collectors.joining("/")) + "." + format.extension();
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters (UTF-8 bytes). */
    static String segment(String text) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return encoded.toString();
    }
}
