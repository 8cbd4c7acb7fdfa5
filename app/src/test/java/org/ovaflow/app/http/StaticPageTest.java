package org.ovaflow.app.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which paths give which page: the listed files, a product's and a report's page for paths shaped as they are. */
class StaticPageTest {

    @Test
    void theCatalogAProductAndAReportHaveTheirPages() {
        assertThat(page("/")).contains("<title>ovaflow status</title>");
        assertThat(page("/catalog")).contains("/catalog.js");
        for (String product : List.of("/catalog/acme-corp/big-widget", "/catalog/acme-corp/big-widget/1.10",
                "/catalog/acme-corp/big-widget/1.0-rc1+b2/")) {
            assertThat(page(product)).as(product).contains("/product.js");
        }
        assertThat(page("/report/0123456789abcdef01234567")).contains("/report.js");
        assertThat(StaticPage.file("/catalog.css").orElseThrow().contentType()).startsWith("text/css");
        assertThat(StaticPage.file("/product.js").orElseThrow().contentType()).startsWith("text/javascript");
    }

    @Test
    void otherPathsHaveNone() {
        for (String path : List.of("/catalog/acme-corp", "/catalog/a/b/c/d", "/catalog/../etc/passwd",
                "/catalog/.hidden/x", "/report/", "/report/a/b", "/report/<script>", "/web/index.html",
                "/catalog.html", "/product.html", "/status.js.map")) {
            assertThat(StaticPage.file(path)).as(path).isEmpty();
        }
    }

    private static String page(String path) {
        return new String(StaticPage.file(path).orElseThrow().content(), StandardCharsets.UTF_8);
    }
}
