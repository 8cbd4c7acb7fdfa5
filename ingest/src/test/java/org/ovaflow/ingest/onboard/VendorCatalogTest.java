package org.ovaflow.ingest.onboard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Catalogs in every format the onboarding reads, with their malformed items and files. */
class VendorCatalogTest {

    private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @TempDir
    Path dir;

    @Test
    void aJsonArrayOfItems() throws Exception {
        List<VendorCatalog.Entry> entries = read("""
                [
                  {"url": "https://Downloads.Example.com:443/a/Widget%201.0.ova", "sha256": "%s", "size": 1234,
                   "vendor": "Acme", "product": "Widget", "version": "1.0"},
                  {"url": "http://example.com/b.ova", "name": "renamed.ova", "id": "acme-b"}
                ]
                """.replace("%s", SHA.toUpperCase()));

        assertThat(entries).hasSize(2).allSatisfy(e -> assertThat(e.problem()).isNull());
        assertThat(entries.get(0).line()).isEqualTo(2);
        assertThat(entries.get(0).item()).isEqualTo(new CatalogItem("https://downloads.example.com/a/Widget%201.0.ova",
                URI.create("https://Downloads.Example.com:443/a/Widget%201.0.ova"), "Widget 1.0.ova", SHA, 1234L,
                "Acme", "Widget", "1.0"));
        assertThat(entries.get(1).item().fileName()).isEqualTo("renamed.ova");
        assertThat(entries.get(1).item().id()).isEqualTo("acme-b");
        assertThat(entries.get(1).item().sha256()).isNull();
        assertThat(entries.get(1).item().size()).isNull();
    }

    @Test
    void aJsonObjectWithItemsAndMalformedItems() throws Exception {
        List<VendorCatalog.Entry> entries = read("""
                {"vendor": "ignored", "items": [
                  {"url": "http://example.com/good.ova"},
                  {"sha256": "%s"},
                  {"url": "http://example.com/x.ova", "sha256": "abc"},
                  {"url": "http://example.com/y.ova", "size": "lots"},
                  "just a string"
                ]}
                """.replace("%s", SHA));

        assertThat(entries).extracting(VendorCatalog.Entry::problem).containsExactly(null, "line 3: no url",
                "line 4: sha256 is not 64 hex digits: abc", "line 5: size is not a byte count: lots",
                "line 6: not an object");
        assertThat(entries.get(0).item().fileName()).isEqualTo("good.ova");
    }

    @Test
    void csvWithQuotedFieldsAndAMalformedLine() throws Exception {
        List<VendorCatalog.Entry> entries = read("""
                url,sha256,size,vendor,product,version,name
                http://example.com/a.ova,%s,10,"Acme, Inc.","The ""Widget""\",1.0,
                "http://example.com/b.ova",,,"multi
                line vendor",,,b-renamed.ova
                ,,,,,,
                http://example.com/c.ova,,12,a,b,c,d,e
                
                http://example.com/d.ova
                """.replace("%s", SHA));

        assertThat(entries).hasSize(5);
        assertThat(entries.get(0).item()).isEqualTo(new CatalogItem("http://example.com/a.ova",
                URI.create("http://example.com/a.ova"), "a.ova", SHA, 10L, "Acme, Inc.", "The \"Widget\"", "1.0"));
        assertThat(entries.get(1).line()).isEqualTo(3);
        assertThat(entries.get(1).item().vendor()).isEqualTo("multi\nline vendor");
        assertThat(entries.get(1).item().fileName()).isEqualTo("b-renamed.ova");
        assertThat(entries.get(2).problem()).isEqualTo("line 5: no url");
        assertThat(entries.get(3).problem()).isEqualTo("line 6: 8 fields, the header has 7");
        assertThat(entries.get(4).line()).isEqualTo(8);
        assertThat(entries.get(4).item().fileName()).isEqualTo("d.ova");
    }

