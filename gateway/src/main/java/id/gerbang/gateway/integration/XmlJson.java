package id.gerbang.gateway.integration;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import id.gerbang.routes.RouteValidator;
import java.io.IOException;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;

/**
 * JSON to XML and back, by one fixed convention (docs/routes.md, "Mediation"), with the JDK's own StAX:
 * a JSON object's members become child elements named as the members, an array repeated elements of its
 * member's name, {@code null} an element with {@code xsi:nil="true"}, any other value the element's text.
 * Back: an element with child elements becomes an object (children of the same name an array), one with
 * text only its text, one with {@code xsi:nil="true"} {@code null}; attributes and namespace prefixes
 * are not carried.
 *
 * <p>Reading XML is hardened once, here: no DTD is accepted (a document carrying one is refused, so
 * neither external entities nor entity expansion can happen), no external resource is ever resolved, and
 * nesting is bounded.
 */
final class XmlJson {

    /** The deepest nesting read or written, in either direction. */
    static final int MAX_DEPTH = 64;
    static final String XSI = XMLConstants.W3C_XML_SCHEMA_INSTANCE_NS_URI;

    private static final XMLInputFactory INPUT = safeInput();
    private static final XMLOutputFactory OUTPUT = XMLOutputFactory.newDefaultFactory();
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();

    private XmlJson() {}

    /**
     * The JDK's StAX parser (never whichever one the classpath offers), told to take no DTD and resolve
     * nothing outside the document.
     */
    private static XMLInputFactory safeInput() {
        XMLInputFactory f = XMLInputFactory.newDefaultFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setXMLResolver((publicId, systemId, baseUri, namespace) -> {
            throw new XMLStreamException("external resources are never resolved: " + systemId);
        });
        return f;
    }

    static XMLStreamReader reader(java.io.InputStream in) throws XMLStreamException {
        return INPUT.createXMLStreamReader(in);
    }

    static XMLStreamWriter writer(java.io.OutputStream out) throws XMLStreamException {
        return OUTPUT.createXMLStreamWriter(out, "UTF-8");
    }

    static JsonParser json(java.io.InputStream in) throws IOException {
        return JSON.createParser(in);
    }

    /** A caller's JSON that has no XML form: 400, the caller's fault. */
    static final class NoXmlForm extends Exception {
        NoXmlForm(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Writes the members of the JSON object whose {@code START_OBJECT} the parser has just read, each as
     * a child element of the element being written, up to its {@code END_OBJECT}.
     */
    static void writeMembers(JsonParser p, XMLStreamWriter w) throws IOException, XMLStreamException, NoXmlForm {
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String name = p.currentName();
            if (!RouteValidator.NCNAME.matcher(name).matches() || name.length() > 255) {
                throw new NoXmlForm("the member \"" + clip(name) + "\" is no XML element name (an NCName)");
            }
            JsonToken value = p.nextToken();
            if (value == JsonToken.START_ARRAY) {
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    if (e == JsonToken.START_ARRAY) {
                        throw new NoXmlForm("the member \"" + name + "\" holds an array in an array, which has no XML form");
                    }
                    writeValue(name, e, p, w);
                }
            } else {
                writeValue(name, value, p, w);
            }
        }
    }

    private static void writeValue(String name, JsonToken t, JsonParser p, XMLStreamWriter w)
            throws IOException, XMLStreamException, NoXmlForm {
        if (t == JsonToken.VALUE_NULL) {
            w.writeEmptyElement(name);
            w.writeNamespace("xsi", XSI);
            w.writeAttribute("xsi", XSI, "nil", "true");
        } else if (t == JsonToken.START_OBJECT) {
            w.writeStartElement(name);
            writeMembers(p, w);
            w.writeEndElement();
        } else {
            String text = p.getText();
            requireXmlCharacters(name, text);
            w.writeStartElement(name);
            w.writeCharacters(text);
            w.writeEndElement();
        }
    }

