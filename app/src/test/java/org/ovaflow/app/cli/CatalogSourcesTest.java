package org.ovaflow.app.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ovaflow.publish.catalog.CatalogVerifier;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An upstream that catalog follow reads is read at its own URLs only: a redirect elsewhere is not followed. */
class CatalogSourcesTest {

    private HttpServer upstream;
    private HttpServer elsewhere;
    private final AtomicInteger elsewhereRequests = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        elsewhere = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        elsewhere.createContext("/", exchange -> {
            elsewhereRequests.incrementAndGet();
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("{}".getBytes(StandardCharsets.UTF_8));
            exchange.close();
        });
        elsewhere.start();
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/catalog/", exchange -> {
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals("/catalog/index.json")) {
                exchange.getResponseHeaders().add("Location", "http://127.0.0.1:" + elsewhere.getAddress().getPort()
                        + "/index.json");
                exchange.sendResponseHeaders(302, -1);
            } else if (path.equals("/catalog/acme%20corp/a.json")) {
                exchange.sendResponseHeaders(200, 2);
                exchange.getResponseBody().write("ok".getBytes(StandardCharsets.UTF_8));
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
            exchange.close();
        });
        upstream.start();
    }

    @AfterEach
    void stop() {
        upstream.stop(0);
        elsewhere.stop(0);
    }

    @Test
    void anUpstreamsRedirectIsNotFollowedAndItsLocationNamed() {
        CatalogVerifier.Source source = CatalogSources.http(base(), HttpClient.Redirect.NEVER);

        assertThatThrownBy(() -> source.open("index.json")).isInstanceOf(IOException.class)
                .hasMessageContaining("HTTP 302 to http://127.0.0.1:" + elsewhere.getAddress().getPort())
                .hasMessageContaining("not followed");
        assertThat(elsewhereRequests).hasValue(0);
    }

    @Test
    void keysAreReadUnderTheBaseSegmentBySegmentAndAMissingOneIsEmpty() throws IOException {
        CatalogVerifier.Source source = CatalogSources.http(base(), HttpClient.Redirect.NEVER);

        Optional<InputStream> found = source.open("acme corp/a.json");
        assertThat(found).isPresent();
        try (InputStream in = found.get()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("ok");
        }
        assertThat(source.open("nothing.json")).isEmpty();
        assertThat(source.describe("acme corp/a.json")).isEqualTo(base() + "acme%20corp/a.json");
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + upstream.getAddress().getPort() + "/catalog/");
    }
}
