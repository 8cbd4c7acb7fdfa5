package org.ovaflow.validate.ovf;

import org.ovaflow.core.xml.HardenedDocumentBuilders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ovaflow.core.event.ApplianceMetadata;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Descriptors written to attack or confuse the parser are refused with a message naming the file and the problem. */
class HostileDescriptorTest {

    private static final String OVF1 = "http://schemas.dmtf.org/ovf/envelope/1";

    private final OvfDescriptorParser parser = new OvfDescriptorParser();

    @Test
    void refusesDoctypeWithExternalEntity() {
        String xxe = """
                <?xml version="1.0"?>
                <!DOCTYPE Envelope [ <!ENTITY passwd SYSTEM "file:///etc/passwd"> ]>
                <Envelope xmlns="%s" xmlns:ovf="%s">
                  <VirtualSystem ovf:id="vm"><Name>&passwd;</Name></VirtualSystem>
                </Envelope>
                """.formatted(OVF1, OVF1);

        assertThatThrownBy(() -> parse("xxe.ovf", xxe))
                .isInstanceOf(InvalidDescriptorException.class)
                .hasMessageStartingWith("xxe.ovf: DOCTYPE is not allowed")
                .hasMessageNotContaining("root:");
    }

    @Test
    void refusesExternalParameterEntity() {
        String parameterEntity = """
                <?xml version="1.0"?>
                <!DOCTYPE Envelope [ <!ENTITY %% remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %%remote; ]>
                <Envelope xmlns="%s"/>
                """.formatted(OVF1);

        assertThatThrownBy(() -> parse("pe.ovf", parameterEntity))
                .isInstanceOf(InvalidDescriptorException.class)
                .hasMessageStartingWith("pe.ovf: DOCTYPE is not allowed");
    }

    @Test
    @Timeout(10)
    void refusesBillionLaughs() {
        StringBuilder entities = new StringBuilder("<!ENTITY lol0 \"lol\">");
        for (int i = 1; i <= 9; i++) {
            String previous = "&lol" + (i - 1) + ";";
            entities.append("<!ENTITY lol").append(i).append(" \"").append(previous.repeat(10)).append("\">");
        }
        String bomb = "<?xml version=\"1.0\"?><!DOCTYPE Envelope [" + entities + "]>"
                + "<Envelope xmlns=\"" + OVF1 + "\"><Name>&lol9;</Name></Envelope>";

        assertThatThrownBy(() -> parse("laughs.ovf", bomb))
                .isInstanceOf(InvalidDescriptorException.class)
                .hasMessageStartingWith("laughs.ovf: DOCTYPE is not allowed");
    }

    @Test
    void doesNotProcessXInclude() throws Exception {
        String xinclude = """
                <Envelope xmlns="%s" xmlns:ovf="%s" xmlns:xi="http://www.w3.org/2001/XInclude">
                  <VirtualSystem ovf:id="vm">
                    <Name><xi:include href="file:///etc/passwd" parse="text"/></Name>
                  </VirtualSystem>
                </Envelope>
                """.formatted(OVF1, OVF1);

        ApplianceMetadata metadata = parse("xinclude.ovf", xinclude);

        // Left unprocessed, the include is an empty foreign element, so the Name stays empty.
        assertThat(metadata.virtualSystems()).singleElement()
                .satisfies(vs -> assertThat(vs.name()).isNull());
        assertThat(metadata.name()).isEqualTo("vm");
    }

    @Test
    void refusesDescriptorOverTheSizeLimit() {
        OvfDescriptorParser smallLimit = new OvfDescriptorParser(1024);
        String padded = "<Envelope xmlns=\"" + OVF1 + "\"><!--" + "x".repeat(2048) + "--></Envelope>";

        assertThatThrownBy(() -> smallLimit.parse("big.ovf", utf8(padded)))
                .isInstanceOf(InvalidDescriptorException.class)
                .hasMessage("big.ovf: descriptor is larger than the limit of 1024 bytes");
    }

