package org.ovaflow.validate.schema;

import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.ova.FailureDescription;
import org.ovaflow.core.thread.OnFirstUse;
import org.ovaflow.core.xml.HardenedDocumentBuilders;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.w3c.dom.ls.LSInput;
import org.w3c.dom.ls.LSResourceResolver;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.XMLReader;

import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.transform.Source;
import javax.xml.transform.sax.SAXSource;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The OVF envelope schemas that ship with ovaflow (0.9, 1.x, 2.x), compiled once, and the {@code ovf.schema} check
 * of a descriptor against the one of its version. Nothing is ever fetched: not the schemas, not what a descriptor's
 * {@code xsi:schemaLocation} names. Thread-safe.
 */
public final class EnvelopeSchemas {

    public static final String CHECK_ID = "ovf.schema";

    /** A section in the OVF namespace the schema does not define, marked ovf:required="false": ignored. */
    public static final String UNKNOWN_SECTION_ID = "ovf.unknown-section";

    /** Errors quoted in the check's message; the rest are counted. */
    public static final int MAX_REPORTED_ERRORS = 10;

    /** Validation stops after this many errors: a hostile descriptor cannot make it format millions of messages. */
    static final int MAX_COUNTED_ERRORS = 100;

    private static final int MAX_ERROR_CHARS = 300;
    private static final String MAX_ELEMENT_DEPTH = "http://www.oracle.com/xml/jaxp/properties/maxElementDepth";

    private static final String V1 = "http://schemas.dmtf.org/ovf/envelope/1";
    private static final String V2 = "http://schemas.dmtf.org/ovf/envelope/2";
    private static final String V09 = "http://www.vmware.com/schema/ovf/1/envelope";
    /** The few rasd: settings of an Item that are type-checked; see its header. */
    private static final String RASD = "cim-rasd-minimal.xsd";

    /**
     * @param elements the local names of the elements its schema declares, types the names of its types: what an
     *                 optional section must not be named to be ignored as unknown
     */
    private record Envelope(String description, Schema schema, Set<String> elements, Set<String> types) {
    }

    /** Each envelope compiled on its first descriptor: a short command (inspect) compiles one of the three. */
    private final Map<String, Supplier<Envelope>> byNamespace;

    private static final class Shipped {
        static final EnvelopeSchemas INSTANCE = new EnvelopeSchemas();
    }

    /** The schemas of the classpath, compiled on first use and shared by every validator of the JVM. */
    public static EnvelopeSchemas shipped() {
        return Shipped.INSTANCE;
    }

    private EnvelopeSchemas() {
        Map<String, Supplier<Envelope>> envelopes = new LinkedHashMap<>();
        envelopes.put(V1, OnFirstUse.of(() -> envelope("the OVF 1.x envelope schema shipped with ovaflow",
                hardenedFactory(), "ovf-envelope-1.xsd", RASD)));
        envelopes.put(V2, OnFirstUse.of(() -> envelope("the OVF 2.x envelope schema shipped with ovaflow",
                hardenedFactory(), "ovf-envelope-2.xsd", RASD)));
        envelopes.put(V09, OnFirstUse.of(() -> envelope("ovaflow's lax OVF 0.9 envelope schema (DMTF publishes none "
                + "for 0.9; the parser checks the structure it reads)", hardenedFactory(), "ovf-envelope-0.9.xsd")));
        byNamespace = Collections.unmodifiableMap(envelopes);
    }

    /** A schema factory that resolves nothing outside the shipped documents (one per compilation: not thread-safe). */
    private static SchemaFactory hardenedFactory() {
        SchemaFactory factory = SchemaFactory.newDefaultInstance();
        try {
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        } catch (SAXException e) {
            throw new IllegalStateException("the JDK schema factory rejected a hardening setting", e);
        }
        factory.setResourceResolver(REFUSE_EVERYTHING);
        return factory;
    }

    private static Envelope envelope(String description, SchemaFactory factory, String... resources) {
        Set<String> elements = new HashSet<>();
        Set<String> types = new HashSet<>();
        URL url = EnvelopeSchemas.class.getResource(resources[0]);
        if (url == null) {
            throw new IllegalStateException("the schema " + resources[0] + " is missing from the classpath");
        }
        try (InputStream in = url.openStream()) {
            Document xsd = new HardenedDocumentBuilders().newDocumentBuilder().parse(in);
            NodeList declared = xsd.getElementsByTagNameNS(XMLConstants.W3C_XML_SCHEMA_NS_URI, "*");
            for (int i = 0; i < declared.getLength(); i++) {
                Element declaration = (Element) declared.item(i);
                String name = declaration.getAttribute("name");
                if (name.isEmpty()) {
                    continue;
                }
                switch (declaration.getLocalName()) {
                    case "element" -> elements.add(name);
                    case "complexType", "simpleType" -> types.add(name);
                    default -> {
                        // attributes and groups do not name sections
                    }
                }
            }
        } catch (SAXException | IOException e) {
            throw new IllegalStateException("cannot read the schema " + resources[0] + ": " + FailureDescription.of(e), e);
        }
        return new Envelope(description, compile(factory, resources), Set.copyOf(elements), Set.copyOf(types));
    }

