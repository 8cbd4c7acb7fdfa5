package org.ovaflow.validate.schema;

import org.xml.sax.Attributes;
import org.xml.sax.EntityResolver;
import org.xml.sax.InputSource;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.XMLReader;
import org.xml.sax.helpers.XMLFilterImpl;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * Takes out of the SAX stream the schema validator reads every section in the OVF namespace that the shipped
 * schema does not define and that is marked {@code ovf:required="false"}: DSP0243 lets a consumer ignore a section
 * it does not understand unless it is required (the attribute's default is true), so such a section is reported as
 * a warning rather than failing {@code ovf.schema}. An unknown section without that mark is passed on, and the
 * schema fails it. Sections are the children of the Envelope and of its Content (VirtualSystem,
 * VirtualSystemCollection, or Content with an xsi:type); a section is unknown when the schema declares no type
 * of the name its xsi:type gives ({@code <Section xsi:type="ovf:…_Type">}), or, without one, no element of its name.
 */
final class UnknownOptionalSections extends XMLFilterImpl {

    private static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";
    private static final Set<String> SECTION_HOLDERS = Set.of("Envelope", "VirtualSystem", "VirtualSystemCollection",
            "Content");

    /** Quoted in the warning; the rest are counted, so that a hostile descriptor cannot make it huge. */
    static final int MAX_QUOTED = 10;

    private final String namespace;
    private final Set<String> elements;
    private final Set<String> types;
    /** The hardened reader's own resolver, which refuses everything: the filter would otherwise replace it. */
    private final EntityResolver refusing;

    /** The OVF-namespace local names of the elements passed on, innermost last; "" for other namespaces. */
    private final Deque<String> open = new ArrayDeque<>();
    /** Prefix mappings seen before the next start tag: dropped with it when it is dropped. */
    private final List<String[]> pendingMappings = new ArrayList<>();
    private Locator locator;
    /** Depth inside a dropped section, 0 outside one. */
    private int dropping;
    /** endPrefixMapping calls still to swallow after a dropped section's end tag. */
    private int droppedMappings;

    private final List<String> ignored = new ArrayList<>();
    private int count;

    /**
     * @param namespace the OVF envelope namespace of the schema
     * @param elements  the local names of every element that schema declares
     * @param types     the names of every type it declares
     */
    UnknownOptionalSections(XMLReader parent, String namespace, Set<String> elements, Set<String> types) {
        super(parent);
        this.namespace = namespace;
        this.elements = elements;
        this.types = types;
        this.refusing = parent.getEntityResolver();
    }

    @Override
    public InputSource resolveEntity(String publicId, String systemId) throws SAXException, IOException {
        return refusing.resolveEntity(publicId, systemId);
    }

    /** How many sections were ignored. */
    int count() {
        return count;
    }

    /** The first ignored sections, each as {@code line N: Name}. */
    List<String> ignored() {
        return ignored;
    }

    @Override
    public void setDocumentLocator(Locator locator) {
        this.locator = locator;
        super.setDocumentLocator(locator);
    }

    @Override
    public void startPrefixMapping(String prefix, String uri) throws SAXException {
        if (dropping > 0) {
            return;
        }
        // its start tag follows: only then is it known whether the mapping goes with it
        pendingMappings.add(new String[]{prefix, uri});
    }

    @Override
    public void endPrefixMapping(String prefix) throws SAXException {
        if (dropping > 0) {
            return;
        }
        if (droppedMappings > 0) {
            droppedMappings--;
            return;
        }
        super.endPrefixMapping(prefix);
    }

    @Override
    public void startElement(String uri, String localName, String qName, Attributes atts) throws SAXException {
        if (dropping > 0) {
            dropping++;
            return;
        }
        if (isUnknownOptionalSection(uri, localName, atts)) {
            dropping = 1;
            droppedMappings = pendingMappings.size();
            pendingMappings.clear();
            count++;
            if (ignored.size() < MAX_QUOTED) {
                String type = atts.getValue(XSI, "type");
                String name = localName + (type != null && localName.equals("Section") ? " xsi:type=\"" + type + "\"" : "");
                ignored.add((locator != null && locator.getLineNumber() > 0 ? "line " + locator.getLineNumber() + ": "
                        : "") + name);
            }
            return;
        }
        for (String[] mapping : pendingMappings) {
            super.startPrefixMapping(mapping[0], mapping[1]);
        }
        pendingMappings.clear();
        open.push(namespace.equals(uri) ? localName : "");
        super.startElement(uri, localName, qName, atts);
    }

    @Override
    public void endElement(String uri, String localName, String qName) throws SAXException {
        if (dropping > 0) {
            dropping--;
            return;
        }
        open.pop();
        super.endElement(uri, localName, qName);
    }

    @Override
    public void characters(char[] ch, int start, int length) throws SAXException {
        if (dropping == 0) {
            super.characters(ch, start, length);
        }
    }

    @Override
    public void ignorableWhitespace(char[] ch, int start, int length) throws SAXException {
        if (dropping == 0) {
            super.ignorableWhitespace(ch, start, length);
        }
    }

    @Override
    public void processingInstruction(String target, String data) throws SAXException {
        if (dropping == 0) {
            super.processingInstruction(target, data);
        }
    }

    private boolean isUnknownOptionalSection(String uri, String localName, Attributes atts) {
        if (!namespace.equals(uri) || open.isEmpty() || !SECTION_HOLDERS.contains(open.peek())) {
            return false;
        }
        String required = atts.getValue(namespace, "required");
        if (required == null || !(required.trim().equals("false") || required.trim().equals("0"))) {
            return false; // required unless it says otherwise (DSP0243): the schema judges it
        }
        // <Section xsi:type="ovf:…_Type"> (OVF 0.9, and some 1.x exporters) is the section its type names
        String type = atts.getValue(XSI, "type");
        if (type != null) {
            return !types.contains(type.substring(type.indexOf(':') + 1).trim());
        }
        return !elements.contains(localName);
    }
}