    @Test
    @Timeout(10)
    void stopsReadingAnEndlessStreamAtTheLimit() {
        OvfDescriptorParser smallLimit = new OvfDescriptorParser(64 * 1024);
        InputStream endless = new SequenceInputStream(utf8("<Envelope xmlns=\"" + OVF1 + "\">"), new InputStream() {
            @Override
            public int read() {
                return ' ';
            }
        });

        assertThatThrownBy(() -> smallLimit.parse("endless.ovf", endless))
                .isInstanceOf(InvalidDescriptorException.class)
                .hasMessageContaining("larger than the limit of 65536 bytes");
    }

    @Test
    void acceptsDescriptorExactlyAtTheLimit() throws Exception {
        String descriptor = "<Envelope xmlns=\"" + OVF1 + "\"/>";
        int size = descriptor.getBytes(StandardCharsets.UTF_8).length;

        assertThat(new OvfDescriptorParser(size).parse("exact.ovf", utf8(descriptor)).ovfVersion()).isEqualTo("1.x");
    }

    @Test
    void refusesBytesThatAreNotXml() {
        assertThatThrownBy(() -> parse("binary.ovf", "PK\u0003\u0004 this is a zip, not a descriptor"))
                .isInstanceOf(InvalidDescriptorException.class)
                .hasMessageStartingWith("binary.ovf: not well-formed XML at line 1: ");
    }

    @Test
    void refusesEmptyInput() {
        assertThatThrownBy(() -> parse("empty.ovf", ""))
                .isInstanceOf(InvalidDescriptorException.class)
                .hasMessageStartingWith("empty.ovf: not well-formed XML");
    }

    @Test
    void reportsTheLineOfMalformedXml() {
        String unclosed = "<Envelope xmlns=\"" + OVF1 + "\">\n  <References>\n  </Reference>\n</Envelope>";

        assertThatThrownBy(() -> parse("descriptor.ovf", unclosed))
                .isInstanceOf(InvalidDescriptorException.class)
                .hasMessageStartingWith("descriptor.ovf: not well-formed XML at line 3: ");
    }

    @Test
    void refusesWrongRootElement() {
        assertThatThrownBy(() -> parse("page.ovf", "<html><body>not OVF</body></html>"))
                .isInstanceOf(InvalidDescriptorException.class)
                .hasMessage("page.ovf: root element is <html>, expected an OVF <Envelope>");
    }

    @Test
    void refusesUnknownEnvelopeNamespace() {
        assertThatThrownBy(() -> parse("future.ovf", "<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/9\"/>"))
                .isInstanceOf(InvalidDescriptorException.class)
                .hasMessageStartingWith("future.ovf: unknown Envelope namespace 'http://schemas.dmtf.org/ovf/envelope/9'")
                .hasMessageContaining("http://schemas.dmtf.org/ovf/envelope/1 (OVF 1.x)");
    }

    @Test
    void refusesEnvelopeWithoutNamespace() {
        assertThatThrownBy(() -> parse("bare.ovf", "<Envelope/>"))
                .isInstanceOf(InvalidDescriptorException.class)
                .hasMessageStartingWith("bare.ovf: Envelope has no namespace");
    }

    @Test
    void refusesHostileNesting() {
        int depth = HardenedDocumentBuilders.MAX_ELEMENT_DEPTH + 10;
        String deep = "<Envelope xmlns=\"" + OVF1 + "\">" + "<a>".repeat(depth) + "</a>".repeat(depth) + "</Envelope>";

        assertThatThrownBy(() -> parse("deep.ovf", deep))
                .isInstanceOf(InvalidDescriptorException.class)
                .hasMessageStartingWith("deep.ovf: elements are nested deeper than");
    }

    @Test
    void leavesTheCallersStreamOpen() throws Exception {
        boolean[] closed = {false};
        InputStream tarEntry = new ByteArrayInputStream(("<Envelope xmlns=\"" + OVF1 + "\"/>")
                .getBytes(StandardCharsets.UTF_8)) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };

        parser.parse("entry.ovf", tarEntry);

        assertThat(closed[0]).isFalse();
    }

    private ApplianceMetadata parse(String fileName, String descriptor) throws InvalidDescriptorException {
        return parser.parse(fileName, utf8(descriptor));
    }

    private static InputStream utf8(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
