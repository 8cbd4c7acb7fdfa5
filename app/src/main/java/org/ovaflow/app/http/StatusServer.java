package org.ovaflow.app.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.ovaflow.app.pipeline.ImportStatuses;
import org.ovaflow.core.event.EventCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The HTTP side of a pipeline process: {@code /health}, {@code /metrics} (Prometheus text format) and
 * {@code /api/imports[/ID]}. Read-only endpoints; the JDK's HTTP server is enough for them.
 */
public final class StatusServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);
    private static final String JSON = "application/json";

    private final HttpServer server;
    private final String url;

    private StatusServer(HttpServer server, String url) {
        this.server = server;
        this.url = url;
    }

    public static StatusServer start(String host, int port, ImportStatuses statuses,
                                     PrometheusMeterRegistry metrics, BooleanSupplier healthy) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "ovaflow-http");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/health", exchange -> handle(exchange, () -> {
            boolean up = healthy.getAsBoolean();
            return new Response(up ? 200 : 503, JSON, EventCodec.toJson(Map.of("status", up ? "UP" : "DOWN")));
        }));
        server.createContext("/metrics", exchange -> handle(exchange, () -> new Response(200,
                "text/plain; version=0.0.4; charset=utf-8", metrics.scrape().getBytes(StandardCharsets.UTF_8))));
        server.createContext("/api/imports", exchange -> handle(exchange, () -> {
            String path = exchange.getRequestURI().getPath();
            String id = path.replaceFirst("^/api/imports/?", "");
            if (id.isEmpty()) {
                return new Response(200, JSON, EventCodec.toJson(statuses.recent(200)));
            }
            return statuses.get(id)
                    .map(status -> new Response(200, JSON, EventCodec.toJson(status)))
                    .orElseGet(() -> new Response(404, JSON, EventCodec.toJson(Map.of("error", "no import " + id))));
        }));
        server.start();
        InetSocketAddress bound = server.getAddress();
        return new StatusServer(server, "http://" + bound.getHostString() + ":" + bound.getPort());
    }

    private record Response(int status, String contentType, byte[] body) {
    }

    @FunctionalInterface
    private interface Handler {
        Response handle() throws IOException;
    }

    private static void handle(HttpExchange exchange, Handler handler) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            Response response;
            try {
                response = handler.handle();
            } catch (RuntimeException e) {
                LOG.warn("{} failed: {}", exchange.getRequestURI(), e.toString());
                response = new Response(500, JSON, EventCodec.toJson(Map.of("error", String.valueOf(e.getMessage()))));
            }
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            exchange.sendResponseHeaders(response.status(), response.body().length);
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
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
