package org.ovaflow.app.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The pages served from the classpath folder {@code web/}: the status page, the browsable catalog, a product's page
 * and a rejection report's; only the files listed here are served. A product's and a report's page are one file each
 * whatever the path names (their script reads the path), for paths shaped as the catalog's slugs and import ids are.
 */
final class StaticPage {

    private static final Map<String, String> FILES = Map.ofEntries(
            Map.entry("/", "index.html"),
            Map.entry("/index.html", "index.html"),
            Map.entry("/status.css", "status.css"),
            Map.entry("/status.js", "status.js"),
            Map.entry("/catalog", "catalog.html"),
            Map.entry("/catalog/", "catalog.html"),
            Map.entry("/catalog.css", "catalog.css"),
            Map.entry("/page.js", "page.js"),
            Map.entry("/catalog.js", "catalog.js"),
            Map.entry("/product.js", "product.js"),
            Map.entry("/report.js", "report.js"));
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8");
    private static final String SLUG = "[A-Za-z0-9_-][A-Za-z0-9._+-]{0,127}";
    /** {@code /catalog/VENDOR/PRODUCT} or {@code /catalog/VENDOR/PRODUCT/VERSION}. */
    private static final Pattern PRODUCT = Pattern.compile("/catalog/" + SLUG + "/" + SLUG + "(/" + SLUG + ")?/?");
    /** {@code /report/IMPORTID}. */
    private static final Pattern REPORT = Pattern.compile("/report/[A-Za-z0-9_-]{1,64}/?");

    record File(String contentType, byte[] content) {
    }

    private StaticPage() {
    }

    static Optional<File> file(String path) {
        String name = FILES.get(path);
        if (name == null && PRODUCT.matcher(path).matches()) {
            name = "product.html";
        } else if (name == null && REPORT.matcher(path).matches()) {
            name = "report.html";
        }
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
