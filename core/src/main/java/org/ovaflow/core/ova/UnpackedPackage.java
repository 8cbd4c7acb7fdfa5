package org.ovaflow.core.ova;

import org.ovaflow.core.xml.HardenedDocumentBuilders;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An unpacked OVF package in the store: a descriptor ({@code name.ovf}) and, under the same prefix, its manifest
 * ({@code name.mf}), certificate ({@code name.cert}) and the files its References name. Ingest uses this to wait
 * until every referenced file is there; the checksum stage to know which objects make the package.
 *
 * <p>Only References are read here, with the hardened parser: what the descriptor means is the schema stage's.
 */
public final class UnpackedPackage {

    /** The schema stage's limit too: a descriptor larger than this is not read (ovf.descriptor rejects it). */
    public static final int MAX_DESCRIPTOR_BYTES = 16 * 1024 * 1024;

    /** RFC 3986 scheme (http:, file:, …), and Windows drive letters. */
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

    private static final HardenedDocumentBuilders XML = new HardenedDocumentBuilders();

    private UnpackedPackage() {
    }

    /** The key prefix holding the package: the descriptor key up to and including its last slash ("" at the root). */
    public static String folderOf(String descriptorKey) {
        return descriptorKey.substring(0, descriptorKey.lastIndexOf('/') + 1);
    }

    /** The manifest and certificate names that go with the descriptor, by its base name (DSP0243, ovftool). */
    public static List<String> companions(String descriptorName) {
        String stem = PackageForm.stem(descriptorName);
        return List.of(stem + ".mf", stem + ".cert");
    }

    /**
     * The files {@code descriptor}'s References name inside the package, in their order (chunked files as their
     * chunks {@code href.000000000}, … when the File states its size), at most {@code limit + 1} of them so a
     * caller sees that there are too many without this listing them all. Hrefs that leave the package (a URI
     * scheme, an absolute path, {@code ..}) are left out: never read, and the schema stage judges them
     * ({@code ovf.href-remote}).
     *
     * @throws IOException when the descriptor is not well-formed XML (the schema stage will say why)
     */
    public static List<String> referencedFiles(byte[] descriptor, int limit) throws IOException {
        Document document;
        try {
            document = XML.newDocumentBuilder().parse(new ByteArrayInputStream(descriptor));
        } catch (SAXException e) {
            throw new IOException("not a readable descriptor: " + FailureDescription.of(e), e);
        }
        Set<String> files = new LinkedHashSet<>();
        Element envelope = document.getDocumentElement();
        for (Element references : children(envelope, "References")) {
            for (Element file : children(references, "File")) {
                String href = attribute(file, "href");
                if (href == null || href.isEmpty() || !insidePackage(href)) {
                    continue;
                }
                long chunks = chunkCount(attribute(file, "size"), attribute(file, "chunkSize"));
                if (chunks == 0) {
                    files.add(href);
                } else {
                    for (long i = 0; i < chunks && files.size() <= limit; i++) {
                        files.add(href + "." + String.format("%09d", i));
                    }
                }
                if (files.size() > limit) {
                    return List.copyOf(files);
                }
            }
        }
        return List.copyOf(files);
    }

    /**
     * The names a referenced file may have beside the descriptor: the href as written, then percent-decoded when
     * that differs (DSP0243 hrefs are URIs, so {@code my%20disk.vmdk} is the file {@code my disk.vmdk}; the schema
     * stage reads such an href as that file, {@code ovf.href-spelling}). A decoded name that leaves the package
     * is not offered.
     */
    public static List<String> spellings(String href) {
        String decoded;
        try {
            // URLDecoder reads '+' as a space, which a URI path does not
            decoded = URLDecoder.decode(href.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return List.of(href);
        }
        return decoded.equals(href) || !insidePackage(decoded) ? List.of(href) : List.of(href, decoded);
    }

    /** Whether {@code href} names a file inside the package: no URI scheme, not absolute, no {@code ..}. */
    public static boolean insidePackage(String href) {
        if (SCHEME.matcher(href).find() || href.startsWith("/") || href.startsWith("\\")) {
            return false;
        }
        for (String segment : href.split("[/\\\\]")) {
            if (segment.equals("..")) {
                return false;
            }
        }
        return href.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
    }

    /** 0 for a File that is not chunked; its chunks' count when size and chunkSize say; 1 when only chunkSize does. */
    private static long chunkCount(String size, String chunkSize) {
        if (chunkSize == null) {
            return 0;
        }
        try {
            long chunk = Long.parseLong(chunkSize.trim());
            if (chunk <= 0) {
                return 0;
            }
            if (size == null) {
                return 1;
            }
            long total = Long.parseLong(size.trim());
            return Math.max(1, total / chunk + (total % chunk == 0 ? 0 : 1));
        } catch (NumberFormatException e) {
            // the schema stage reports a malformed size; the File is then looked for under its href
            return 0;
        }
    }

    private static List<Element> children(Element parent, String localName) {
        List<Element> found = new ArrayList<>();
        if (parent == null) {
            return found;
        }
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && localName.equals(localName(element))) {
                found.add(element);
            }
        }
        return found;
    }

    private static String localName(Node node) {
        return node.getLocalName() != null ? node.getLocalName() : node.getNodeName();
    }

    /** {@code ovf:href} and the like, in whichever OVF namespace (0.9, 1.x, 2.x) or none. */
    private static String attribute(Element element, String localName) {
        NamedNodeMap attributes = element.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            Attr attribute = (Attr) attributes.item(i);
            if (localName.equals(localName(attribute))) {
                return attribute.getValue();
            }
        }
        return null;
    }
}
