package org.ovaflow.core.store;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.InputStream;

/** The StAX reader of the store's XML answers: secure like every XML reader here, no DTDs, no external entities. */
final class StoreXml {

    private static final XMLInputFactory XML = XMLInputFactory.newFactory();

    static {
        XML.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        XML.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    }

    private StoreXml() {
    }

    static XMLStreamReader reader(InputStream in) throws XMLStreamException {
        return XML.createXMLStreamReader(in);
    }
}
