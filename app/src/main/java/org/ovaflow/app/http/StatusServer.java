package org.ovaflow.app.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.ovaflow.app.pipeline.Buckets;
import org.ovaflow.app.pipeline.ImportStatuses;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.thread.DaemonThreads;
import org.ovaflow.publish.signing.CatalogSigner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The HTTP side of a pipeline process: the status page at {@code /}, the browsable catalog at {@code /catalog} (a
 * product at {@code /catalog/V/P[/V]}, a rejection report at {@code /report/ID}, see {@link StaticPage}),
 * {@code /health}, {@code /metrics}
 * (Prometheus text format), {@code /api/imports[/ID]}, {@code /api/stages}, the catalog ({@code /api/catalog…},
 * {@code /api/products}, {@code /api/vendors}, {@code /api/signing}
 * and {@code /feeds/…} with their signatures, {@code /keys/…}, see {@link CatalogEndpoints}), {@code /api/quarantine/ID}, and
 * {@code POST /api/imports?name=F.ova} (bearer token). A thin router: the
 * work sits in the small classes beside it; the JDK's HTTP server is enough for this.
 */
public final class StatusServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);
    private static final String JSON = "application/json";
    /** Enough that a long upload does not starve the page's polling. */
    private static final int THREADS = 8;

    private final HttpServer server;
    private final String url;

    private StatusServer(HttpServer server, String url) {
        this.server = server;
        this.url = url;
    }

    /**
     * Starts serving on {@code host:port}; {@code properties} are the pipeline's ({@code ovaflow.http.public-url},
     * {@code ovaflow.http.presign-expiry-s}); {@code signer} signs the feeds ({@code <feed>.asc}) and its public key
     * is served at {@code /keys/ovaflow-signing.asc} (null: neither).
     */
    public static StatusServer start(String host, int port, ImportStatuses statuses, PrometheusMeterRegistry metrics,
                                     BooleanSupplier healthy, ObjectStore store, Buckets buckets, ApiToken token,
                                     Map<String, String> properties, CatalogSigner signer) throws IOException {
        StoredDocuments documents = new StoredDocuments(store, buckets.catalog(), buckets.quarantine());
        IncomingUpload uploads = new IncomingUpload(store, buckets.incoming());
        // before binding: a bad setting must not leave the port taken
        CatalogEndpoints catalog = new CatalogEndpoints(store, buckets.catalog(), documents, properties, signer);
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.setExecutor(Executors.newFixedThreadPool(THREADS, DaemonThreads.named("ovaflow-http")));
        InetSocketAddress bound = server.getAddress();
        String url = "http://" + bound.getHostString() + ":" + bound.getPort();

        server.createContext("/", exchange -> handle(exchange, () -> StaticPage.file(exchange.getRequestURI().getPath())
                .map(file -> new Response(200, file.contentType(), file.content()))
                .orElseGet(() -> notFound("no page " + exchange.getRequestURI().getPath()))));
        server.createContext("/health", exchange -> handle(exchange, () -> {
            boolean up = healthy.getAsBoolean();
            return new Response(up ? 200 : 503, JSON, EventCodec.toJson(Map.of("status", up ? "UP" : "DOWN")));
        }));
        server.createContext("/metrics", exchange -> handle(exchange, () -> new Response(200,
                "text/plain; version=0.0.4; charset=utf-8", metrics.scrape().getBytes(StandardCharsets.UTF_8))));
        server.createContext("/api/imports", exchange -> {
            if ("POST".equals(exchange.getRequestMethod())) {
                handleMutation(exchange, token, () -> upload(exchange, uploads));
                return;
            }
            handle(exchange, () -> {
                String id = subPath(exchange, "/api/imports");
                if (id.isEmpty()) {
                    return new Response(200, JSON, EventCodec.toJson(statuses.recent(200)));
                }
                return statuses.get(id)
                        .map(status -> new Response(200, JSON, EventCodec.toJson(status)))
                        .orElseGet(() -> notFound("no import " + id));
            });
        });
        server.createContext("/api/stages", exchange -> handle(exchange, () ->
                new Response(200, JSON, EventCodec.toJson(Map.of("stages", StageCounts.of(statuses))))));
        server.createContext("/api/catalog", exchange -> handle(exchange, () -> catalog.catalog(exchange)));
        server.createContext("/api/products", exchange -> handle(exchange, () -> catalog.products(exchange)));
        server.createContext("/api/vendors", exchange -> handle(exchange, () -> catalog.vendors(exchange)));
        server.createContext("/api/signing", exchange -> handle(exchange, () -> catalog.signing(exchange)));
        server.createContext("/feeds/", exchange -> handle(exchange, () -> catalog.feed(exchange, url)));
        server.createContext("/keys/", exchange -> handle(exchange, () -> catalog.publicKey(exchange)));
        server.createContext("/api/quarantine/", exchange -> handle(exchange, () -> {
            String id = subPath(exchange, "/api/quarantine");
            return json(documents.rejectionReport(id), "no rejection report of " + id);
        }));
        server.start();
        return new StatusServer(server, url);
    }

    private static Response upload(HttpExchange exchange, IncomingUpload uploads) throws IOException {
        String name = queryParameter(exchange, "name");
        String invalid = IncomingUpload.invalidName(name);
        if (invalid != null) {
            return error(400, invalid);
        }
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        long size;
        try {
            size = length == null ? -1 : Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            return error(400, "Content-Length is not a number");
        }
        String importId;
        try (InputStream body = exchange.getRequestBody()) {
            importId = uploads.store(name, body, size);
        }
        LOG.info("{} uploaded over HTTP as import {}", name, importId);
        return new Response(202, JSON, EventCodec.toJson(Map.of("importId", importId, "name", name)));
    }

    /** The path below {@code prefix}, without leading or trailing slash. */
    private static String subPath(HttpExchange exchange, String prefix) {
        String path = exchange.getRequestURI().getPath();
        return path.substring(Math.min(prefix.length(), path.length())).replaceAll("^/+|/+$", "");
    }

    private static String queryParameter(HttpExchange exchange, String key) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0 && URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8).equals(key)) {
                return URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static Response json(Optional<byte[]> document, String missing) {
        return document.map(body -> new Response(200, JSON, body)).orElseGet(() -> notFound(missing));
    }

    private static Response notFound(String message) {
        return Response.notFound(message);
    }

    private static Response error(int status, String message) {
        return Response.error(status, message);
    }

    @FunctionalInterface
    private interface Handler {
        Response handle() throws IOException;
    }

    /** A read-only endpoint: GET only. */
    private static void handle(HttpExchange exchange, Handler handler) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", exchange.getHttpContext().getPath().equals("/api/imports")
                        ? "GET, POST" : "GET");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            respond(exchange, handler);
        }
    }

    /** A mutating endpoint: only with the bearer token; the body is not read before the token is checked. */
    private static void handleMutation(HttpExchange exchange, ApiToken token, Handler handler) throws IOException {
        try (exchange) {
            if (!token.authorizes(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"ovaflow\"");
                send(exchange, error(401, "a bearer token is required (Authorization: Bearer <token>)"));
                return;
            }
            respond(exchange, handler);
        }
    }

    private static void respond(HttpExchange exchange, Handler handler) throws IOException {
        Response response;
        try {
            response = handler.handle();
        } catch (RuntimeException e) {
            LOG.warn("{} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e.toString());
            response = error(500, String.valueOf(e.getMessage()));
        }
        send(exchange, response);
    }

    private static void send(HttpExchange exchange, Response response) throws IOException {
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", response.contentType());
        response.headers().forEach(headers::set);
        // the page shows names from uploaded files: whatever slips through, no script but ours runs
        headers.set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
                + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(response.status(), response.body().length == 0 ? -1 : response.body().length);
        if (response.body().length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(response.body());
            }
        }
    }

    public String url() {
        return url;
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
