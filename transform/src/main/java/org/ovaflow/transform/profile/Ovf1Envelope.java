package org.ovaflow.transform.profile;

import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

import javax.xml.XMLConstants;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A descriptor brought to OVF 1.x, the version every importer reads, in place in its DOM:
 * <ul>
 *   <li>OVF 0.9 (VMware's pre-standard namespace): its unqualified elements qualified, {@code Full-version}
 *       spelt {@code FullVersion}, {@code Section}/{@code Content} elements typed by
 *       {@code xsi:type} become the named sections of 1.x, {@code InstanceId} becomes {@code InstanceID}, a
 *       {@code Caption} without an {@code ElementName} becomes it;</li>
 *   <li>OVF 2.x: {@code StorageItem} and {@code EthernetPortItem} become {@code Item}s with their settings in the
 *       rasd namespace, sections 1.x does not have (shared disks, environment files, boot order, scale-out,
 *       placement, encryption) are left out.</li>
 * </ul>
 * Settings of a converted Item that CIM's ResourceAllocationSettingData does not have are left out, and the
 * remaining ones put in CIM's (alphabetical) order. A 1.x descriptor is not touched.
 */
final class Ovf1Envelope {

    static final String OVF_1 = "http://schemas.dmtf.org/ovf/envelope/1";
    static final String OVF_09 = "http://www.vmware.com/schema/ovf/1/envelope";
    static final String OVF_2 = "http://schemas.dmtf.org/ovf/envelope/2";
    static final String RASD = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData";
    static final String VSSD = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData";
    private static final String SASD = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_StorageAllocationSettingData";
    private static final String EPASD =
            "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_EthernetPortAllocationSettingData";

    /** The sections OVF 1.x defines (DSP8023 1.1). */
    private static final Set<String> SECTIONS_1 = Set.of("DiskSection", "NetworkSection", "VirtualHardwareSection",
            "ResourceAllocationSection", "ProductSection", "EulaSection", "AnnotationSection",
            "OperatingSystemSection", "StartupSection", "DeploymentOptionSection", "InstallSection");

    /** The properties of CIM_ResourceAllocationSettingData (CIM 2.22, as OVF 1.x uses it), in its order. */
    private static final List<String> RASD_SETTINGS = List.of("Address", "AddressOnParent", "AllocationUnits",
            "AutomaticAllocation", "AutomaticDeallocation", "Caption", "Connection", "ConsumerVisibility",
            "Description", "ElementName", "HostResource", "InstanceID", "Limit", "MappingBehavior",
            "OtherResourceType", "Parent", "PoolID", "Reservation", "ResourceSubType", "ResourceType",
            "VirtualQuantity", "VirtualQuantityUnits", "Weight");

    /** 0.9's typed Content elements and their 1.x names. */
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "VirtualSystem_Type", "VirtualSystem", "VirtualSystemCollection_Type", "VirtualSystemCollection");

    private Ovf1Envelope() {
    }

    /** Brings {@code document} to OVF 1.x; returns what had no 1.x equivalent and was left out. */
    static List<String> downgrade(Document document) {
        String namespace = document.getDocumentElement().getNamespaceURI();
        List<String> dropped = new ArrayList<>();
        if (OVF_09.equals(namespace)) {
            fromVmware09(document, dropped);
        } else if (OVF_2.equals(namespace)) {
            fromOvf2(document, dropped);
        } else {
            return dropped;
        }
        renameNamespace(document, namespace);
        return dropped;
    }

    private static void fromVmware09(Document document, List<String> dropped) {
        document.getDocumentElement().removeAttributeNS(OVF_09, "version");
        // 0.9's schema left the envelope's inner elements unqualified, and its exporters wrote them so
        String prefix = document.getDocumentElement().getPrefix();
        for (Element element : all(document)) {
            if (element.getNamespaceURI() == null) {
                document.renameNode(element, OVF_09, qualified(prefix, element.getNodeName()));
            }
        }
        for (Element element : all(document)) {
            String local = element.getLocalName();
            if (OVF_09.equals(element.getNamespaceURI()) && "Full-version".equals(local)) {
                document.renameNode(element, OVF_09, qualified(element.getPrefix(), "FullVersion"));
                continue;
            }
            if (OVF_09.equals(element.getNamespaceURI()) && ("Section".equals(local) || "Content".equals(local))) {
                String type = element.getAttributeNS(XMLConstants.W3C_XML_SCHEMA_INSTANCE_NS_URI, "type");
                String typeName = type.substring(type.indexOf(':') + 1);
                String named = "Content".equals(local) ? CONTENT_TYPES.get(typeName)
                        : typeName.endsWith("Section_Type") ? typeName.substring(0, typeName.length() - 5) : null;
                if (named == null || ("Section".equals(local) && !SECTIONS_1.contains(named))) {
                    dropped.add(local + " of type " + type);
                    element.getParentNode().removeChild(element);
                    continue;
                }
                element.removeAttributeNS(XMLConstants.W3C_XML_SCHEMA_INSTANCE_NS_URI, "type");
                document.renameNode(element, OVF_09, qualified(element.getPrefix(), named));
            } else if ((RASD.equals(element.getNamespaceURI()) || VSSD.equals(element.getNamespaceURI()))
                    && "InstanceId".equals(local)) {
                document.renameNode(element, element.getNamespaceURI(), qualified(element.getPrefix(), "InstanceID"));
            }
        }
        for (Element item : all(document)) {
            if (OVF_09.equals(item.getNamespaceURI()) && "Item".equals(item.getLocalName())
                    && "VirtualHardwareSection".equals(item.getParentNode().getLocalName())) {
                Element caption = child(item, RASD, "Caption");
                if (caption != null && child(item, RASD, "ElementName") == null) {
                    document.renameNode(caption, RASD, qualified(caption.getPrefix(), "ElementName"));
                }
                toRasdOrder(document, item, dropped);
            }
        }
    }

    private static void fromOvf2(Document document, List<String> dropped) {
        for (Element element : all(document)) {
            if (!OVF_2.equals(element.getNamespaceURI())) {
                continue;
            }
            String local = element.getLocalName();
            Node parent = element.getParentNode();
            boolean section = local.endsWith("Section") && parent instanceof Element container
                    && OVF_2.equals(container.getNamespaceURI())
                    && Set.of("Envelope", "VirtualSystem", "VirtualSystemCollection").contains(container.getLocalName());
            if (section && !SECTIONS_1.contains(local)) {
                dropped.add(local);
                parent.removeChild(element);
            } else if ("StorageItem".equals(local) || "EthernetPortItem".equals(local)) {
                document.renameNode(element, OVF_2, qualified(element.getPrefix(), "Item"));
                toRasdOrder(document, element, dropped);
            } else if ("Network".equals(local)) {
                for (String extra : List.of("NetworkPortProfile", "NetworkPortProfileURI")) {
                    for (Element profile = child(element, OVF_2, extra); profile != null;
                         profile = child(element, OVF_2, extra)) {
                        dropped.add(extra);
                        element.removeChild(profile);
                    }
                }
            }
        }
    }

    /** The Item's CIM settings moved into the rasd namespace, unknown ones dropped, in CIM's order; others after. */
    private static void toRasdOrder(Document document, Element item, List<String> dropped) {
        List<Element> settings = new ArrayList<>();
        List<Element> others = new ArrayList<>();
        for (Node node = item.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element setting) {
                String namespace = setting.getNamespaceURI();
                boolean cim = RASD.equals(namespace) || SASD.equals(namespace) || EPASD.equals(namespace);
                if (!cim) {
                    others.add(setting);
                } else if (RASD_SETTINGS.contains(setting.getLocalName())) {
                    settings.add(setting);
                } else {
                    dropped.add(setting.getLocalName() + " of an Item");
                }
            }
        }
        while (item.getFirstChild() != null) {
            item.removeChild(item.getFirstChild());
        }
        settings.sort(Comparator.comparingInt(s -> RASD_SETTINGS.indexOf(s.getLocalName())));
        String prefix = prefixOf(item, RASD);
        String indent = indentOf(item);
        for (Element setting : settings) {
            item.appendChild(document.createTextNode("\n" + indent + "  "));
            item.appendChild(document.renameNode(setting, RASD, qualified(prefix, setting.getLocalName())));
        }
        for (Element other : others) {
            item.appendChild(document.createTextNode("\n" + indent + "  "));
            item.appendChild(other);
        }
        item.appendChild(document.createTextNode("\n" + indent));
        if (!RASD.equals(item.lookupNamespaceURI(prefix))) {
            document.getDocumentElement().setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:" + prefix, RASD);
        }
    }

    /** Every element and attribute of the old envelope namespace, and its declarations, moved to 1.x's. */
    private static void renameNamespace(Document document, String from) {
        for (Element element : all(document)) {
            if (from.equals(element.getNamespaceURI())) {
                document.renameNode(element, OVF_1, element.getNodeName());
            }
            NamedNodeMap attributes = element.getAttributes();
            List<Attr> moved = new ArrayList<>();
            for (int i = 0; i < attributes.getLength(); i++) {
                Attr attribute = (Attr) attributes.item(i);
                if (from.equals(attribute.getNamespaceURI())) {
                    moved.add(attribute);
                } else if (XMLConstants.XMLNS_ATTRIBUTE_NS_URI.equals(attribute.getNamespaceURI())
                        && from.equals(attribute.getValue())) {
                    attribute.setValue(OVF_1);
                }
            }
            for (Attr attribute : moved) {
                document.renameNode(attribute, OVF_1, attribute.getNodeName());
            }
        }
    }

    /** The spaces an element is indented by: what follows the last line break before it. */
    private static String indentOf(Element element) {
        Node before = element.getPreviousSibling();
        String text = before == null || before.getNodeType() != Node.TEXT_NODE ? "" : before.getNodeValue();
        String last = text.substring(text.lastIndexOf('\n') + 1);
        return last.isBlank() ? last : "";
    }

    /** The prefix the document binds to {@code namespace}, {@code rasd} when it binds none. */
    private static String prefixOf(Element element, String namespace) {
        String prefix = element.lookupPrefix(namespace);
        return prefix == null ? "rasd" : prefix;
    }

    private static String qualified(String prefix, String local) {
        return prefix == null ? local : prefix + ":" + local;
    }

    private static Element child(Element parent, String namespace, String local) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element e && namespace.equals(e.getNamespaceURI()) && local.equals(e.getLocalName())) {
                return e;
            }
        }
        return null;
    }

    /** Every element, in document order, as a list that stays valid while nodes are renamed or removed. */
    static List<Element> all(Document document) {
        List<Element> elements = new ArrayList<>();
        collect(document.getDocumentElement(), elements);
        return elements;
    }

    private static void collect(Element element, List<Element> into) {
        into.add(element);
        for (Node node = element.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element child) {
                collect(child, into);
            }
        }
    }
}
