package org.ovaflow.validate.ovf;

import org.ovaflow.core.xml.HardenedDocumentBuilders;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.ova.FailureDescription;
import org.w3c.dom.Document;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Turns the bytes of an untrusted OVF descriptor (0.9, 1.x or 2.x) into {@link ApplianceMetadata}, refusing
 * anything oversized, hostile (DOCTYPE, entities, XInclude) or not an OVF Envelope. Thread-safe.
 */
public final class OvfDescriptorParser {

    /** Real descriptors are tens to hundreds of KiB; 16 MiB leaves room for huge ProductSections and EULAs. */
    public static final long DEFAULT_MAX_BYTES = 16L * 1024 * 1024;

    private final long maxBytes;
    private final HardenedDocumentBuilders documentBuilders = new HardenedDocumentBuilders();

    public OvfDescriptorParser() {
        this(DEFAULT_MAX_BYTES);
    }

    /** @param maxBytes descriptors longer than this are refused, counted as they are read */
    public OvfDescriptorParser(long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /**
     * Parses one descriptor. The stream is read up to the size limit and left open for the caller to close.
     *
     * @param fileName   how the descriptor is named in error messages, e.g. its tar entry name
     * @param descriptor the descriptor's bytes
     * @throws InvalidDescriptorException when the descriptor is unreadable, hostile, too large or not OVF; the
     *                                    message starts with the file name and says what is wrong
     */
    public ApplianceMetadata parse(String fileName, InputStream descriptor) throws InvalidDescriptorException {
        return read(fileName, descriptor).appliance();
    }

    /**
     * Parses one descriptor into its metadata and its hardware sections as written, for the semantic checks.
     * Same limits and failures as {@link #parse}.
     */
    public OvfDescriptor read(String fileName, InputStream descriptor) throws InvalidDescriptorException {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(descriptor, "descriptor");
        Document document = readXml(fileName, descriptor);
        OvfElement envelope = new OvfElement(document.getDocumentElement());
        OvfVersion version = envelopeVersion(fileName, envelope);
        return new ApplianceMetadataExtractor(envelope, version).extract();
    }

    private Document readXml(String fileName, InputStream descriptor) throws InvalidDescriptorException {
        SizeLimitedInputStream bounded = new SizeLimitedInputStream(descriptor, maxBytes);
        try {
            return documentBuilders.newDocumentBuilder().parse(bounded);
        } catch (SAXException | IOException e) {
            // The parser may wrap the stream's exception, so ask the stream rather than the exception.
            if (bounded.limitExceeded()) {
                throw new InvalidDescriptorException(fileName,
                        "descriptor is larger than the limit of " + maxBytes + " bytes", e);
            }
            if (e instanceof IOException) {
                throw new InvalidDescriptorException(fileName, "cannot read descriptor: " + FailureDescription.of(e), e);
            }
            throw new InvalidDescriptorException(fileName, describe((SAXException) e), e);
        }
    }

    private static String describe(SAXException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        String where = e instanceof SAXParseException p && p.getLineNumber() > 0 ? " at line " + p.getLineNumber() : "";
        if (message.contains("DOCTYPE")) {
            // Refusing every DTD is what keeps out external entities and entity-expansion bombs.
            return "DOCTYPE is not allowed in an OVF descriptor" + where;
        }
        if (message.contains("maxElementDepth") || message.contains("element depth")) {
            return "elements are nested deeper than " + HardenedDocumentBuilders.MAX_ELEMENT_DEPTH + where;
        }
        return "not well-formed XML" + where + ": " + message;
    }

    private static OvfVersion envelopeVersion(String fileName, OvfElement root) throws InvalidDescriptorException {
        if (!"Envelope".equals(root.localName())) {
            throw new InvalidDescriptorException(fileName, "root element is <" + root.localName()
                    + ">, expected an OVF <Envelope>");
        }
        String namespace = root.namespaceUri();
        return OvfVersion.forNamespace(namespace).orElseThrow(() -> new InvalidDescriptorException(fileName,
                (namespace == null ? "Envelope has no namespace" : "unknown Envelope namespace '" + namespace + "'")
                        + ", expected one of " + knownNamespaces()));
    }

    private static String knownNamespaces() {
        return Arrays.stream(OvfVersion.values())
                .map(v -> v.namespace() + " (OVF " + v.label() + ")")
                .collect(Collectors.joining(", "));
    }
}
