package org.ovaflow.validate.ovf;

import org.junit.jupiter.api.Test;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.sample.SampleAppliance;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The metadata travels in Kafka records of at most 1 MB: long EULAs, many properties and many systems are cut. */
class MetadataBoundsTest {

    private static final String DESCRIPTOR = SampleAppliance.descriptor("Acme", "Widget", "2.1", "disk1.img", 1024);

    private final OvfDescriptorParser parser = new OvfDescriptorParser();

    @Test
    void aLongEulaIsCutAndMarked() throws Exception {
        ApplianceMetadata metadata = parse(DESCRIPTOR.replace("<OperatingSystemSection",
                "<EulaSection><Info>EULA</Info><License>" + "x".repeat(100_000) + "</License></EulaSection>\n"
                        + "<OperatingSystemSection"));

        assertThat(metadata.hasEula()).isTrue();
        assertThat(metadata.eula()).hasSize(ApplianceMetadata.MAX_EULA + 1).endsWith("x…");
        assertThat(metadata.virtualSystems().get(0).eula()).isEqualTo(metadata.eula());
    }

    @Test
    void propertiesPastTheLimitAreLeftOutAndFlagged() throws Exception {
        StringBuilder properties = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            properties.append("<Property ovf:key=\"p").append(i).append("\" ovf:type=\"string\" ovf:value=\"v\"/>\n");
        }
        ApplianceMetadata metadata = parse(DESCRIPTOR.replace("</ProductSection>", properties + "</ProductSection>"));

        assertThat(metadata.properties()).hasSize(ApplianceMetadata.MAX_PROPERTIES);
        assertThat(metadata.properties().get(255).key()).isEqualTo("p255");
        assertThat(metadata.propertiesCut()).isTrue();
        assertThat(parse(DESCRIPTOR).propertiesCut()).isNull();
    }

    @Test
    void longPropertyTextsAreCutAndTheirTotalIsBounded() throws Exception {
        StringBuilder properties = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            properties.append("<Property ovf:key=\"p").append(i).append("\" ovf:type=\"string\" ovf:value=\"")
                    .append("v".repeat(5000)).append("\"><Description>").append("d".repeat(5000))
                    .append("</Description></Property>\n");
        }
        ApplianceMetadata metadata = parse(DESCRIPTOR.replace("</ProductSection>", properties + "</ProductSection>"));

        assertThat(metadata.properties().get(0).defaultValue())
                .hasSize(ApplianceMetadata.Property.MAX_PROPERTY_TEXT + 1);
        assertThat(metadata.properties().get(0).description())
                .hasSize(ApplianceMetadata.Property.MAX_PROPERTY_DESCRIPTION + 1);
        assertThat(metadata.properties().size()).isLessThan(200);
        assertThat(metadata.propertiesCut()).isTrue();
    }

    /** A thousand systems with a long EULA and annotation each: the event stays far below Kafka's 1 MB. */
    @Test
    void manySystemsShareOneTextBudget() throws Exception {
        String system = DESCRIPTOR.substring(DESCRIPTOR.indexOf("<VirtualSystem "), DESCRIPTOR.indexOf("</Envelope>"))
                .replace("<OperatingSystemSection", "<EulaSection><Info>EULA</Info><License>" + "e".repeat(20_000)
                        + "</License></EulaSection>\n<OperatingSystemSection")
                .replace("built by ovaflow's samples.", "a".repeat(10_000));
        StringBuilder collection = new StringBuilder("<VirtualSystemCollection ovf:id=\"all\"><Info>all</Info>\n");
        for (int i = 0; i < 300; i++) {
            collection.append(system.replace("ovf:id=\"widget\"", "ovf:id=\"vm" + i + "\""));
        }
        collection.append("</VirtualSystemCollection>\n");
        String descriptor = DESCRIPTOR.substring(0, DESCRIPTOR.indexOf("<VirtualSystem ")) + collection + "</Envelope>\n";

        ApplianceMetadata metadata = parse(descriptor);

        assertThat(metadata.virtualSystems()).hasSize(300);
        assertThat(metadata.virtualSystems().get(0).eula()).hasSize(ApplianceMetadata.MAX_EULA + 1);
        assertThat(metadata.virtualSystems().get(299).eula()).isEqualTo("…");
        int systemText = metadata.virtualSystems().stream()
                .mapToInt(vs -> vs.eula().length() + vs.annotation().length()).sum();
        assertThat(systemText).isLessThanOrEqualTo(LongTexts.MAX_TOTAL + 2 * 300);
        assertThat(EventCodec.JSON.writeValueAsBytes(metadata).length).isLessThan(512 * 1024);
    }

    private ApplianceMetadata parse(String descriptor) throws Exception {
        return parser.parse("widget.ovf", new ByteArrayInputStream(descriptor.getBytes(StandardCharsets.UTF_8)));
    }
}
