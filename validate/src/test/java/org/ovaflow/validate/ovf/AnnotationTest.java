package org.ovaflow.validate.ovf;

import org.junit.jupiter.api.Test;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.sample.SampleAppliance;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The AnnotationSection's text, the release notes the catalog's feeds carry. */
class AnnotationTest {

    private final OvfDescriptorParser parser = new OvfDescriptorParser();

    @Test
    void theFirstAnnotationIsTheAppliancesAndALongOneIsCut() throws Exception {
        String descriptor = SampleAppliance.descriptor("Acme", "Widget", "2.1", "disk1.img", 1024);
        assertThat(parse(descriptor).annotation()).isEqualTo("Widget 2.1, built by ovaflow's samples.");

        String long_ = descriptor.replace("built by ovaflow's samples.", "x".repeat(100_000));
        assertThat(parse(long_).annotation()).hasSize(ApplianceMetadata.MAX_ANNOTATION + 1).endsWith("x…");

        String none = descriptor.replaceAll("(?s)<AnnotationSection>.*</AnnotationSection>", "");
        assertThat(parse(none).annotation()).isNull();
    }

    private ApplianceMetadata parse(String descriptor) throws Exception {
        return parser.parse("widget.ovf", new ByteArrayInputStream(descriptor.getBytes(StandardCharsets.UTF_8)));
    }
}
