package org.ovaflow.transform.profile;

import org.junit.jupiter.api.Test;
import org.ovaflow.core.xml.HardenedDocumentBuilders;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.XMLConstants;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Descriptors of OVF 0.9 and 2.0 brought to 1.x; 1.x ones left as they are. */
class Ovf1EnvelopeTest {

    @Test
    void vmware09SectionsContentAndCimSpellingsBecomeOvf1() throws Exception {
        Document document = fixture("packages/vmware-0.9.ovf");

        List<String> dropped = Ovf1Envelope.downgrade(document);

        assertThat(dropped).as("0.9's BusNumber is no CIM setting").containsExactly("BusNumber of an Item");
        Element root = document.getDocumentElement();
        assertThat(root.getNamespaceURI()).isEqualTo(Ovf1Envelope.OVF_1);
        assertThat(root.hasAttributeNS(Ovf1Envelope.OVF_1, "version")).isFalse();
        assertThat(localNames(root)).containsExactly("References", "DiskSection", "NetworkSection", "VirtualSystem");
        Element system = child(root, "VirtualSystem");
        assertThat(localNames(system)).containsExactly("Info", "ProductSection", "OperatingSystemSection",
                "VirtualHardwareSection");
        assertThat(Ovf1Envelope.all(document)).noneMatch(e -> e.hasAttributeNS(
                XMLConstants.W3C_XML_SCHEMA_INSTANCE_NS_URI, "type"));
        assertThat(Ovf1Envelope.all(document)).allMatch(e -> e.getNamespaceURI() != null)
                .noneMatch(e -> Ovf1Envelope.OVF_09.equals(e.getNamespaceURI()))
                .noneMatch(e -> "InstanceId".equals(e.getLocalName()) || "Caption".equals(e.getLocalName()));
        Element disk = items(document).get(3);
        assertThat(localNames(disk)).containsExactly("AddressOnParent", "ElementName", "HostResource", "InstanceID",
                "Parent", "ResourceType");
    }

    @Test
    void ovf2ItemsBecomeRasdItemsAndSections1xLacksAreLeftOut() throws Exception {
        Document document = fixture("dialects/ovf-2.ovf");
        Element hardware = Ovf1Envelope.all(document).stream()
                .filter(e -> "VirtualHardwareSection".equals(e.getLocalName())).findFirst().orElseThrow();
        Element boot = document.createElementNS(Ovf1Envelope.OVF_2, "BootDeviceSection");
        hardware.getParentNode().insertBefore(boot, hardware);

        List<String> dropped = Ovf1Envelope.downgrade(document);

        assertThat(dropped).containsExactly("BootDeviceSection");
        assertThat(document.getDocumentElement().getNamespaceURI()).isEqualTo(Ovf1Envelope.OVF_1);
        assertThat(localNames(hardware)).containsExactly("Info", "System", "Item", "Item", "Item", "Item", "Item",
                "Item", "Item");
        Element nic = items(document).get(6);
        assertThat(localNames(nic)).containsExactly("Connection", "ElementName", "InstanceID", "ResourceType");
        for (Node n = nic.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element setting) {
                assertThat(setting.getNamespaceURI()).isEqualTo(Ovf1Envelope.RASD);
            }
        }
        assertThat(nic.getTextContent()).contains("VM Network");
    }

    @Test
    void anOvf1DescriptorIsNotTouched() throws Exception {
        Document document = fixture("dialects/vmware.ovf");
        int before = Ovf1Envelope.all(document).size();

        assertThat(Ovf1Envelope.downgrade(document)).isEmpty();

        assertThat(Ovf1Envelope.all(document)).hasSize(before);
        assertThat(document.getDocumentElement().getNamespaceURI()).isEqualTo(Ovf1Envelope.OVF_1);
    }

    static Document fixture(String resource) throws Exception {
        try (InputStream in = Ovf1EnvelopeTest.class.getResourceAsStream("/" + resource)) {
            return new HardenedDocumentBuilders().newDocumentBuilder().parse(in);
        }
    }

    static List<Element> items(Document document) {
        return Ovf1Envelope.all(document).stream().filter(e -> Ovf1Envelope.OVF_1.equals(e.getNamespaceURI())
                && "Item".equals(e.getLocalName()) && "VirtualHardwareSection".equals(e.getParentNode().getLocalName()))
                .toList();
    }

    static Element child(Element parent, String local) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && local.equals(e.getLocalName())) {
                return e;
            }
        }
        throw new AssertionError("no " + local + " in " + parent.getLocalName());
    }

    static List<String> localNames(Element parent) {
        List<String> names = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                names.add(e.getLocalName());
            }
        }
        return names;
    }
}
