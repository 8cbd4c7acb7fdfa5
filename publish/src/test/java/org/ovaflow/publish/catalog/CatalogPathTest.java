package org.ovaflow.publish.catalog;

import org.junit.jupiter.api.Test;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Catalog folders are stable slugs that no descriptor can turn into another folder. */
class CatalogPathTest {

    @Test
    void vendorProductAndVersionBecomeLowerCaseSlugs() {
        CatalogPath path = CatalogPath.of(event("app.ova", metadata("Acme Corp", "Widget Server", "2.4.1-GA", null)));

        assertThat(path).isEqualTo(new CatalogPath("acme-corp", "widget-server", "2.4.1-ga"));
        assertThat(path.prefix()).isEqualTo("acme-corp/widget-server/2.4.1-ga/");
    }

    @Test
    void accentsAreFoldedToAsciiAndOtherScriptsDropped() {
        assertThat(CatalogPath.slug("Ünïcödé Café", "x")).isEqualTo("unicode-cafe");
        assertThat(CatalogPath.slug("Ｗｉｄｇｅｔ ①", "x")).isEqualTo("widget-1");
        assertThat(CatalogPath.slug("ウィジェット 7", "x")).isEqualTo("7");
        assertThat(CatalogPath.slug("ウィジェット", "fallback")).isEqualTo("fallback");
    }

    @Test
    void runsOfSpacesAndSymbolsBecomeOneDash() {
        assertThat(CatalogPath.slug("  Widget   /  Server\t(beta) ", "x")).isEqualTo("widget-server-beta");
        assertThat(CatalogPath.slug("a_b.c-d", "x")).isEqualTo("a_b.c-d");
    }

    @Test
    void dotsAndTraversalNeverBecomeAFolderOfTheirOwn() {
        assertThat(CatalogPath.slug("../..", "fallback")).isEqualTo("fallback");
        assertThat(CatalogPath.slug("..", "fallback")).isEqualTo("fallback");
        assertThat(CatalogPath.slug(".", "fallback")).isEqualTo("fallback");
        assertThat(CatalogPath.slug("../../etc/passwd", "fallback")).isEqualTo("etc-passwd");
        assertThat(CatalogPath.slug(".hidden.", "fallback")).isEqualTo("hidden");
        assertThat(CatalogPath.slug("a/../b", "fallback")).doesNotContain("/");
    }

    @Test
    void emptyAndBlankTextTakeTheFallback() {
        assertThat(CatalogPath.slug(null, "fallback")).isEqualTo("fallback");
        assertThat(CatalogPath.slug("", "fallback")).isEqualTo("fallback");
        assertThat(CatalogPath.slug("   ", "fallback")).isEqualTo("fallback");
        assertThat(CatalogPath.slug("!!!", "fallback")).isEqualTo("fallback");
    }

    @Test
    void veryLongTextIsCutAt64CharactersWithoutATrailingDash() {
        String slug = CatalogPath.slug("word ".repeat(40), "x");

        assertThat(slug).hasSizeLessThanOrEqualTo(64).startsWith("word-word").doesNotEndWith("-");
        assertThat(CatalogPath.slug("a".repeat(63) + ".b", "x")).isEqualTo("a".repeat(63));
    }

    @Test
    void withoutAProductSectionTheDocumentedFallbacksApply() {
        ImportEvent named = event("uploads/My Appliance.ova", metadata(null, null, null, "Named VM"));
        ImportEvent unnamed = event("uploads/My Appliance.ova", metadata(null, null, null, null));

        assertThat(CatalogPath.of(named))
                .isEqualTo(new CatalogPath("unknown-vendor", "named-vm", "unversioned-" + named.importId()));
        assertThat(CatalogPath.of(unnamed))
                .isEqualTo(new CatalogPath("unknown-vendor", "my-appliance", "unversioned-" + unnamed.importId()));
    }

    @Test
    void aNameThatSlugsToNothingFallsBackToTheNextCandidateNotToAPlaceholder() {
        ImportEvent japanese = event("uploads/widget-jp.ova", metadata("株式会社", "ウィジェット", "1.0", "ウィジェット"));

        assertThat(CatalogPath.of(japanese)).isEqualTo(new CatalogPath("unknown-vendor", "widget-jp", "1.0"));
    }

    @Test
    void theUploadersOverridesWinOverTheDescriptor() {
        ImportEvent event = event("uploads/x.ova", metadata("Acme", "Widget", "1.0", null))
                .withOverrides(new org.ovaflow.core.event.ProductOverrides("ACME Corporation", null, "1.0.1"));

        assertThat(CatalogPath.of(event)).isEqualTo(new CatalogPath("acme-corporation", "widget", "1.0.1"));
    }

    @Test
    void withoutAnyMetadataTheFileNameAndImportIdNameTheEntry() {
        ImportEvent event = event("dir/router.v2.ova", null);

        assertThat(CatalogPath.of(event))
                .isEqualTo(new CatalogPath("unknown-vendor", "router.v2", "unversioned-" + event.importId()));
    }

    @Test
    void twoUnversionedUploadsOfDifferentContentGetDifferentFolders() {
        ApplianceMetadata noVersion = metadata("Acme", "Widget", null, null);
        ImportEvent first = ImportEvent.arrived(new ObjectRef("in", "w.ova", "etag-1", 1, null), "scan", Instant.EPOCH)
                .withAppliance(noVersion);
        ImportEvent second = ImportEvent.arrived(new ObjectRef("in", "w.ova", "etag-2", 1, null), "scan", Instant.EPOCH)
                .withAppliance(noVersion);

        assertThat(CatalogPath.of(first).prefix()).isNotEqualTo(CatalogPath.of(second).prefix());
    }

    static ApplianceMetadata metadata(String vendor, String product, String version, String name) {
        return new ApplianceMetadata("1.x", vendor, product, version, version, null, name, List.of(), List.of(),
                List.of(), List.of(), List.of(), null, false);
    }

    private static ImportEvent event(String key, ApplianceMetadata appliance) {
        ImportEvent arrived = ImportEvent.arrived(new ObjectRef("ova-incoming", key, "etag", 1, null), "scan",
                Instant.EPOCH);
        return appliance == null ? arrived : arrived.withAppliance(appliance);
    }
}
