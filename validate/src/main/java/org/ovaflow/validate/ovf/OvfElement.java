package org.ovaflow.validate.ovf;

import org.w3c.dom.Attr;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

import javax.xml.XMLConstants;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * An element of an OVF descriptor read the way real producers write them rather than the way the schema says:
 * OVF elements may be in any OVF envelope namespace or in none, OVF 0.9-style {@code <Section xsi:type="ovf:X_Type">}
 * and {@code <Content xsi:type=...>} stand for element X, and ovf attributes may be written unqualified.
 */
final class OvfElement {

    private final Element element;

    OvfElement(Element element) {
        this.element = element;
    }

    /**
     * What this element is in OVF terms ("DiskSection", "VirtualSystem", "Item"...), or null for elements outside
     * OVF (rasd:*, vmw:*, vendor sections). Files without a default namespace leave OVF children unqualified, so
     * the null namespace counts as OVF.
     */
    String kind() {
        String namespace = element.getNamespaceURI();
        if (namespace != null && !OvfVersion.isOvfNamespace(namespace)) {
            return null;
        }
        String localName = element.getLocalName();
        if ("Section".equals(localName) || "Content".equals(localName)) {
            String type = element.getAttributeNS(XMLConstants.W3C_XML_SCHEMA_INSTANCE_NS_URI, "type");
            if (!type.isBlank()) {
                String unprefixed = type.substring(type.indexOf(':') + 1).trim();
                return unprefixed.endsWith("_Type") ? unprefixed.substring(0, unprefixed.length() - 5) : unprefixed;
            }
        }
        return localName;
    }

    boolean is(String kind) {
        return kind.equals(kind());
    }

    /** Child elements of any of the given kinds, in document order. */
    List<OvfElement> children(String... kinds) {
        List<String> wanted = List.of(kinds);
        return childElements().filter(child -> child.kind() != null && wanted.contains(child.kind())).toList();
    }

    /** The first child element of any of the given kinds. */
    Optional<OvfElement> firstChild(String... kinds) {
        return children(kinds).stream().findFirst();
    }

    /** This element and all elements below it, in document order. */
    Stream<OvfElement> descendantsAndSelf() {
        return Stream.concat(Stream.of(this), childElements().flatMap(OvfElement::descendantsAndSelf));
    }

    /**
     * The trimmed text of the first OVF child of the given kind, null when absent or blank (e.g. Name, Product,
     * Vendor, Description).
     */
    String childText(String kind) {
        return firstChild(kind).map(OvfElement::text).orElse(null);
    }

    /**
     * The trimmed text of the first child with this local name in any namespace: CIM settings (rasd:, sasd:,
     * epasd:, vssd:) are looked up by local name because OVF 2 spreads them over several schemas and some files
     * declare those namespaces with typos.
     */
    String settingText(String localName) {
        return childElements()
                .filter(child -> localName.equals(child.element.getLocalName()))
                .findFirst()
                .map(OvfElement::text)
                .orElse(null);
    }

    /** The trimmed, non-blank texts of every child with this local name in any namespace, in document order. */
    List<String> settingTexts(String localName) {
        return childElements()
                .filter(child -> localName.equals(child.element.getLocalName()))
                .map(OvfElement::text)
                .filter(Objects::nonNull)
                .toList();
    }

    /** The element's trimmed text, null when blank. */
    String text() {
        String text = element.getTextContent();
        return text == null || text.isBlank() ? null : text.trim();
    }

    /**
     * An ovf attribute: qualified with an OVF envelope namespace (the envelope's own, or another one in files that
     * mix generations), or unqualified as many producers write it. Null when absent.
     */
    String attribute(String name) {
        NamedNodeMap attributes = element.getAttributes();
        String unqualified = null;
        for (int i = 0; i < attributes.getLength(); i++) {
            Attr attr = (Attr) attributes.item(i);
            String localName = attr.getLocalName() != null ? attr.getLocalName() : attr.getName();
            if (!name.equals(localName)) {
                continue;
            }
            if (attr.getNamespaceURI() == null) {
                unqualified = attr.getValue();
            } else if (OvfVersion.isOvfNamespace(attr.getNamespaceURI())) {
                return attr.getValue();
            }
        }
        return unqualified;
    }

    /** An attribute holding a whole number; null when absent or not a number (e.g. a ${property} reference). */
    Long longAttribute(String name) {
        return parseLong(attribute(name));
    }

    static Long parseLong(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Long.valueOf(value.trim());
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }

    static Integer parseInteger(String value) {
        Long parsed = parseLong(value);
        return parsed == null || parsed != parsed.intValue() ? null : parsed.intValue();
    }

    String namespaceUri() {
        return element.getNamespaceURI();
    }

    String localName() {
        return element.getLocalName();
    }

    private Stream<OvfElement> childElements() {
        List<OvfElement> children = new ArrayList<>();
        for (Node node = element.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element child) {
                children.add(new OvfElement(child));
            }
        }
        return children.stream();
    }
}