    @Test
    void anUnterminatedQuoteIsAProblemOfItsLineOnly() throws Exception {
        List<VendorCatalog.Entry> entries = read("URL,Vendor\r\nhttp://example.com/a.ova,x\r\nhttp://example.com/b.ova,\"open\r\n");

        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).item().source()).isEqualTo(URI.create("http://example.com/a.ova"));
        assertThat(entries.get(1).problem()).startsWith("line 3: quoted field");
    }

    @Test
    void plainPathsAreResolvedBesideTheCatalogFile() throws Exception {
        Path file = dir.resolve("catalog.csv");
        Files.writeString(file, "url\nsub/my app.ova\ns3://bucket/dir/x.ova\n");

        List<VendorCatalog.Entry> entries = VendorCatalog.read(file);

        assertThat(entries.get(0).item().source()).isEqualTo(dir.toAbsolutePath().resolve("sub/my app.ova").toUri());
        assertThat(entries.get(0).item().fileName()).isEqualTo("my app.ova");
        assertThat(entries.get(1).item().source()).isEqualTo(URI.create("s3://bucket/dir/x.ova"));
        assertThat(entries.get(1).item().fileName()).isEqualTo("x.ova");
    }

    @Test
    void rssEnclosuresOfOvasWithLengthAndHash() throws Exception {
        List<VendorCatalog.Entry> entries = read("""
                <?xml version="1.0" encoding="UTF-8"?>
                <rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:ova="urn:ovaflow">
                  <channel><title>Acme appliances</title><link>http://example.com/</link><description>d</description>
                    <item><title>Widget 1.0</title>
                      <enclosure url="http://example.com/dl/widget-1.0.ova" length="4096" type="application/octet-stream"/>
                      <media:content url="http://example.com/dl/widget-1.0.ova"><media:hash algo="sha256">%s</media:hash></media:content>
                      <ova:vendor>Acme</ova:vendor>
                    </item>
                    <item><title>Release notes</title>
                      <enclosure url="http://example.com/notes.pdf" length="10" type="application/pdf"/>
                    </item>
                    <item><title>Gadget</title>
                      <enclosure url="http://example.com/get?id=7" length="99" type="application/x-ova"/>
                    </item>
                  </channel>
                </rss>
                """.replace("%s", SHA));

        assertThat(entries).hasSize(2).allSatisfy(e -> assertThat(e.problem()).isNull());
        CatalogItem widget = entries.get(0).item();
        assertThat(widget.source()).isEqualTo(URI.create("http://example.com/dl/widget-1.0.ova"));
        assertThat(widget.size()).isEqualTo(4096L);
        assertThat(widget.sha256()).isEqualTo(SHA);
        assertThat(widget.vendor()).isEqualTo("Acme");
        assertThat(widget.fileName()).isEqualTo("widget-1.0.ova");
        assertThat(entries.get(1).line()).isEqualTo(3);
        assertThat(entries.get(1).item().fileName()).isEqualTo("get.ova");
    }

    /** What ovaflow's own catalog feeds carry: each artifact's digest as an attribute, by its download URL. */
    @Test
    void ovaflowsOwnFeedGivesEachOvaItsDigest() throws Exception {
        String other = "b".repeat(64);
        List<VendorCatalog.Entry> entries = read("""
                <?xml version="1.0" encoding="UTF-8"?>
                <rss version="2.0" xmlns:ovaflow="https://ovaflow.org/ns/feed/1">
                  <channel><title>ovaflow catalog</title><link>http://catalog/</link><description>d</description>
                    <item><title>Widget 1.0</title>
                      <enclosure url="http://catalog/download/acme/widget/1.0/widget.ova" length="4096"
                                 type="application/ovf"/>
                      <ovaflow:artifact name="qcow2/disk1.qcow2" role="disk" size="9" sha256="%o"
                                        url="http://catalog/download/acme/widget/1.0/qcow2/disk1.qcow2"/>
                      <ovaflow:artifact name="widget.ova" role="ova" size="4096" sha256="%s"
                                        url="http://catalog/download/acme/widget/1.0/widget.ova"/>
                    </item>
                  </channel>
                </rss>
                """.replace("%s", SHA).replace("%o", other));

        assertThat(entries).singleElement().satisfies(e -> assertThat(e.item().sha256()).isEqualTo(SHA));
    }

    @Test
    void atomEnclosureLinks() throws Exception {
        List<VendorCatalog.Entry> entries = read("""
                <?xml version="1.0" encoding="utf-8"?>
                <feed xmlns="http://www.w3.org/2005/Atom" xmlns:x="urn:ovaflow">
                  <title>Acme</title><id>urn:acme</id><updated>2024-05-01T00:00:00Z</updated>
                  <entry><title>Widget</title><id>urn:acme:widget</id><updated>2024-05-01T00:00:00Z</updated>
                    <link rel="alternate" href="http://example.com/widget.html"/>
                    <link rel="enclosure" href="https://example.com/widget.ova" length="2048" type="application/x-tar"/>
                    <link rel="enclosure" href="https://example.com/widget.iso" length="2048" type="application/x-iso9660-image"/>
                    <x:sha256>%s</x:sha256>
                  </entry>
                </feed>
                """.replace("%s", SHA));

        assertThat(entries).singleElement().satisfies(e -> {
            assertThat(e.problem()).isNull();
            assertThat(e.item().source()).isEqualTo(URI.create("https://example.com/widget.ova"));
            assertThat(e.item().size()).isEqualTo(2048L);
            assertThat(e.item().sha256()).isEqualTo(SHA);
        });
    }

    @Test
    void anXxeFeedDoesNotReadALocalFile() throws Exception {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET-CONTENT");
        String feed = """
                <?xml version="1.0"?>
                <!DOCTYPE rss [<!ENTITY xxe SYSTEM "%s">]>
                <rss version="2.0"><channel><title>&xxe;</title><link>http://x/</link><description>d</description>
                  <item><title>&xxe;</title><enclosure url="http://example.com/&xxe;.ova" length="1" type="application/x-tar"/></item>
                </channel></rss>
                """.formatted(secret.toUri());

        try {
            List<VendorCatalog.Entry> entries = read(feed);
            assertThat(entries.toString()).doesNotContain("TOP-SECRET");
        } catch (InvalidCatalogException e) {
            assertThat(e).hasMessageNotContaining("TOP-SECRET");
            assertThat(e.getMessage()).startsWith("feed.xml: ");
        }
        assertThatThrownBy(() -> read(feed)).isInstanceOf(InvalidCatalogException.class);
    }

    @Test
    void filesThatAreNoCatalog() {
        assertThatThrownBy(() -> read("<html><body>hello</body></html>"))
                .isInstanceOf(InvalidCatalogException.class).hasMessageStartingWith("feed.xml: ");
        assertThatThrownBy(() -> read("<rss version=\"2.0\"><channel><item>"))
                .isInstanceOf(InvalidCatalogException.class).hasMessageContaining("feed");
        assertThatThrownBy(() -> read("just some text\nwith no url column\n"))
                .isInstanceOf(InvalidCatalogException.class).hasMessageContaining("\"url\" column");
        assertThatThrownBy(() -> read("[{\"url\": \"http://x/a.ova\"}, {broken"))
                .isInstanceOf(InvalidCatalogException.class).hasMessageContaining("line 1");
        assertThatThrownBy(() -> read("{\"things\": []}"))
                .isInstanceOf(InvalidCatalogException.class).hasMessageContaining("items");
        assertThatThrownBy(() -> read("   \n"))
                .isInstanceOf(InvalidCatalogException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> VendorCatalog.read("disk.bin", new ByteArrayInputStream(
                new byte[]{(byte) 0xC3, 0x28, (byte) 0xFF, 1, 2})))
                .isInstanceOf(InvalidCatalogException.class).hasMessage("disk.bin: not a catalog: not UTF-8 text");
    }

    @Test
    void aCatalogFileIsNamedInItsError() throws Exception {
        Path file = dir.resolve("vendor.csv");
        Files.writeString(file, "name,size\nx.ova,1\n");

        assertThatThrownBy(() -> VendorCatalog.read(file))
                .isInstanceOf(InvalidCatalogException.class)
                .hasMessageStartingWith(file.toString() + ": ")
                .extracting(e -> ((InvalidCatalogException) e).catalog()).isEqualTo(file.toString());
    }

    private static List<VendorCatalog.Entry> read(String text) throws Exception {
        String name = text.stripLeading().startsWith("<") ? "feed.xml" : "catalog";
        return VendorCatalog.read(name, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }
}
