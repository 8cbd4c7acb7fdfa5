package org.ovaflow.core.xml;

import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXParseException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

/**
 * JAXP DOM builders locked down for untrusted descriptors (the schema stage parses them, the transcode stage
 * rewrites them): no DTDs at all (which rules out XXE and entity
 * expansion bombs), no external fetches, no XInclude, and a depth bound so hostile nesting cannot exhaust the stack.
 */
public final class HardenedDocumentBuilders {

    /** Far above any real descriptor (Envelope, nested collections, VirtualSystem, section, Item, setting). */
    public static final int MAX_ELEMENT_DEPTH = 100;

    private static final String DISALLOW_DOCTYPE = "http://apache.org/xml/features/disallow-doctype-decl";
    private static final String EXTERNAL_GENERAL_ENTITIES = "http://xml.org/sax/features/external-general-entities";
    private static final String EXTERNAL_PARAMETER_ENTITIES = "http://xml.org/sax/features/external-parameter-entities";
    private static final String LOAD_EXTERNAL_DTD = "http://apache.org/xml/features/nonvalidating/load-external-dtd";
    private static final String MAX_ELEMENT_DEPTH_PROPERTY = "http://www.oracle.com/xml/jaxp/properties/maxElementDepth";

    private final DocumentBuilderFactory factory;

    public HardenedDocumentBuilders() {
        // newDefaultInstance, not newInstance: a Xerces or other parser on the classpath must not replace the JDK's,
        // whose support for every setting below is known.
        factory = DocumentBuilderFactory.newDefaultInstance();
        try {
            factory.setNamespaceAware(true);
            factory.setValidating(false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature(DISALLOW_DOCTYPE, true);
            // The rest is defence in depth should DOCTYPEs ever be let through.
            factory.setFeature(EXTERNAL_GENERAL_ENTITIES, false);
            factory.setFeature(EXTERNAL_PARAMETER_ENTITIES, false);
            factory.setFeature(LOAD_EXTERNAL_DTD, false);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setAttribute(MAX_ELEMENT_DEPTH_PROPERTY, String.valueOf(MAX_ELEMENT_DEPTH));
        } catch (ParserConfigurationException | IllegalArgumentException e) {
            throw new IllegalStateException("the JDK XML parser rejected a hardening setting", e);
        }
    }

    /** A fresh builder (builders are not thread-safe) that fails on every error instead of printing it. */
    public DocumentBuilder newDocumentBuilder() {
        try {
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(FAIL_ON_ERRORS);
            // No entity may be resolved from anywhere; with DOCTYPEs refused this is never reached.
            builder.setEntityResolver((publicId, systemId) -> {
                throw new SAXParseException("external entity " + systemId + " is not allowed", null);
            });
            return builder;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("cannot create a hardened DocumentBuilder", e);
        }
    }

    private static final ErrorHandler FAIL_ON_ERRORS = new ErrorHandler() {
        @Override
        public void warning(SAXParseException exception) {
            // Warnings do not make a descriptor unreadable.
        }

        @Override
        public void error(SAXParseException exception) throws SAXParseException {
            throw exception;
        }

        @Override
        public void fatalError(SAXParseException exception) throws SAXParseException {
            throw exception;
        }
    };
}
