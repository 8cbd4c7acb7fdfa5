package org.ovaflow.app.http;

import com.sun.net.httpserver.HttpExchange;
import org.ovaflow.app.pipeline.ProcessSettings;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.publish.catalog.ApplianceRecord;
import org.ovaflow.publish.catalog.CatalogIndex;
import org.ovaflow.publish.catalog.CatalogReader;
import org.ovaflow.publish.catalog.FeedLog;
import org.ovaflow.publish.signing.CatalogSigner;
import org.ovaflow.publish.feed.CatalogFeeds;
import org.ovaflow.publish.feed.CatalogLinks;
import org.ovaflow.publish.feed.FeedFormat;
import org.ovaflow.publish.feed.FeedScope;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The catalog's public, read-only HTTP side: {@code GET /api/catalog} (the index's versions, a page at a time), {@code /api/catalog/V/P/V}
 * (one entry), {@code /api/catalog/V/P/V/download/NAME} (a redirect to a presigned URL of the artifact) and the
 * feeds {@code /feeds/catalog|V|V/P.rss|.atom}, each with its signature ({@code .asc} appended), and the public
 * key of the signatures {@code /keys/ovaflow-signing.asc}. No token: the catalog is public. Nothing outside the catalog
 * bucket is reachable: URL paths are split and decoded segment by segment, checked against what publish
 * makes (slugs), and a download is only ever of an artifact the entry's appliance.json lists under its folder.
 */
final class CatalogEndpoints {

    static final String PUBLIC_URL = ProcessSettings.HTTP_PUBLIC_URL.key();
    static final String PRESIGN_EXPIRY = ProcessSettings.HTTP_PRESIGN_EXPIRY_S.key();
    /** Versions in a page of {@code /api/catalog} unless {@code limit} says, and the most it may say. */
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;

