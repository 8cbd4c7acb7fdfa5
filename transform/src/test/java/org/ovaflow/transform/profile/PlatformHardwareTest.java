package org.ovaflow.transform.profile;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ovaflow.transform.profile.Ovf1EnvelopeTest.child;
import static org.ovaflow.transform.profile.Ovf1EnvelopeTest.fixture;
import static org.ovaflow.transform.profile.Ovf1EnvelopeTest.items;

/** What vSphere and VirtualBox refuse of each other's exports, changed; the rest left as the vendor wrote it. */
class PlatformHardwareTest {

    @Test
    void aVirtualBoxExportGetsAVmxFamilyVmwareSataAndOptionalSound() throws Exception {
        Document document = fixture("dialects/virtualbox.ovf");
        ProfileSettings settings = new ProfileSettings("vmx-14", ManifestAlgorithm.SHA256, null,
                org.ovaflow.disk.TargetFormat.VMDK, null);

        PlatformProfile.VMWARE.adaptDescriptor(document, settings);

        assertThat(systemTypes(document)).containsOnly("vmx-14");
        assertThat(subTypes(document, 20)).containsOnly("vmware.sata.ahci");
        assertThat(items(document)).filteredOn(i -> type(i) == 35 || type(i) == 23).isNotEmpty()
                .allSatisfy(i -> assertThat(i.getAttributeNS(Ovf1Envelope.OVF_1, "required")).isEqualTo("false"));
        assertThat(items(document)).filteredOn(i -> type(i) != 35 && type(i) != 23)
                .allSatisfy(i -> assertThat(i.hasAttributeNS(Ovf1Envelope.OVF_1, "required")).isFalse());
        assertThat(items(document)).filteredOn(i -> type(i) == 17)
                .extracting(i -> child(i, "HostResource").getTextContent())
                .containsExactly("ovf:/disk/vmdisk1", "ovf:/disk/vmdisk2");
    }

    @Test
    void aVmwareExportKeepsItsOwnFamiliesForVmwareAndBecomesVirtualBox22ForVirtualBox() throws Exception {
        Document forVmware = fixture("dialects/vmware.ovf");
        List<String> families = systemTypes(forVmware);
        PlatformProfile.VMWARE.adaptDescriptor(forVmware, ProfileSettings.DEFAULTS);
        assertThat(systemTypes(forVmware)).isEqualTo(families).allMatch(t -> t.startsWith("vmx-"));

        Document forVirtualBox = fixture("dialects/vmware.ovf");
        PlatformProfile.VIRTUALBOX.adaptDescriptor(forVirtualBox, ProfileSettings.DEFAULTS);
        assertThat(systemTypes(forVirtualBox)).containsOnly("virtualbox-2.2");
        assertThat(subTypes(forVirtualBox, 20)).containsOnly("AHCI");
        assertThat(subTypes(forVirtualBox, 10)).doesNotContain("VmxNet3", "vmxnet3");
    }

    @Test
    void aSystemWithoutAFamilyGetsOne() throws Exception {
        Document document = fixture("dialects/dmtf-1.ovf");
        for (Element system : Ovf1Envelope.all(document).stream().filter(e -> "System".equals(e.getLocalName()))
                .toList()) {
            system.getParentNode().removeChild(system);
        }

        PlatformProfile.VMWARE.adaptDescriptor(document, ProfileSettings.DEFAULTS);

        assertThat(systemTypes(document)).containsOnly(ProfileSettings.DEFAULT_HARDWARE_FAMILY);
        Element section = (Element) items(document).get(0).getParentNode();
        assertThat(Ovf1EnvelopeTest.localNames(section).subList(0, 2)).containsExactly("Info", "System");
    }

    @Test
    void theOtherProfilesKeepTheVendorsHardware() throws Exception {
        for (PlatformProfile profile : List.of(PlatformProfile.OPENSTACK, PlatformProfile.AWS, PlatformProfile.HYPERV)) {
            Document document = fixture("dialects/virtualbox.ovf");
            profile.adaptDescriptor(document, ProfileSettings.DEFAULTS);
            assertThat(systemTypes(document)).as(profile.id()).containsOnly("virtualbox-2.2");
        }
        assertThat(PlatformHardware.firstNicModel(fixture("dialects/virtualbox.ovf"))).isEqualTo(Optional.of("e1000"));
    }

    private static List<String> systemTypes(Document document) {
        return Ovf1Envelope.all(document).stream().filter(e -> "VirtualSystemType".equals(e.getLocalName()))
                .map(e -> e.getTextContent().trim()).toList();
    }

    private static List<String> subTypes(Document document, int resourceType) {
        return items(document).stream().filter(i -> type(i) == resourceType)
                .map(i -> child(i, "ResourceSubType").getTextContent().trim()).toList();
    }

    private static int type(Element item) {
        return Integer.parseInt(child(item, "ResourceType").getTextContent().trim());
    }
}
