package org.ovaflow.app;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.testing.RealWorldCorpus;
import org.ovaflow.core.xml.HardenedDocumentBuilders;
import org.ovaflow.transform.profile.PlatformProfile;
import org.ovaflow.transform.profile.ProfileSettings;
import org.ovaflow.validate.ovf.OvfDescriptorParser;
import org.ovaflow.validate.schema.EnvelopeSchemas;
import org.w3c.dom.Document;

import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every profile's descriptor made from each of the 50 real-world descriptors (VMware, VirtualBox, Cisco, Ganeti,
 * OVF 0.9 to 2.0): when the vendor's is valid against the schema of its version, the profile's is valid against
 * OVF 1.x's, and says the same of the product, its virtual systems, their CPUs, memory, disks and networks.
 */
class RealWorldProfilesTest {

    private static final EnvelopeSchemas SCHEMAS = EnvelopeSchemas.shipped();
    private static final OvfDescriptorParser PARSER = new OvfDescriptorParser();

    static Stream<Path> descriptors() {
        return RealWorldCorpus.parameters();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("descriptors")
    void everyProfileOfAValidDescriptorIsValidOvf1WithTheSameAppliance(Path descriptor) throws Exception {
        RealWorldCorpus.assumePresent(descriptor);
        String name = descriptor.getFileName().toString();
        byte[] original = Files.readAllBytes(descriptor);
        boolean valid = SCHEMAS.validate(name, original).status() == CheckResult.Status.PASS;
        ApplianceMetadata vendor = PARSER.parse(name, new ByteArrayInputStream(original));

        for (PlatformProfile profile : PlatformProfile.values()) {
            Document document = new HardenedDocumentBuilders().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(original));
            profile.adaptDescriptor(document, ProfileSettings.DEFAULTS);
            byte[] adapted = serialise(document);

            CheckResult schema = SCHEMAS.validate(name, adapted);
            if (valid) {
                assertThat(schema.status()).as("%s for %s: %s", name, profile.id(), schema.message())
                        .isEqualTo(CheckResult.Status.PASS);
            }
            ApplianceMetadata published = PARSER.parse(name, new ByteArrayInputStream(adapted));
            assertThat(published.ovfVersion()).isEqualTo("1.x");
            assertThat(published.product()).isEqualTo(vendor.product());
            assertThat(published.vendor()).isEqualTo(vendor.vendor());
            assertThat(published.version()).isEqualTo(vendor.version());
            assertThat(published.disks()).isEqualTo(vendor.disks());
            assertThat(published.networks()).isEqualTo(vendor.networks());
            assertThat(published.virtualSystems()).hasSameSizeAs(vendor.virtualSystems());
            for (int i = 0; i < vendor.virtualSystems().size(); i++) {
                ApplianceMetadata.VirtualSystem before = vendor.virtualSystems().get(i);
                ApplianceMetadata.VirtualSystem after = published.virtualSystems().get(i);
                assertThat(after.id()).isEqualTo(before.id());
                assertThat(after.cpus()).as("%s %s cpus", name, before.id()).isEqualTo(before.cpus());
                assertThat(after.memoryMiB()).as("%s %s memory", name, before.id()).isEqualTo(before.memoryMiB());
                assertThat(after.disks()).as("%s %s disks", name, before.id()).hasSameSizeAs(before.disks());
                assertThat(after.networks()).isEqualTo(before.networks());
            }
        }
    }

    private static byte[] serialise(Document document) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TransformerFactory.newDefaultInstance().newTransformer().transform(new DOMSource(document),
                new StreamResult(out));
        return out.toByteArray();
    }
}
