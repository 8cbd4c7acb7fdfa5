package org.ovaflow.publish.feed;

import com.rometools.rome.feed.synd.SyndEntry;
import com.rometools.rome.feed.synd.SyndFeed;
import org.jdom2.Attribute;
import org.jdom2.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.xml.HardenedDocumentBuilders;
import org.ovaflow.publish.catalog.ApplianceRecord;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Metadata from a hostile descriptor (markup, entities, control characters, huge names) comes out of the feeds
 * escaped, stripped and cut: the documents stay well-formed (Rome, the JDK's parser, xmllint) and inert.
 */
class HostileMetadataFeedIT {

    private static final String CONTROLS;

    static {
        StringBuilder controls = new StringBuilder();
        for (char c = 0; c < 0x20; c++) {
            controls.append(c);
        }
        CONTROLS = controls.append('\u007f').append('\u0085').append('\ufffe').append('\uffff').append('\ud800')
                .toString();
    }

    private static final String SCRIPT = "<script>alert(document.cookie)</script>";
    private static final String HUGE = "W".repeat(10_000);

    private final CatalogFeeds feeds = new CatalogFeeds(new CatalogLinks("http://catalog.example"));

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(FeedFormat.class)
    void hostileFieldsComeOutEscapedStrippedAndCut(FeedFormat format) throws Exception {
        byte[] xml = feeds.xml(FeedScope.catalog(), format, List.of(hostile("1.0", false), hostile("0.9", true)))
                .orElseThrow();
        String text = new String(xml, StandardCharsets.UTF_8);

        // well-formed for a strict parser, and no control character but the line breaks of pretty-printing
        new HardenedDocumentBuilders().newDocumentBuilder().parse(new ByteArrayInputStream(xml));
        assertThat(text.chars().filter(c -> c < 0x20 && c != '\n')).isEmpty();
        assertThat(text).doesNotContain("\u007f", "\u0085", "\ufffe", "\uffff");
        // markup only ever arrives as text: no raw tag of the descriptor's in the document
        assertThat(text).doesNotContain("<script", "<img", "<b>");
        // a 10,000-character name is cut to something a reader can show
        assertThat(text.length()).isLessThan(20_000);

        List<SyndEntry> entries = CatalogFeedsTest.parse(xml).getEntries();
        SyndEntry entry = entries.stream().filter(e -> !e.getTitle().startsWith("Retracted")).findFirst().orElseThrow();
        SyndEntry retracted = entries.stream().filter(e -> e.getTitle().startsWith("Retracted")).findFirst().orElseThrow();
        assertThat(entry.getTitle()).doesNotContain("<", ">").hasSizeLessThan(260)
                .contains("W… 1.0", "alert(document.cookie)/script & Co");
        assertThat(entry.getAuthor()).doesNotContain("<", ">");
        // what a reader renders as HTML: only ovaflow's own tags, the descriptor's text escaped inside them
        String notes = entry.getDescription().getValue();
        assertThat(tags(notes)).allMatch(tag -> tag.matches("/?(p|strong|a)"));
        assertThat(notes).contains("&lt;script&gt;", "&lt;img src=x onerror=alert(1)&gt;", "&amp;amp;")
                .doesNotContain("javascript:alert(2)\"", "href=\"javascript");
        assertThat(notes.chars().filter(c -> c < 0x20)).isEmpty();
        assertThat(retracted.getDescription().getValue()).contains("pulled: &lt;b&gt;x&lt;/b&gt; &amp; y");
        for (SyndEntry each : entries) {
            for (Element markup : each.getForeignMarkup()) {
                for (Attribute attribute : markup.getAttributes()) {
                    assertThat(attribute.getValue().chars().filter(c -> c < 0x20)).as(attribute.getName()).isEmpty();
                }
            }
        }
        Element artifact = CatalogFeedsTest.ovaflow(entry, "artifact").get(0);
        assertThat(artifact.getAttributeValue("url")).startsWith("http://catalog.example/api/catalog/evil/x/1.0/download/")
                .doesNotContain("<", ">", "\"", " ").contains("%3Cscript%3E");
        assertThat(CatalogFeedsTest.ovaflow(retracted, "retraction").get(0).getAttributeValue("reason"))
                .isEqualTo("pulled: <b>x</b> & y");
    }

    @Test
    void everyFeedTypeIsWellFormedForXmllint() throws Exception {
        Xmllint xmllint = Xmllint.require();
        List<ApplianceRecord> catalog = List.of(hostile("1.0", false), hostile("0.9", true),
                FeedRecords.record("Acme Corp", "Widget", "1.0", "import-w1", Instant.parse("2026-01-10T08:00:00Z"), true),
                FeedRecords.record("Acme Corp", "Widget", "2.0", "import-w2", Instant.parse("2026-01-11T08:00:00Z"), false));
        for (FeedFormat format : FeedFormat.values()) {
            for (FeedScope scope : List.of(FeedScope.catalog(), FeedScope.vendor("acme-corp"),
                    FeedScope.product("acme-corp", "widget"), FeedScope.vendor("evil"))) {
                Path file = dir.resolve(scope.path().replace('/', '_') + "." + format.extension());
                Files.write(file, feeds.xml(scope, format, catalog).orElseThrow());
                xmllint.assertWellFormed(file);
            }
            Path empty = dir.resolve("empty." + format.extension());
            Files.write(empty, feeds.xml(FeedScope.catalog(), format, List.of()).orElseThrow());
            xmllint.assertWellFormed(empty);
        }
    }

    @Test
    void xmllintRefusesABrokenDocument() throws Exception {
        // the check above can fail: a feed with a raw control character is what it would catch
        Xmllint xmllint = Xmllint.require();
        Path broken = dir.resolve("broken.rss");
        Files.writeString(broken, "<rss version=\"2.0\"><channel><title>a\u0001b</title></channel></rss>");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> xmllint.assertWellFormed(broken))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void roundTripOfHostileTextThroughRome() throws Exception {
        SyndFeed feed = CatalogFeedsTest.parse(feeds.xml(FeedScope.catalog(), FeedFormat.RSS, List.of(hostile("1.0", false)))
                .orElseThrow());
        assertThat(feed.getEntries()).hasSize(1);
        assertThat(feed.getEntries().get(0).getEnclosures()).hasSize(1);
    }

    /** Every field a descriptor controls, at its worst. */
    private static ApplianceRecord hostile(String version, boolean retracted) {
        String vendor = SCRIPT + " & Co" + CONTROLS + "\"'";
        String product = HUGE + SCRIPT;
        ApplianceMetadata appliance = new ApplianceMetadata("1.x", vendor, product, "1.0" + CONTROLS,
                "1.0 &amp; <img src=x onerror=alert(1)>" + CONTROLS, "javascript:alert(2)\"><script>x</script>",
                SCRIPT + HUGE,
                List.of(new ApplianceMetadata.VirtualSystem("vm", SCRIPT, null, null, null, null, 1,
                        "Linux" + CONTROLS + "<iframe src=//evil>", null, 1, 1L, 0, 0)),
                List.of(), List.of(), List.of(), List.of(), null, true);
        String name = "<script>" + CONTROLS + "../disk.vmdk";
        List<ApplianceRecord.Artifact> artifacts = List.of(
                new ApplianceRecord.Artifact(name, "disk" + CONTROLS, "evil/x/1.0/d", 10, "d".repeat(64),
                        "vmdk" + SCRIPT, null));
        ApplianceRecord record = new ApplianceRecord(1, "evil", "x", version, appliance, artifacts,
                new ApplianceRecord.Provenance("import-evil-" + version, "s3://x/y", "e", null, Instant.EPOCH,
                        Instant.parse("2026-02-01T00:00:00Z"), List.of()), ApplianceRecord.AVAILABLE, null);
        return retracted ? record.retracted(Instant.parse("2026-02-02T00:00:00Z"), "pulled:" + CONTROLS + "<b>x</b> & y")
                : record;
    }

    private static List<String> tags(String html) {
        Matcher matcher = Pattern.compile("<\\s*(/?[A-Za-z0-9]+)").matcher(html);
        List<String> tags = new java.util.ArrayList<>();
        while (matcher.find()) {
            tags.add(matcher.group(1));
        }
        return tags;
    }
}
