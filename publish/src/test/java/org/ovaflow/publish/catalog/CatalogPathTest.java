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

    /** Whatever a descriptor or a vendor catalog says, each part is a safe folder name and the same every time. */
    static final List<String> HOSTILE = List.of(
            "../../../etc/passwd", "..\\..\\windows\\system32", "/absolute/path", "./.", "..%2f..%2f", "~root",
            "Acme\u0000Corp", "line\nbreak\rreturn\ttab", "\u001b[31mred\u001b[0m", "\u0007\u0008\u007f",
            "<script>alert('x')</script>", "<img src=x onerror=alert(1)>", "\"quoted\" & 'single' `tick`",
            "\u202Egnp.exe", "zero\u200Bwidth", "Ångström Ünïcödé", "🚀 Rocket 🚀", "Straße", "İstanbul",
            "ウィジェット", "١٢٣ Arabic digits", "A".repeat(10 * 1024), "<b>Widget</b> ".repeat(800), "ä".repeat(10 * 1024),
            ".", "..", "...", "-", "-.-", " ", "\u0000");

    @Test
    void hostileTextBecomesASafeStableSlugOrTheFallback() {
        for (String text : HOSTILE) {
            String slug = CatalogPath.slug(text, "fallback");

            // never starts with a dot, so it is never "." or ".." (dots inside a name are harmless)
            assertThat(slug).as(printable(text)).matches("[a-z0-9_][a-z0-9._-]{0,63}")
                    .doesNotEndWith("-").doesNotEndWith(".");
            assertThat(CatalogPath.slug(text, "fallback")).as("stable: " + printable(text)).isEqualTo(slug);
        }
    }

    @Test
    void hostileTextKeepsWhatIsSafeInIt() {
        assertThat(CatalogPath.slug("../../../etc/passwd", "x")).isEqualTo("etc-passwd");
        assertThat(CatalogPath.slug("..\\..\\windows\\system32", "x")).isEqualTo("windows-system32");
        assertThat(CatalogPath.slug("Acme\u0000Corp", "x")).isEqualTo("acme-corp");
        assertThat(CatalogPath.slug("line\nbreak\rreturn\ttab", "x")).isEqualTo("line-break-return-tab");
        assertThat(CatalogPath.slug("\u001b[31mred\u001b[0m", "x")).isEqualTo("31mred-0m");
        assertThat(CatalogPath.slug("<script>alert('x')</script>", "x")).isEqualTo("script-alert-x-script");
        assertThat(CatalogPath.slug("\u202Egnp.exe", "x")).isEqualTo("gnp.exe");
        assertThat(CatalogPath.slug("Ångström Ünïcödé", "x")).isEqualTo("angstrom-unicode");
        assertThat(CatalogPath.slug("🚀 Rocket 🚀", "x")).isEqualTo("rocket");
        assertThat(CatalogPath.slug("A".repeat(10 * 1024), "x")).isEqualTo("a".repeat(64));
        assertThat(CatalogPath.slug("\u0007\u0008\u007f", "fallback")).isEqualTo("fallback");
        assertThat(CatalogPath.slug("-.-", "fallback")).isEqualTo("fallback");
    }

    @Test
    void anEntryOfHostileVendorProductAndVersionStaysInItsOwnThreeFolders() {
        for (String text : HOSTILE) {
            ImportEvent event = event("uploads/" + text.replace("/", "_") + ".ova", metadata(text, text, text, text));

            CatalogPath path = CatalogPath.of(event);

            assertThat(path.prefix()).as(printable(text))
                    .matches("([a-z0-9_][a-z0-9._-]{0,63}/){3}");
            assertThat(CatalogPath.of(event)).isEqualTo(path);
        }
    }

    /** The text as a test report can show it: control characters escaped, 10 KB cut short. */
    private static String printable(String text) {
        String shown = text.length() > 60 ? text.substring(0, 60) + "… (" + text.length() + " chars)" : text;
        StringBuilder out = new StringBuilder();
        shown.codePoints().forEach(c -> out.append(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                ? String.format("\\u%04x", c) : Character.toString(c)));
        return out.toString();
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
