package org.ovaflow.transform.profile;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.XMLConstants;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The virtual hardware of an OVF 1.x descriptor adapted to what a platform's importer accepts, changing only
 * what it refuses (the complaints people moving appliances between vSphere and VirtualBox meet most):
 * <ul>
 *   <li>every profile: disks named by DSP0243's {@code ovf:/disk/<id>}, not VirtualBox's {@code /disk/<id>};</li>
 *   <li>vmware: a {@code vmx-NN} hardware family (VirtualBox's {@code virtualbox-2.2} is refused), SATA
 *       controllers as {@code vmware.sata.ahci}, sound cards and USB controllers optional
 *       ({@code ovf:required="false"}) so a device vSphere lacks does not fail the import;</li>
 *   <li>virtualbox: the {@code virtualbox-2.2} system type, SATA as {@code AHCI}, SCSI and network adapters
 *       VirtualBox does not emulate (VMware paravirtual, vmxnet) as the nearest ones it does (LsiLogic, E1000).</li>
 * </ul>
 * The other profiles keep the rest of the vendor's hardware: Glance, EC2 and Hyper-V read the disks, not the
 * hardware list.
 */
final class PlatformHardware {

    static final String VIRTUALBOX_TYPE = "virtualbox-2.2";

    private static final int ETHERNET = 10;
    private static final int SCSI = 6;
    private static final int USB = 23;
    private static final int OTHER_STORAGE = 20;
    private static final int SOUND = 35;

    private static final Map<String, String> VIRTUALBOX_SCSI = Map.of("virtualscsi", "lsilogic", "pvscsi", "lsilogic");
    private static final Map<String, String> VIRTUALBOX_NICS = Map.of("vmxnet3", "E1000", "vmxnet2", "E1000",
            "vmxnet", "E1000");

    private PlatformHardware() {
    }

    static void adapt(Document document, PlatformProfile profile, ProfileSettings settings) {
        // DSP0243 names disks ovf:/disk/<id>; VirtualBox and OVF 0.9 exporters write /disk/<id>
        Ovf1Envelope.all(document).stream()
                .filter(e -> Ovf1Envelope.RASD.equals(e.getNamespaceURI()) && "HostResource".equals(e.getLocalName())
                        && e.getTextContent().trim().matches("/(disk|file)/.+"))
                .forEach(e -> e.setTextContent("ovf:" + e.getTextContent().trim()));
        if (profile != PlatformProfile.VMWARE && profile != PlatformProfile.VIRTUALBOX) {
            return;
        }
        for (Element section : sections(document)) {
            systemType(document, section, profile, settings);
            for (Element item : children(section, Ovf1Envelope.OVF_1, "Item")) {
                int type = resourceType(item);
                Optional<Element> subType = setting(item, "ResourceSubType");
                String model = subType.map(e -> e.getTextContent().trim().toLowerCase(Locale.ROOT)).orElse("");
                if (profile == PlatformProfile.VMWARE) {
                    if (type == OTHER_STORAGE && model.equals("ahci")) {
                        subType.get().setTextContent("vmware.sata.ahci");
                    } else if (type == SOUND || type == USB) {
                        item.setAttributeNS(Ovf1Envelope.OVF_1, prefixed(item, "required"), "false");
                    }
                } else if (type == OTHER_STORAGE && model.equals("vmware.sata.ahci")) {
                    subType.get().setTextContent("AHCI");
                } else if (type == SCSI && VIRTUALBOX_SCSI.containsKey(model)) {
                    subType.get().setTextContent(VIRTUALBOX_SCSI.get(model));
                } else if (type == ETHERNET && VIRTUALBOX_NICS.containsKey(model)) {
                    subType.get().setTextContent(VIRTUALBOX_NICS.get(model));
                }
            }
        }
    }

    /** The network adapter model of the first VirtualSystem's first adapter, lower case; empty when none is named. */
    static Optional<String> firstNicModel(Document document) {
        for (Element section : sections(document)) {
            for (Element item : children(section, Ovf1Envelope.OVF_1, "Item")) {
                if (resourceType(item) == ETHERNET) {
                    return setting(item, "ResourceSubType").map(e -> e.getTextContent().trim().toLowerCase(Locale.ROOT))
                            .filter(s -> !s.isEmpty());
                }
            }
        }
        return Optional.empty();
    }

    /** vmware: the vendor's vmx-NN families, else the configured one; virtualbox: virtualbox-2.2. */
    private static void systemType(Document document, Element section, PlatformProfile profile,
                                   ProfileSettings settings) {
        Element system = children(section, Ovf1Envelope.OVF_1, "System").stream().findFirst().orElse(null);
        if (system == null) {
            system = document.createElementNS(Ovf1Envelope.OVF_1, prefixedName(section, "System"));
            Node info = children(section, Ovf1Envelope.OVF_1, "Info").stream().findFirst().map(Node::getNextSibling)
                    .orElse(section.getFirstChild());
            section.insertBefore(system, info);
        }
        Element type = children(system, Ovf1Envelope.VSSD, "VirtualSystemType").stream().findFirst().orElse(null);
        String current = type == null ? "" : type.getTextContent().trim();
        String wanted;
        if (profile == PlatformProfile.VMWARE) {
            List<String> families = Arrays.stream(current.split("[\\s,]+")).filter(t -> t.matches("vmx-\\d+")).toList();
            wanted = families.isEmpty() ? settings.vmwareHardwareFamily() : String.join(" ", families);
        } else {
            wanted = VIRTUALBOX_TYPE;
        }
        if (type == null) {
            String prefix = system.lookupPrefix(Ovf1Envelope.VSSD);
            if (prefix == null) {
                prefix = "vssd";
                document.getDocumentElement().setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:vssd",
                        Ovf1Envelope.VSSD);
            }
            type = document.createElementNS(Ovf1Envelope.VSSD, prefix + ":VirtualSystemType");
            system.appendChild(type); // the last vssd setting in CIM's alphabetical order
        }
        type.setTextContent(wanted);
    }

    private static List<Element> sections(Document document) {
        return Ovf1Envelope.all(document).stream()
                .filter(e -> Ovf1Envelope.OVF_1.equals(e.getNamespaceURI())
                        && "VirtualHardwareSection".equals(e.getLocalName()))
                .toList();
    }

    private static int resourceType(Element item) {
        try {
            return setting(item, "ResourceType").map(e -> Integer.parseInt(e.getTextContent().trim())).orElse(-1);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Optional<Element> setting(Element item, String name) {
        return children(item, Ovf1Envelope.RASD, name).stream().findFirst();
    }

    private static List<Element> children(Element parent, String namespace, String local) {
        List<Element> found = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element e && namespace.equals(e.getNamespaceURI()) && local.equals(e.getLocalName())) {
                found.add(e);
            }
        }
        return found;
    }

    /** An attribute name in the envelope namespace, with the prefix the document binds it to. */
    private static String prefixed(Element element, String local) {
        String prefix = element.lookupPrefix(Ovf1Envelope.OVF_1);
        return (prefix == null ? "ovf" : prefix) + ":" + local;
    }

    /** An element name in the envelope namespace, as the section's own name is written (prefixed or not). */
    private static String prefixedName(Element section, String local) {
        return section.getPrefix() == null ? local : section.getPrefix() + ":" + local;
    }
}
