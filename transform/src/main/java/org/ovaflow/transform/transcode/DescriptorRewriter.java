package org.ovaflow.transform.transcode;

import org.ovaflow.core.xml.HardenedDocumentBuilders;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

import javax.xml.XMLConstants;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The package's own descriptor, changed only where a converted disk makes it wrong: each converted File's
 * href and size (its compression and chunking gone), each Disk's format URI, populated size and, when the
 * target rounded the disk up, its capacity; Files a conversion absorbed (a VMDK's flat extent) removed.
 * Everything else (product, hardware, EULA, properties, vendor extensions) stays as the vendor wrote it.
 */
final class DescriptorRewriter {

    /**
     * What a converted file is now. {@code capacityBytes} is null when the guest-visible size is unchanged;
     * {@code format} is null for a file staged as it is, of which only the name can change.
     */
    record FileChange(String href, long size, String format, long populatedSize, Long capacityBytes) {

        /** A file staged unchanged under {@code href}: the name the archive gave it, whatever the href said. */
        static FileChange named(String href) {
            return new FileChange(href, -1, null, -1, null);
        }
    }

    private static final HardenedDocumentBuilders BUILDERS = new HardenedDocumentBuilders();

    private DescriptorRewriter() {
    }

    static byte[] rewrite(byte[] descriptor, Map<String, FileChange> changes, Set<String> removed) throws IOException {
        return rewrite(descriptor, changes, removed, document -> { });
    }

    /** The descriptor rewritten for the converted files after {@code adapt} changed it (for a platform). */
    static byte[] rewrite(byte[] descriptor, Map<String, FileChange> changes, Set<String> removed,
                          Consumer<Document> adapt) throws IOException {
        Document document = parse(descriptor);
        adapt.accept(document);
        String ovf = document.getDocumentElement().getNamespaceURI();
        for (Element file : elements(document, ovf, "File")) {
            String id = file.getAttributeNS(ovf, "id");
            if (removed.contains(id)) {
                file.getParentNode().removeChild(file);
                continue;
            }
            FileChange change = changes.get(id);
            if (change != null && change.format() == null) {
                file.setAttributeNS(ovf, qualified(file, "href"), change.href());
            } else if (change != null) {
                file.setAttributeNS(ovf, qualified(file, "href"), change.href());
                file.setAttributeNS(ovf, qualified(file, "size"), Long.toString(change.size()));
                file.removeAttributeNS(ovf, "compression");
                file.removeAttributeNS(ovf, "chunkSize");
            }
        }
        for (Element disk : elements(document, ovf, "Disk")) {
            FileChange change = changes.get(disk.getAttributeNS(ovf, "fileRef"));
            if (change == null || change.format() == null) {
                continue;
            }
            disk.setAttributeNS(ovf, qualified(disk, "format"), change.format());
            disk.setAttributeNS(ovf, qualified(disk, "populatedSize"), Long.toString(change.populatedSize()));
            if (change.capacityBytes() != null) {
                disk.setAttributeNS(ovf, qualified(disk, "capacity"), Long.toString(change.capacityBytes()));
                disk.removeAttributeNS(ovf, "capacityAllocationUnits");
            }
        }
        return serialise(document);
    }

    /** The descriptor's DOM, parsed as every descriptor is: no DTD, no external access. */
    static Document parse(byte[] descriptor) throws IOException {
        try {
            return BUILDERS.newDocumentBuilder().parse(new ByteArrayInputStream(descriptor));
        } catch (SAXException e) {
            throw new IOException("the descriptor no longer parses: " + e.getMessage(), e);
        }
    }

    private static List<Element> elements(Document document, String namespace, String localName) {
        NodeList nodes = document.getElementsByTagNameNS(namespace, localName);
        List<Element> found = new ArrayList<>(nodes.getLength());
        for (int i = 0; i < nodes.getLength(); i++) {
            found.add((Element) nodes.item(i));
        }
        return found;
    }

    /** The attribute's name with the prefix the element's namespace has in this document (ovf: by custom). */
    private static String qualified(Element element, String localName) {
        String prefix = element.getPrefix();
        if (prefix == null) {
            prefix = element.lookupPrefix(element.getNamespaceURI());
        }
        return (prefix == null ? "ovf" : prefix) + ":" + localName;
    }

    private static byte[] serialise(Node document) throws IOException {
        try {
            TransformerFactory factory = TransformerFactory.newDefaultInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
            Transformer transformer = factory.newTransformer();
            transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            transformer.transform(new DOMSource(document), new StreamResult(out));
            return out.toByteArray();
        } catch (TransformerException e) {
            throw new IOException("cannot write the rewritten descriptor", e);
        }
    }
}