    /** XML 1.0 has no way to write most control characters, nor half a surrogate pair. */
    private static void requireXmlCharacters(String name, String text) throws NoXmlForm {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok;
            if (Character.isHighSurrogate(c)) {
                ok = i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
                i++;
            } else {
                ok = c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);
            }
            if (!ok) {
                throw new NoXmlForm("the member \"" + name + "\" holds a character XML cannot carry");
            }
        }
    }

    /** An answer that is not the XML it should be. */
    static final class NotXml extends Exception {
        NotXml(String message) {
            super(message, null, false, false);
        }
    }

    /** Moves to the next element's start, or to the end of the element the reader is in; refuses a DTD. */
    static int nextTag(XMLStreamReader r) throws XMLStreamException, NotXml {
        while (true) {
            int e = r.next();
            switch (e) {
                case XMLStreamConstants.START_ELEMENT, XMLStreamConstants.END_ELEMENT, XMLStreamConstants.END_DOCUMENT -> {
                    return e;
                }
                case XMLStreamConstants.DTD, XMLStreamConstants.ENTITY_REFERENCE, XMLStreamConstants.ENTITY_DECLARATION ->
                        throw new NotXml("a document type declaration or an entity is never accepted");
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> {
                    if (!r.isWhiteSpace()) {
                        throw new NotXml("text where an element was expected");
                    }
                }
                default -> { } // whitespace, comments, processing instructions
            }
        }
    }

    /** Reads the rest of the document after its root element, which must hold nothing but misc. */
    static void readToEnd(XMLStreamReader r) throws XMLStreamException, NotXml {
        if (nextTag(r) != XMLStreamConstants.END_DOCUMENT) {
            throw new NotXml("content after the document's root element");
        }
    }

    /** Skips the element whose start the reader is at, to its end (nothing of it is kept). */
    static void skipElement(XMLStreamReader r, int depth) throws XMLStreamException, NotXml {
        readElement(r, depth);
    }

    /**
     * Reads the element whose start the reader is at, to its end, as a JSON value: an object when it has
     * child elements, {@code null} when it is {@code xsi:nil}, its text otherwise.
     */
    static JsonNode readElement(XMLStreamReader r, int depth) throws XMLStreamException, NotXml {
        if (depth > MAX_DEPTH) {
            throw new NotXml("elements nested deeper than " + MAX_DEPTH);
        }
        boolean nil = "true".equals(r.getAttributeValue(XSI, "nil"));
        ObjectNode object = null;
        StringBuilder text = new StringBuilder();
        while (true) {
            int e = r.next();
            switch (e) {
                case XMLStreamConstants.START_ELEMENT -> {
                    if (object == null) {
                        object = JsonNodeFactory.instance.objectNode();
                    }
                    String name = r.getLocalName();
                    add(object, name, readElement(r, depth + 1));
                }
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> text.append(r.getText());
                case XMLStreamConstants.END_ELEMENT -> {
                    if (nil) {
                        return JsonNodeFactory.instance.nullNode();
                    }
                    return object != null ? object : JsonNodeFactory.instance.textNode(text.toString());
                }
                case XMLStreamConstants.DTD, XMLStreamConstants.ENTITY_REFERENCE, XMLStreamConstants.ENTITY_DECLARATION ->
                        throw new NotXml("a document type declaration or an entity is never accepted");
                case XMLStreamConstants.END_DOCUMENT -> throw new NotXml("the document ends inside an element");
                default -> { } // comments, processing instructions
            }
        }
    }

    /** A second child of the same name turns the member into an array; a third joins it. */
    private static void add(ObjectNode object, String name, JsonNode value) {
        JsonNode earlier = object.get(name);
        if (earlier == null) {
            object.set(name, value);
        } else if (earlier instanceof ArrayNode repeated) {
            repeated.add(value);
        } else {
            object.putArray(name).add(earlier).add(value);
        }
    }

    static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
