package org.ovaflow.app.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/** The files of the status page, from the classpath folder {@code web/}; only those listed here are served. */
final class StaticPage {

    private static final Map<String, String> FILES = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/status.css", "status.css",
            "/status.js", "status.js");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8");

    record File(String contentType, byte[] content) {
    }

    private StaticPage() {
    }

    static Optional<File> file(String path) {
        String name = FILES.get(path);
        if (name == null) {
            return Optional.empty();
        }
        try (InputStream in = StaticPage.class.getClassLoader().getResourceAsStream("web/" + name)) {
            if (in == null) {
                throw new IllegalStateException("web/" + name + " is missing from the classpath");
            }
            return Optional.of(new File(TYPES.get(name.substring(name.lastIndexOf('.') + 1)), in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read web/" + name, e);
        }
    }
}
