package org.ovaflow.app.http;

import org.junit.jupiter.api.Test;
import org.ovaflow.core.store.ObjectStore;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parts of the catalog endpoints that need no server: path decoding, base URLs, settings. */
class CatalogEndpointsTest {

    // a client of a store nobody listens on: these tests never reach it
    private final ObjectStore store = new ObjectStore("http://127.0.0.1:9", "key", "secret");

    @Test
    void pathsAreDecodedSegmentBySegment() {
        assertThat(CatalogEndpoints.segments("/api/catalog", "/api/catalog")).contains(List.of());
        assertThat(CatalogEndpoints.segments("/api/catalog/", "/api/catalog")).contains(List.of());
        assertThat(CatalogEndpoints.segments("/api/catalog/a/b/1.0/", "/api/catalog")).contains(List.of("a", "b", "1.0"));
        assertThat(CatalogEndpoints.segments("/api/catalog/a/b/1.0/download/qcow2/disk%201+x.qcow2", "/api/catalog"))
                .contains(List.of("a", "b", "1.0", "download", "qcow2", "disk 1+x.qcow2"));
    }

    @Test
    void dotSegmentsEncodedSlashesAndForeignPrefixesAreRefused() {
        for (String path : List.of("/api/catalogue", "/api/catalog/../x", "/api/catalog/a/%2e%2e/x", "/api/catalog/a/%2E/x",
                "/api/catalog/a/b%2Fc/d", "/api/catalog//etc/passwd", "/api/catalog/a/%00/b", "/api/catalog/a/%zz/b",
                "/api/catalog/a//b")) {
            assertThat(CatalogEndpoints.segments(path, "/api/catalog")).as(path).isEqualTo(Optional.empty());
        }
    }

    @Test
    void linksFollowTheHostAskedForUnlessAPublicUrlIsSet() {
        CatalogEndpoints endpoints = endpoints(Map.of());
        assertThat(endpoints.baseUrl("catalog.example:8642", "http://127.0.0.1:1")).isEqualTo("http://catalog.example:8642");
        assertThat(endpoints.baseUrl("[::1]:8642", "http://127.0.0.1:1")).isEqualTo("http://[::1]:8642");
        assertThat(endpoints.baseUrl(null, "http://127.0.0.1:1")).isEqualTo("http://127.0.0.1:1");
        for (String hostile : List.of("evil.example/\"><script>", "a b", "x@evil.example", "evil.example:80/path")) {
            assertThat(endpoints.baseUrl(hostile, "http://127.0.0.1:1")).as(hostile).isEqualTo("http://127.0.0.1:1");
        }

        CatalogEndpoints behindProxy = endpoints(Map.of(CatalogEndpoints.PUBLIC_URL, "https://downloads.example/ovaflow/"));
        assertThat(behindProxy.baseUrl("catalog.example:8642", "http://127.0.0.1:1"))
                .isEqualTo("https://downloads.example/ovaflow");
    }

    @Test
    void badSettingsAreRefusedAtStart() {
        for (String expiry : List.of("0", "-5", "604801", "an hour")) {
            assertThatThrownBy(() -> endpoints(Map.of(CatalogEndpoints.PRESIGN_EXPIRY, expiry))).as(expiry)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(CatalogEndpoints.PRESIGN_EXPIRY);
        }
        assertThatThrownBy(() -> endpoints(Map.of(CatalogEndpoints.PUBLIC_URL, "ftp://x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anArtifactIsServedOnlyFromInsideItsEntrysFolderAsItsKeySaysWhereThatIs() {
        assertThat(CatalogEndpoints.insideFolder("acme/widget/1.0/qcow2/disk1.qcow2", "acme/widget/1.0/")).isTrue();
        // a replacement's files: <version>/<importId>/…
        assertThat(CatalogEndpoints.insideFolder("acme/widget/1.0/0123abcd/disk1.img", "acme/widget/1.0/")).isTrue();
        for (String key : List.of("acme/widget/1.0/", "acme/widget/1.0/../1.1/disk1.img", "acme/widget/1.0//x",
                "acme/widget/1.0/./x", "acme/widget/1.1/disk1.img", "index.json", "acme/widget/1.0")) {
            assertThat(CatalogEndpoints.insideFolder(key, "acme/widget/1.0/")).as(key).isFalse();
        }
        assertThat(CatalogEndpoints.insideFolder(null, "acme/widget/1.0/")).isFalse();
    }

    @Test
    void queryParametersAreDecodedAndUnknownOnesNamed() {
        Map<String, String> into = new java.util.HashMap<>();
        assertThat(CatalogEndpoints.parameters("q=big+widget&vendor=acme-corp&cursor=a%2Fb&", java.util.Set.of("q",
                "vendor", "cursor"), into)).isNull();
        assertThat(into).containsEntry("q", "big widget").containsEntry("vendor", "acme-corp").containsEntry("cursor", "a/b");
        assertThat(CatalogEndpoints.parameters("sort=name", java.util.Set.of("q"), new java.util.HashMap<>()))
                .contains("no parameter sort");
        assertThat(CatalogEndpoints.parameters("q=%zz", java.util.Set.of("q"), new java.util.HashMap<>()))
                .contains("not URL-encoded");
    }

    private CatalogEndpoints endpoints(Map<String, String> properties) {
        return new CatalogEndpoints(store, "ova-catalog", new StoredDocuments(store, "ova-catalog", "ova-quarantine"),
                properties, null);
    }
}