    /** A catalog path segment as publish makes it (a slug); never "." or "..". */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._+-]{0,127}");
    /** A Host header worth echoing into links: a name or an address and a port, nothing else. */
    private static final Pattern HOST = Pattern.compile("([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}])(:[0-9]{1,5})?");

    private final ObjectStore store;
    private final String catalogBucket;
    private final CatalogReader catalog;
    private final CatalogIndex index;
    private final FeedLog feedLog;
    private final StoredDocuments documents;
    private final Duration presignExpiry;
    private final String publicUrl;
    private final CatalogSigner signer;

    /** @param signer signs the feeds ({@code <feed>.asc}) and is served as the public key; null: neither */
    CatalogEndpoints(ObjectStore store, String catalogBucket, StoredDocuments documents, Map<String, String> properties,
                     CatalogSigner signer) {
        this.signer = signer;
        this.store = store;
        this.catalogBucket = catalogBucket;
        this.catalog = new CatalogReader(store, catalogBucket);
        this.index = new CatalogIndex(store, catalogBucket);
        this.feedLog = new FeedLog(store, catalogBucket);
        this.documents = documents;
        this.presignExpiry = Duration.ofSeconds(ProcessSettings.HTTP_PRESIGN_EXPIRY_S.from(properties));
        this.publicUrl = ProcessSettings.HTTP_PUBLIC_URL.from(properties);
    }

    /** {@code /api/catalog…}. */
    Response catalog(HttpExchange exchange) {
        Optional<List<String>> parts = segments(exchange.getRequestURI().getRawPath(), "/api/catalog");
        if (parts.isEmpty()) {
            return Response.notFound("no catalog resource " + exchange.getRequestURI().getPath());
        }
        List<String> path = parts.get();
        if (path.isEmpty()) {
            return page(exchange.getRequestURI().getRawQuery());
        }
        if (path.size() == 3) {
            return documents.appliance(String.join("/", path)).map(body -> new Response(200, Response.JSON, body))
                    .orElseGet(() -> Response.notFound("no catalog entry " + String.join("/", path)));
        }
        if (path.size() >= 5 && path.get(3).equals("download")) {
            return download(path.subList(0, 3), String.join("/", path.subList(4, path.size())));
        }
        return Response.notFound("no catalog resource " + exchange.getRequestURI().getPath());
    }

    /**
     * {@code /api/catalog?limit=N&cursor=V/P/V&all=true}: a page of the index's versions (available ones unless
     * {@code all}), {@code next} the cursor of the following page (absent on the last).
     */
    private Response page(String rawQuery) {
        int limit = DEFAULT_PAGE;
        String cursor = null;
        boolean all = false;
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String parameter : rawQuery.split("&")) {
                int equals = parameter.indexOf('=');
                String name = URLDecoder.decode(equals < 0 ? parameter : parameter.substring(0, equals),
                        StandardCharsets.UTF_8);
                String value = equals < 0 ? "" : URLDecoder.decode(parameter.substring(equals + 1), StandardCharsets.UTF_8);
                switch (name) {
                    case "limit" -> {
                        try {
                            limit = Integer.parseInt(value);
                        } catch (NumberFormatException e) {
                            limit = -1;
                        }
                        if (limit < 1 || limit > MAX_PAGE) {
                            return Response.error(400, "limit must be 1 to " + MAX_PAGE + ", not '" + value + "'");
                        }
                    }
                    case "cursor" -> {
                        String[] parts = value.split("/", -1);
                        if (parts.length != 3 || !Arrays.stream(parts).allMatch(p -> SEGMENT.matcher(p).matches())) {
                            return Response.error(400, "cursor must be vendor/product/version (the next of a page)");
                        }
                        cursor = value;
                    }
                    case "all" -> all = Boolean.parseBoolean(value);
                    default -> {
                        return Response.error(400, "no parameter " + name + " (limit, cursor, all)");
                    }
                }
            }
        }
        return Response.json(index.page(cursor, limit, all));
    }

    private Response download(List<String> entryPath, String name) {
        if (!entryPath.stream().allMatch(s -> SEGMENT.matcher(s).matches())) {
            return Response.notFound("no catalog entry " + String.join("/", entryPath));
        }
        String prefix = String.join("/", entryPath) + "/";
        Optional<ApplianceRecord> entry = catalog.at(prefix);
        if (entry.isEmpty()) {
            return Response.notFound("no catalog entry " + prefix);
        }
        ApplianceRecord record = entry.get();
        // only a file the entry lists, and only inside the entry's own folder
        Optional<ApplianceRecord.Artifact> artifact = record.artifacts().stream()
                .filter(a -> a.name().equals(name) && a.key().equals(prefix + a.name()))
                .findFirst();
        if (artifact.isEmpty()) {
            return Response.notFound("no artifact " + name + " in " + prefix);
        }
        if (!record.available()) {
            String reason = record.retraction() == null || record.retraction().reason() == null ? ""
                    : ": " + record.retraction().reason();
            return Response.error(410, prefix + (record.pruned() ? " was pruned" : " was retracted") + reason);
        }
        return Response.redirect(store.presignedGet(catalogBucket, artifact.get().key(), presignExpiry));
    }

    /**
     * {@code /feeds/catalog.rss}, {@code /feeds/V.atom}, {@code /feeds/V/P.rss}… (the newest page of the feed's log,
     * {@link FeedLog}), {@code ?page=N} for its archive page N, and with {@code .asc} appended the detached signature
     * of the bytes the same URL answers with (a page is the same from one request to the next while its log and
     * the request's host stay the same: no time of its own; an archive page never changes).
     */
    Response feed(HttpExchange exchange, String ownUrl) {
        String missing = "no feed " + exchange.getRequestURI().getPath();
        Optional<List<String>> parts = segments(exchange.getRequestURI().getRawPath(), "/feeds");
        if (parts.isEmpty() || parts.get().isEmpty() || parts.get().size() > 2) {
            return Response.notFound(missing);
        }
        List<String> path = new ArrayList<>(parts.get());
        String last = path.get(path.size() - 1);
        boolean signature = last.endsWith(CatalogIndex.SIGNATURE_SUFFIX);
        if (signature) {
            if (signer == null) {
                return Response.notFound(missing);
            }
            last = last.substring(0, last.length() - CatalogIndex.SIGNATURE_SUFFIX.length());
        }
        int dot = last.lastIndexOf('.');
        Optional<FeedFormat> format = dot < 0 ? Optional.empty() : FeedFormat.byExtension(last.substring(dot + 1));
        if (format.isEmpty()) {
            return Response.notFound(missing);
        }
        path.set(path.size() - 1, last.substring(0, dot));
        if (!path.stream().allMatch(s -> SEGMENT.matcher(s).matches())) {
            return Response.notFound(missing);
        }
        FeedScope scope = path.size() == 2 ? FeedScope.product(path.get(0), path.get(1))
                : path.get(0).equals("catalog") ? FeedScope.catalog() : FeedScope.vendor(path.get(0));
        String base = baseUrl(exchange.getRequestHeaders().getFirst("Host"), ownUrl);
        String query = exchange.getRequestURI().getRawQuery();
        Integer archive = null;
        if (query != null && !query.isEmpty()) {
            if (!query.matches("page=[0-9]{1,9}")) {
                return Response.error(400, "a feed's only parameter is page=N (an archive page)");
            }
            archive = Integer.parseInt(query.substring("page=".length()));
        }
        Optional<FeedLog.Page> page = archive == null ? feedLog.current(scope.vendor(), scope.product())
                : feedLog.archive(scope.vendor(), scope.product(), archive);
        if (page.isEmpty() && archive == null && scope.vendor() == null) {
            page = Optional.of(new FeedLog.Page(0, 0, List.of())); // an empty catalog's feed: no item yet
        }
        CatalogFeeds feeds = new CatalogFeeds(new CatalogLinks(base));
        return page.map(p -> feeds.page(scope, format.get(), p))
                .map(xml -> signature ? new Response(200, CatalogIndex.SIGNATURE_TYPE, signer.sign(xml))
                        : new Response(200, format.get().mediaType(), xml))
                .orElseGet(() -> Response.notFound(missing));
    }

    /** {@code /keys/ovaflow-signing.asc}: the public key of the feeds' and the index's signatures. */
    Response publicKey(HttpExchange exchange) {
        String path = exchange.getRequestURI().getRawPath();
        if (signer == null || !path.equals("/" + CatalogIndex.PUBLIC_KEY)) {
            return Response.notFound("no key " + exchange.getRequestURI().getPath());
        }
        return new Response(200, CatalogIndex.PUBLIC_KEY_TYPE, signer.armoredPublicKey());
    }

    /**
     * Where links in a feed point: the configured public URL (behind a proxy), else the host the client asked
     * for (so a feed fetched through a name links through that name), else the server's own address.
     */
    String baseUrl(String hostHeader, String ownUrl) {
        if (publicUrl != null) {
            return publicUrl;
        }
        return hostHeader != null && HOST.matcher(hostHeader.strip()).matches() ? "http://" + hostHeader.strip() : ownUrl;
    }

    /**
     * The decoded segments of {@code rawPath} below {@code prefix} (empty list: the prefix itself), or empty when
     * the path is not below it or a segment is malformed. Decoding each segment on its own keeps an encoded
     * slash inside its segment, where the checks above refuse it.
     */
    static Optional<List<String>> segments(String rawPath, String prefix) {
        if (rawPath.equals(prefix) || rawPath.equals(prefix + "/")) {
            return Optional.of(List.of());
        }
        if (!rawPath.startsWith(prefix + "/")) {
            return Optional.empty(); // "/api/catalogue" shares the context's prefix, not its path
        }
        String rest = rawPath.substring(prefix.length() + 1).replaceFirst("/$", "");
        List<String> segments = new ArrayList<>();
        for (String raw : Arrays.asList(rest.split("/", -1))) {
            String segment;
            try {
                // a path has no '+'-for-space: keep a '+' a plus
                segment = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.contains("/")
                    || segment.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                return Optional.empty();
            }
            segments.add(segment);
        }
        return Optional.of(segments);
    }
}
