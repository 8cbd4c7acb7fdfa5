package org.ovaflow.publish.feed;

import com.rometools.rome.feed.synd.SyndEnclosure;
import com.rometools.rome.feed.synd.SyndEntry;
import com.rometools.rome.feed.synd.SyndFeed;
import com.rometools.rome.feed.synd.SyndLink;
import com.rometools.rome.io.SyndFeedInput;
import org.jdom2.Element;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.ovaflow.publish.catalog.ApplianceRecord;
import org.xml.sax.InputSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The feeds as Rome reads them back: items, order, links, enclosures and the ovaflow markup. */
class CatalogFeedsTest {

    private static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");

    private final CatalogLinks links = new CatalogLinks("http://catalog.example:8642/");
    private final CatalogFeeds feeds = new CatalogFeeds(links);

    private final ApplianceRecord widget1 = FeedRecords.record("Acme Corp", "Widget", "1.0", "import-w1", T0, true);
    private final ApplianceRecord widget2 = FeedRecords.record("Acme Corp", "Widget", "2.0", "import-w2",
            T0.plusSeconds(3600), true);
    private final ApplianceRecord gadget = FeedRecords.record("Acme Corp", "Gadget", "0.9", "import-g",
            T0.plusSeconds(60), false);
    private final ApplianceRecord router = FeedRecords.record("Globex", "Router", "3.1", "import-r",
            T0.plusSeconds(120), false);
    private final ApplianceRecord retracted = FeedRecords.record("Globex", "Router", "3.0", "import-r0",
            T0.minusSeconds(7200), true).retracted(T0.plusSeconds(7200), "CVE-2026-0001: default password");
    private final List<ApplianceRecord> catalog = List.of(widget1, gadget, retracted, router, widget2);

    @ParameterizedTest
    @EnumSource(FeedFormat.class)
    void theWholeCatalogHasOneItemPerVersionNewestFirst(FeedFormat format) throws Exception {
        SyndFeed feed = parse(feeds.xml(FeedScope.catalog(), format, catalog).orElseThrow());

        assertThat(feed.getFeedType()).isEqualTo(format.romeType());
        assertThat(feed.getEntries()).extracting(SyndEntry::getTitle).containsExactly(
                "Retracted: Router 3.0 (Globex)", "Widget 2.0 (Acme Corp)", "Router 3.1 (Globex)",
                "Gadget 0.9 (Acme Corp)", "Widget 1.0 (Acme Corp)");
        assertThat(feed.getEntries()).extracting(SyndEntry::getUri).containsExactly("urn:ovaflow:import:import-r0",
                "urn:ovaflow:import:import-w2", "urn:ovaflow:import:import-r", "urn:ovaflow:import:import-g",
                "urn:ovaflow:import:import-w1");
        SyndEntry newest = feed.getEntries().get(1);
        assertThat(date(format, newest)).isEqualTo(T0.plusSeconds(3600));
        assertThat(newest.getLink()).isEqualTo("http://catalog.example:8642/api/catalog/acme-corp/widget/2.0");
    }

    @ParameterizedTest
    @EnumSource(FeedFormat.class)
    void anItemCarriesEnclosuresWithLengthTypeAndTheSha256OfEachArtifact(FeedFormat format) throws Exception {
        SyndEntry entry = parse(feeds.xml(FeedScope.product("acme-corp", "widget"), format, catalog).orElseThrow())
                .getEntries().get(1);

        String download = "http://catalog.example:8642/api/catalog/acme-corp/widget/1.0/download/";
        assertThat(entry.getEnclosures()).extracting(SyndEnclosure::getUrl, SyndEnclosure::getLength,
                SyndEnclosure::getType).containsExactly(
                tuple(download + "widget.ovf", 2048L, "application/xml"),
                tuple(download + "disk1.vmdk", 1_000_000L, "application/x-vmdk-disk"),
                tuple(download + "qcow2/disk1.qcow2", 1_200_000L, "application/x-qemu-disk"));
        List<Element> artifacts = ovaflow(entry, "artifact");
        assertThat(artifacts).extracting(a -> a.getAttributeValue("name"), a -> a.getAttributeValue("sha256"),
                a -> a.getAttributeValue("size"), a -> a.getAttributeValue("target"), a -> a.getAttributeValue("url"))
                .containsExactly(
                        tuple("widget.ovf", FeedRecords.SHA_OVF, "2048", null, download + "widget.ovf"),
                        tuple("disk1.vmdk", FeedRecords.SHA_DISK, "1000000", null, download + "disk1.vmdk"),
                        tuple("qcow2/disk1.qcow2", FeedRecords.SHA_QCOW2, "1200000", "qcow2",
                                download + "qcow2/disk1.qcow2"));
        assertThat(artifacts.get(2).getAttributeValue("format")).isEqualTo("qcow2");
        assertThat(artifacts.get(2).getAttributeValue("role")).isEqualTo("disk");
    }