    /** One schema of several documents: the envelope's lax wildcards find the declarations of the others. */
    private static Schema compile(SchemaFactory factory, String... resources) {
        List<InputStream> opened = new ArrayList<>();
        try {
            Source[] sources = new Source[resources.length];
            for (int i = 0; i < resources.length; i++) {
                URL url = EnvelopeSchemas.class.getResource(resources[i]);
                if (url == null) {
                    throw new IllegalStateException("the schema " + resources[i] + " is missing from the classpath");
                }
                opened.add(url.openStream());
                sources[i] = new StreamSource(opened.get(i), url.toExternalForm());
            }
            return factory.newSchema(sources);
        } catch (SAXException | IOException e) {
            throw new IllegalStateException("cannot compile the schema " + resources[0] + ": " + e.getMessage(), e);
        } finally {
            for (InputStream in : opened) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // a classpath resource already read
                }
            }
        }
    }

    /**
     * Validates a descriptor, already found well-formed by the descriptor parser, against the schema of its envelope
     * namespace.
     *
     * @param fileName   the descriptor's name, for the check
     * @param descriptor its bytes
     * @return {@code ovf.schema} PASS, or FAIL quoting the first errors with their line numbers
     */
    public CheckResult validate(String fileName, byte[] descriptor) {
        return check(fileName, descriptor).get(0);
    }

    /**
     * Validates a descriptor as {@link #validate} does, and says which unknown sections marked
     * {@code ovf:required="false"} it ignored to do so.
     *
     * @return {@code ovf.schema} first, then an {@code ovf.unknown-section} warning when such sections were ignored
     */
    public List<CheckResult> check(String fileName, byte[] descriptor) {
        String namespace;
        try {
            namespace = rootNamespace(descriptor);
        } catch (XMLStreamException e) {
            return List.of(CheckResult.fail(CHECK_ID, fileName, "cannot read the descriptor's root element: "
                    + FailureDescription.of(e)));
        }
        Supplier<Envelope> compiled = byNamespace.get(namespace);
        if (compiled == null) {
            return List.of(CheckResult.fail(CHECK_ID, fileName, "no envelope schema for the namespace '" + namespace
                    + "', expected one of " + String.join(", ", byNamespace.keySet())));
        }
        Envelope envelope = compiled.get();
        Errors errors = new Errors();
        UnknownOptionalSections unknown = new UnknownOptionalSections(hardenedReader(), namespace,
                envelope.elements(), envelope.types());
        try {
            Validator validator = envelope.schema().newValidator();
            validator.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            validator.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            validator.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            validator.setResourceResolver(REFUSE_EVERYTHING);
            validator.setErrorHandler(errors);
            validator.validate(new SAXSource(unknown, new InputSource(new ByteArrayInputStream(descriptor))));
        } catch (SAXException | IOException e) {
            if (!errors.stopped) {
                // not raised by the error handler (which has counted its own): a reader failure, told as an error
                errors.record(e instanceof SAXParseException p ? p : new SAXParseException(FailureDescription.of(e), null));
            }
        } catch (RefusedResource e) {
            return List.of(CheckResult.fail(CHECK_ID, fileName, "validation asked for the external resource "
                    + e.getMessage() + ", which ovaflow never fetches"));
        }
        List<CheckResult> checks = new ArrayList<>();
        String ignoring = unknown.count() == 0 ? "" : ", ignoring " + unknown.count() + " unknown optional section(s)";
        if (errors.count == 0) {
            checks.add(CheckResult.pass(CHECK_ID, fileName, "valid against " + envelope.description() + ignoring));
        } else {
            String count = errors.count > MAX_COUNTED_ERRORS ? "more than " + MAX_COUNTED_ERRORS
                    : String.valueOf(errors.count);
            checks.add(CheckResult.fail(CHECK_ID, fileName, "not valid against " + envelope.description() + ignoring
                    + ": " + count + " error(s)" + (errors.count > errors.quoted.size() ? ", the first "
                    + errors.quoted.size() : "") + ": " + String.join("; ", errors.quoted)));
        }
        if (unknown.count() > 0) {
            checks.add(CheckResult.warn(UNKNOWN_SECTION_ID, fileName, unknown.count() + " section(s) in the OVF "
                    + "namespace that " + envelope.description() + " does not define, each marked "
                    + "ovf:required=\"false\": ignored, as DSP0243 lets a consumer do ("
                    + String.join("; ", unknown.ignored())
                    + (unknown.count() > unknown.ignored().size() ? "; …" : "") + ")"));
        }
        return checks;
    }

    /** The namespace of the root element, read with a parser that stops there. */
    private static String rootNamespace(byte[] descriptor) throws XMLStreamException {
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        XMLStreamReader reader = factory.createXMLStreamReader(new ByteArrayInputStream(descriptor));
        try {
            reader.nextTag();
            String namespace = reader.getNamespaceURI();
            return namespace == null ? "" : namespace;
        } finally {
            reader.close();
        }
    }

    /** A SAX reader locked down as the descriptor parser's DOM builders are; it is what gives errors line numbers. */
    private static XMLReader hardenedReader() {
        try {
            SAXParserFactory factory = SAXParserFactory.newDefaultInstance();
            factory.setNamespaceAware(true);
            factory.setValidating(false);
            factory.setXIncludeAware(false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            XMLReader reader = factory.newSAXParser().getXMLReader();
            reader.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            reader.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            reader.setProperty(MAX_ELEMENT_DEPTH, String.valueOf(HardenedDocumentBuilders.MAX_ELEMENT_DEPTH));
            reader.setEntityResolver((publicId, systemId) -> {
                throw new RefusedResource(systemId);
            });
            return reader;
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("cannot create a hardened SAX parser", e);
        }
    }

    /** Neither the schemas (which import nothing) nor a descriptor may pull anything in. */
    private static final LSResourceResolver REFUSE_EVERYTHING =
            (type, namespaceUri, publicId, systemId, baseUri) -> {
                throw new RefusedResource(systemId != null ? systemId : namespaceUri);
            };

    private static final class RefusedResource extends RuntimeException {
        RefusedResource(String resource) {
            super(resource, null, false, false);
        }
    }

    private static final class TooManyErrors extends SAXException {
    }

    /** Collects every error (not only the first), quoting the first few; warnings do not make a descriptor invalid. */
    private static final class Errors implements ErrorHandler {
        private final List<String> quoted = new ArrayList<>();
        private int count;
        private int lastLine = -1;
        private int lastColumn = -1;
        private boolean stopped;

        @Override
        public void warning(SAXParseException exception) {
        }

        @Override
        public void error(SAXParseException exception) throws SAXException {
            record(exception);
            if (count > MAX_COUNTED_ERRORS) {
                stopped = true;
                throw new TooManyErrors();
            }
        }

        @Override
        public void fatalError(SAXParseException exception) throws SAXException {
            record(exception);
            stopped = true;
            throw exception;
        }

        void record(SAXParseException e) {
            String text = readable(e.getMessage());
            boolean samePlace = e.getLineNumber() > 0 && e.getLineNumber() == lastLine && e.getColumnNumber() == lastColumn;
            lastLine = e.getLineNumber();
            lastColumn = e.getColumnNumber();
            if (samePlace && count > 0) {
                // The validator reports one bad value twice (the facet, then the attribute or element): one error.
                if (quoted.size() == count) {
                    quoted.add(bounded(quoted.remove(quoted.size() - 1) + " — " + text));
                }
                return;
            }
            count++;
            if (quoted.size() < MAX_REPORTED_ERRORS) {
                quoted.add(bounded(where(e) + text));
            }
        }

        private static String where(SAXParseException e) {
            return e.getLineNumber() > 0 ? "line " + e.getLineNumber() + ": " : "";
        }

        private static String bounded(String text) {
            return text.length() <= MAX_ERROR_CHARS ? text : text.substring(0, MAX_ERROR_CHARS) + "…";
        }

        /** Drops the cvc- code and writes the OVF namespaces as the ovf: prefix. */
        private static String readable(String message) {
            if (message == null) {
                return "invalid";
            }
            String text = message.replaceFirst("^cvc-[\\w.-]+: ", "").replaceFirst("\\.$", "");
            for (String namespace : List.of(V1, V2, V09)) {
                text = text.replace("{\"" + namespace + "\":", "{ovf:")
                        .replaceAll("\\{ovf:(\\w+)}", "ovf:$1")
                        .replace("WC[##other:\"" + namespace + "\"]", "an element of another namespace")
                        .replace("\"" + namespace + "\":", "ovf:")
                        .replace("namespace '" + namespace + "'", "the OVF namespace");
            }
            return text;
        }
    }
}
