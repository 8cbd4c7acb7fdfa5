package org.ovaflow.app.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.sun.net.httpserver.HttpExchange;
import org.ovaflow.app.pipeline.ProcessSettings;
import org.ovaflow.core.store.ObjectGoneException;
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

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The catalog's public, read-only HTTP side: {@code GET /api/catalog} (the index's versions, a page at a time),
 * {@code /api/products} and {@code /api/vendors} (the browsable catalog's lists, {@link CatalogListing}),
 * {@code /api/catalog/V/P} (a product's document of the index), {@code /api/catalog/V/P/V} (one entry),
 * {@code /api/catalog/V/P/V/download/NAME} (a redirect to a presigned URL of the artifact),
 * {@code /api/catalog/V/P/V/content/NAME} (a small text file of the entry, as text), {@code /api/signing} (the
 * signing key's fingerprint) and the
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
    /** The roles of the files {@code content/} serves as text, and the largest it serves (a disk is downloaded). */
    static final Set<String> SHOWN_ROLES = Set.of("platform", "descriptor", "manifest", "certificate");
    static final int MAX_SHOWN_BYTES = 256 * 1024;
    /** The longest search {@code /api/products} takes. */
    static final int MAX_QUERY = 256;

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
    private final CatalogListing listing;

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
        this.listing = new CatalogListing(index, catalog);
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
        if (path.size() == 2) {
            return product(path.get(0), path.get(1));
        }
        if (path.size() == 3) {
            return documents.appliance(String.join("/", path)).map(body -> new Response(200, Response.JSON, body))
                    .orElseGet(() -> Response.notFound("no catalog entry " + String.join("/", path)));
        }
        if (path.size() >= 5 && path.get(3).equals("download")) {
            return download(path.subList(0, 3), String.join("/", path.subList(4, path.size())));
        }
        if (path.size() >= 5 && path.get(3).equals("content")) {
            return content(path.subList(0, 3), String.join("/", path.subList(4, path.size())));
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
        Listed listed = listed(entryPath, name);
        if (listed.refusal() != null) {
            return listed.refusal();
        }
        return Response.redirect(store.presignedGet(catalogBucket, listed.artifact().key(), presignExpiry));
    }

    /**
     * {@code /api/catalog/V/P/V/content/NAME}: the bytes of one of the entry's small text files (a platform
     * profile's ready-to-use file, a descriptor, a manifest), served by this server itself so that the product page
     * can show them (its CSP lets it fetch from its own origin only). Plain text whatever it holds: the page puts it
     * in as text.
     */
    private Response content(List<String> entryPath, String name) {
        Listed listed = listed(entryPath, name);
        if (listed.refusal() != null) {
            return listed.refusal();
        }
        ApplianceRecord.Artifact artifact = listed.artifact();
        if (!SHOWN_ROLES.contains(artifact.role()) || artifact.size() > MAX_SHOWN_BYTES) {
            return Response.notFound(name + " is not a text file of at most " + MAX_SHOWN_BYTES
                    + " bytes (download it)");
        }
        try (InputStream in = store.read(catalogBucket, artifact.key())) {
            byte[] bytes = in.readNBytes(MAX_SHOWN_BYTES + 1);
            if (bytes.length > MAX_SHOWN_BYTES) {
                return Response.error(500, artifact.key() + " is larger than its entry says");
            }
            return new Response(200, "text/plain; charset=utf-8", bytes);
        } catch (ObjectGoneException e) {
            return Response.notFound(artifact.key() + " is not in the catalog bucket");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read s3://" + catalogBucket + "/" + artifact.key(), e);
        }
    }

    /** An artifact of an available entry, or why there is none to give. */
    private record Listed(ApplianceRecord.Artifact artifact, Response refusal) {
    }

    private Listed listed(List<String> entryPath, String name) {
        if (!entryPath.stream().allMatch(s -> SEGMENT.matcher(s).matches())) {
            return new Listed(null, Response.notFound("no catalog entry " + String.join("/", entryPath)));
        }
        String prefix = String.join("/", entryPath) + "/";
        Optional<ApplianceRecord> entry = catalog.at(prefix);
        if (entry.isEmpty()) {
            return new Listed(null, Response.notFound("no catalog entry " + prefix));
        }
        ApplianceRecord record = entry.get();
        // only a file the entry lists, and only inside the entry's own folder (where its appliance.json's key says:
        // a replacement's files are in <version>/<importId>/)
        Optional<ApplianceRecord.Artifact> artifact = record.artifacts().stream()
                .filter(a -> a.name().equals(name) && insideFolder(a.key(), prefix))
                .findFirst();
        if (artifact.isEmpty()) {
            return new Listed(null, Response.notFound("no artifact " + name + " in " + prefix));
        }
        if (!record.available()) {
            String reason = record.retraction() == null || record.retraction().reason() == null ? ""
                    : ": " + record.retraction().reason();
            return new Listed(null, Response.error(410, prefix + (record.pruned() ? " was pruned" : " was retracted")
                    + reason));
        }
        return new Listed(artifact.get(), null);
    }

    /** Whether {@code key} names an object below {@code prefix} without an empty, "." or ".." segment. */
    static boolean insideFolder(String key, String prefix) {
        return key != null && key.startsWith(prefix) && key.length() > prefix.length()
                && Arrays.stream(key.split("/", -1)).noneMatch(s -> s.isEmpty() || s.equals(".") || s.equals(".."));
    }

    /** {@code /api/catalog/V/P}: the product's document of the index (its versions, each version's files). */
    private Response product(String vendor, String product) {
        if (!SEGMENT.matcher(vendor).matches() || !SEGMENT.matcher(product).matches()) {
            return Response.notFound("no product " + vendor + "/" + product);
        }
        return index.product(vendor, product).map(document -> Response.json(ProductVersions.of(document)))
                .orElseGet(() -> Response.notFound("no product " + vendor + "/" + product));
    }

    /**
     * A product's document as {@code /api/catalog/V/P} answers it: its versions as a list in version order (a
     * JSON object's keys would not keep that order in a browser: "2" comes before "1.0" there), each with its
     * {@code version}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ProductVersions(String vendor, String product, Instant updated, String latest, List<Version> versions) {

        @JsonInclude(JsonInclude.Include.NON_NULL)
        record Version(String version, String state, Instant published, String importId, String path,
                       ApplianceRecord.Retraction retraction, Map<String, CatalogIndex.Item> items) {
        }

        static ProductVersions of(CatalogIndex.ProductIndex document) {
            List<Version> versions = new ArrayList<>();
            document.versions().forEach((version, v) -> versions.add(new Version(version, v.state(), v.published(),
                    v.importId(), v.path(), v.retraction(), v.items())));
            return new ProductVersions(document.vendor(), document.product(), document.updated(), document.latest(),
                    versions);
        }
    }

    /**
     * {@code /api/products?q=WORDS&vendor=V&limit=N&cursor=V/P}: a page of the catalog's products with their latest
     * version ({@link CatalogListing}).
     */
    Response products(HttpExchange exchange) {
        if (!exchange.getRequestURI().getRawPath().equals("/api/products")) {
            return Response.notFound("no resource " + exchange.getRequestURI().getPath());
        }
        Map<String, String> parameters = new HashMap<>();
        String refusal = parameters(exchange.getRequestURI().getRawQuery(), Set.of("q", "vendor", "limit", "cursor"),
                parameters);
        if (refusal != null) {
            return Response.error(400, refusal);
        }
        int limit = CatalogListing.DEFAULT_PAGE;
        if (parameters.containsKey("limit")) {
            try {
                limit = Integer.parseInt(parameters.get("limit"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > CatalogListing.MAX_PAGE) {
                return Response.error(400, "limit must be 1 to " + CatalogListing.MAX_PAGE + ", not '"
                        + parameters.get("limit") + "'");
            }
        }
        String vendor = parameters.get("vendor");
        if (vendor != null && vendor.isEmpty()) {
            vendor = null;
        }
        if (vendor != null && !SEGMENT.matcher(vendor).matches()) {
            return Response.error(400, "vendor must be a vendor's slug, as /api/vendors lists them");
        }
        String cursor = parameters.get("cursor");
        if (cursor != null) {
            String[] parts = cursor.split("/", -1);
            if (parts.length != 2 || !Arrays.stream(parts).allMatch(p -> SEGMENT.matcher(p).matches())) {
                return Response.error(400, "cursor must be vendor/product (the next of a page)");
            }
        }
        String query = parameters.get("q");
        if (query != null && query.length() > MAX_QUERY) {
            return Response.error(400, "q is longer than " + MAX_QUERY + " characters");
        }
        return Response.json(listing.products(vendor, query, cursor, limit));
    }

    /** {@code /api/vendors}: every vendor of the catalog's root with its number of products. */
    Response vendors(HttpExchange exchange) {
        if (!exchange.getRequestURI().getRawPath().equals("/api/vendors")) {
            return Response.notFound("no resource " + exchange.getRequestURI().getPath());
        }
        return Response.json(listing.vendors());
    }

    /**
     * {@code /api/signing}: the fingerprint of the key that signs the feeds and the index, and where its public key
     * is, for the product page's "how to verify"; 404 when this process signs nothing.
     */
    Response signing(HttpExchange exchange) {
        if (!exchange.getRequestURI().getRawPath().equals("/api/signing")) {
            return Response.notFound("no resource " + exchange.getRequestURI().getPath());
        }
        if (signer == null) {
            return Response.notFound("this process signs neither feeds nor index");
        }
        Map<String, String> key = new LinkedHashMap<>();
        key.put("fingerprint", signer.fingerprint());
        key.put("signingKeyFingerprint", signer.signingKeyFingerprint());
        key.put("userId", signer.userId());
        key.put("publicKey", "/" + CatalogIndex.PUBLIC_KEY);
        return Response.json(key);
    }

    /** Decodes {@code rawQuery} into {@code into}: null, or why it is refused (a name not in {@code known}). */
    static String parameters(String rawQuery, Set<String> known, Map<String, String> into) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        for (String parameter : rawQuery.split("&")) {
            if (parameter.isEmpty()) {
                continue;
            }
            int equals = parameter.indexOf('=');
            String name;
            String value;
            try {
                name = URLDecoder.decode(equals < 0 ? parameter : parameter.substring(0, equals), StandardCharsets.UTF_8);
                value = equals < 0 ? "" : URLDecoder.decode(parameter.substring(equals + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return "a parameter is not URL-encoded: " + e.getMessage();
            }
            if (!known.contains(name)) {
                return "no parameter " + name + " (" + String.join(", ", new TreeSet<>(known)) + ")";
            }
            into.put(name, value);
        }
        return null;
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