    @ParameterizedTest
    @EnumSource(FeedFormat.class)
    void releaseNotesAndTheEulaLink(FeedFormat format) throws Exception {
        List<SyndEntry> entries = parse(feeds.xml(FeedScope.vendor("acme-corp"), format, catalog).orElseThrow())
                .getEntries();
        SyndEntry widget = entries.get(0);
        SyndEntry withoutEula = entries.get(1);

        String notes = widget.getDescription().getValue();
        assertThat(notes).contains("Widget appliance", "2.0.0-build7",
                "<a href=\"https://example.com/widget\">https://example.com/widget</a>", "Debian GNU/Linux 12 (64-bit)",
                "License agreement (EULA)");
        String descriptor = "http://catalog.example:8642/api/catalog/acme-corp/widget/2.0/download/widget.ovf";
        assertThat(ovaflow(widget, "eula")).extracting(e -> e.getAttributeValue("url")).containsExactly(descriptor);
        if (format == FeedFormat.ATOM) {
            assertThat(widget.getLinks()).extracting(SyndLink::getRel, SyndLink::getHref)
                    .contains(tuple("license", descriptor));
        }
        assertThat(withoutEula.getTitle()).isEqualTo("Gadget 0.9 (Acme Corp)");
        assertThat(withoutEula.getDescription().getValue()).doesNotContain("EULA");
        assertThat(ovaflow(withoutEula, "eula")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(FeedFormat.class)
    void aRetractedVersionIsAnnouncedWithItsReasonAndTimeButNotOffered(FeedFormat format) throws Exception {
        SyndEntry entry = parse(feeds.xml(FeedScope.product("globex", "router"), format, catalog).orElseThrow())
                .getEntries().get(0);

        assertThat(entry.getTitle()).isEqualTo("Retracted: Router 3.0 (Globex)");
        assertThat(date(format, entry)).isEqualTo(T0.plusSeconds(7200));
        assertThat(entry.getDescription().getValue()).contains("Retracted", "2026-01-10T10:00:00Z",
                "CVE-2026-0001: default password");
        assertThat(ovaflow(entry, "retraction")).singleElement().satisfies(r -> {
            assertThat(r.getAttributeValue("at")).isEqualTo("2026-01-10T10:00:00Z");
            assertThat(r.getAttributeValue("reason")).isEqualTo("CVE-2026-0001: default password");
        });
        assertThat(entry.getEnclosures()).isEmpty();
        // its files answer 410 Gone, the descriptor that holds its EULA too: named, not linked
        assertThat(entry.getDescription().getValue()).doesNotContain("/download/", "catalog.example")
                .contains("EULA", "withdrawn");
        assertThat(ovaflow(entry, "eula")).isEmpty();
        assertThat(entry.getLinks()).extracting(SyndLink::getRel).doesNotContain("license", "enclosure");
        assertThat(ovaflow(entry, "artifact")).hasSize(3)
                .allSatisfy(a -> assertThat(a.getAttributeValue("url")).isNull())
                .extracting(a -> a.getAttributeValue("sha256")).contains(FeedRecords.SHA_DISK);
    }

    @ParameterizedTest
    @EnumSource(FeedFormat.class)
    void vendorAndProductFeedsHoldOnlyTheirOwnAndUnknownOnesDoNotExist(FeedFormat format) throws Exception {
        assertThat(parse(feeds.xml(FeedScope.vendor("globex"), format, catalog).orElseThrow()).getEntries())
                .extracting(SyndEntry::getUri).containsExactly("urn:ovaflow:import:import-r0", "urn:ovaflow:import:import-r");
        assertThat(parse(feeds.xml(FeedScope.product("acme-corp", "gadget"), format, catalog).orElseThrow())
                .getEntries()).extracting(SyndEntry::getUri).containsExactly("urn:ovaflow:import:import-g");

        assertThat(feeds.xml(FeedScope.vendor("initech"), format, catalog)).isEmpty();
        assertThat(feeds.xml(FeedScope.product("acme-corp", "router"), format, catalog)).isEmpty();
        // the whole catalog's feed exists even empty
        assertThat(parse(feeds.xml(FeedScope.catalog(), format, List.of()).orElseThrow()).getEntries()).isEmpty();
    }

    @Test
    void aRebuiltFeedIsTheSameDocument() {
        for (FeedFormat format : FeedFormat.values()) {
            assertThat(new String(feeds.xml(FeedScope.catalog(), format, catalog).orElseThrow(), StandardCharsets.UTF_8))
                    .isEqualTo(new String(feeds.xml(FeedScope.catalog(), format, List.of(router, widget2, retracted,
                            gadget, widget1)).orElseThrow(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void atomFeedsNameThemselvesAndHaveStableIds() throws Exception {
        SyndFeed feed = parse(feeds.xml(FeedScope.product("acme-corp", "widget"), FeedFormat.ATOM, catalog).orElseThrow());

        assertThat(feed.getUri()).isEqualTo("urn:ovaflow:feed:acme-corp/widget");
        assertThat(feed.getLinks()).extracting(SyndLink::getRel, SyndLink::getHref)
                .contains(tuple("self", "http://catalog.example:8642/feeds/acme-corp/widget.atom"));
        assertThat(feed.getTitle()).isEqualTo("ovaflow catalog: Acme Corp Widget");
    }

    static SyndFeed parse(byte[] xml) throws Exception {
        SyndFeedInput input = new SyndFeedInput(false, Locale.ROOT);
        input.setAllowDoctypes(false);
        input.setXmlHealerOn(false);
        return input.build(new InputSource(new ByteArrayInputStream(xml)));
    }

    static List<Element> ovaflow(SyndEntry entry, String name) {
        return entry.getForeignMarkup().stream()
                .filter(e -> FeedMarkup.URI.equals(e.getNamespaceURI()) && name.equals(e.getName())).toList();
    }

    private static Instant date(FeedFormat format, SyndEntry entry) {
        return (format == FeedFormat.ATOM ? entry.getUpdatedDate() : entry.getPublishedDate()).toInstant();
    }
}
