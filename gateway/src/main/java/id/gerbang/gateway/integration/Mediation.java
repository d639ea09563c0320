package id.gerbang.gateway.integration;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import id.gerbang.gateway.proxy.ForwardRequest;
import id.gerbang.gateway.proxy.ForwardResponse;
import id.gerbang.gateway.proxy.UpstreamFailure;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;
import org.apache.camel.Exchange;

/**
 * The two steps a route with {@code mediation} has around its forwarding step: {@link #toUpstream} turns
 * the caller's JSON into the upstream's XML (a SOAP envelope, or a plain document), {@link #fromUpstream}
 * turns the upstream's XML answer back into JSON, a SOAP fault into 502 {@code UPSTREAM_FAULT}, and
 * anything else into 502 {@code UPSTREAM_UNAVAILABLE}. Both are plain Camel processors built from the
 * definition's data; nothing of it is evaluated.
 *
 * <p>What is held in memory: the caller's body is at most the route's {@code maxBodyBytes} (as for any
 * call) and the XML made of it is built whole before it is sent, so that a body that has no XML form is
 * refused with 400 before the upstream hears of the call; the upstream's answer is parsed as it arrives,
 * refused past {@code maxBodyBytes}, and its JSON form is held whole, because a fault or a malformed end
 * must be known before the caller gets a status.
 */
final class Mediation {

    static final String SOAP_11 = "http://schemas.xmlsoap.org/soap/envelope/";
    static final String SOAP_12 = "http://www.w3.org/2003/05/soap-envelope";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json";

    private final Route route;
    private final RouteDefinition.Soap soap;
    /** The element a plain-XML route's JSON object becomes the children of. */
    private final String root;

    private Mediation(Route route, RouteDefinition.Soap soap, String root) {
        this.route = route;
        this.soap = soap;
        this.root = root;
    }

    /** The route's mediation, or {@code null} when its upstream speaks JSON like its callers. */
    static Mediation of(Route route) {
        RouteDefinition.Mediation m = route.definition().mediation();
        if (m == null) {
            return null;
        }
        if (m.soap() != null) {
            return new Mediation(route, m.soap(), null);
        }
        return new Mediation(route, null, m.xml().root() == null ? "request" : m.xml().root());
    }

    String kind() {
        return soap != null ? "soap" : "xml";
    }

    private String envelopeNamespace() {
        return "1.2".equals(soap.version()) ? SOAP_12 : SOAP_11;
    }

    /** The caller's JSON object as the upstream's XML request. */
    void toUpstream(Exchange exchange) throws IOException {
        ForwardRequest in = exchange.getMessage().getBody(ForwardRequest.class);
        InputStream body = in.body() == null ? null : new java.io.ByteArrayInputStream(readWhole(in));
        byte[] xml;
        try {
            xml = soap != null ? envelope(body) : (body == null ? null : document(body));
        } catch (JsonProcessingException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "route " + route.id()
                    + " takes one JSON object as its body: " + e.getOriginalMessage());
        } catch (XmlJson.NoXmlForm e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "route " + route.id() + " cannot send this body as XML: "
                    + e.getMessage());
        } catch (XMLStreamException e) {
            throw new IllegalStateException("writing XML to memory failed", e);
        }
        exchange.getMessage().setBody(soap != null
                ? in.mediated("POST", soapHeaders(), xml)
                : in.mediated(in.method(), xml == null ? Map.of("Accept", "application/xml")
                        : Map.of("Accept", "application/xml", "Content-Type", "application/xml; charset=UTF-8"), xml));
    }

    /**
     * The caller's body, read whole before any of it is parsed, and no further than its declared length:
     * the web server checks a body's data rate from its arrival whenever it is asked for more, so a read
     * for the end of a small body that arrived long ago (on a busy node) fails as if the caller were slow.
     * A plain forward reads exactly the declared length too ({@code CallerBodyEntity}).
     */
    private static byte[] readWhole(ForwardRequest in) throws IOException {
        if (in.contentLength() >= 0) {
            return in.body().readNBytes((int) Math.min(in.contentLength(), Integer.MAX_VALUE - 8));
        }
        return in.body().readAllBytes(); // chunked: its end is only known by reading it
    }

    private Map<String, String> soapHeaders() {
        String action = soap.soapAction() == null ? "" : soap.soapAction();
        if ("1.2".equals(soap.version())) {
            return Map.of("Content-Type", "application/soap+xml; charset=UTF-8"
                            + (action.isEmpty() ? "" : "; action=\"" + action + "\""),
                    "Accept", "application/soap+xml");
        }
        return Map.of("Content-Type", "text/xml; charset=UTF-8", "SOAPAction", "\"" + action + "\"",
                "Accept", "text/xml");
    }

    private byte[] envelope(InputStream body) throws IOException, XMLStreamException, XmlJson.NoXmlForm {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        XMLStreamWriter w = XmlJson.writer(out);
        String env = envelopeNamespace();
        w.writeStartDocument("UTF-8", "1.0");
        w.writeStartElement("soap", "Envelope", env);
        w.writeNamespace("soap", env);
        w.writeStartElement("soap", "Body", env);
        w.writeStartElement(soap.operation());
        w.writeDefaultNamespace(soap.namespace());
        if (body != null) {
            writeObject(body, w);
        }
        w.writeEndElement();
        w.writeEndElement();
        w.writeEndElement();
        w.writeEndDocument();
        w.close();
        return out.toByteArray();
    }

    private byte[] document(InputStream body) throws IOException, XMLStreamException, XmlJson.NoXmlForm {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        XMLStreamWriter w = XmlJson.writer(out);
        w.writeStartDocument("UTF-8", "1.0");
        w.writeStartElement(root);
        writeObject(body, w);
        w.writeEndElement();
        w.writeEndDocument();
        w.close();
        return out.toByteArray();
    }

    /** The body's one JSON object, as the children of the element being written; an empty body is {@code {}}. */
    private static void writeObject(InputStream body, XMLStreamWriter w) throws IOException, XMLStreamException,
            XmlJson.NoXmlForm {
        try (JsonParser p = XmlJson.json(body)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return;
            }
            if (first != JsonToken.START_OBJECT) {
                throw new XmlJson.NoXmlForm("the body must be a JSON object");
            }
            XmlJson.writeMembers(p, w);
            if (p.nextToken() != null) {
                throw new XmlJson.NoXmlForm("the body must be one JSON object, with nothing after it");
            }
        }
    }

    /** The upstream's XML answer as the caller's JSON, or the failure it stands for. */
    void fromUpstream(Exchange exchange) {
        ForwardResponse answer = exchange.getMessage().getBody(ForwardResponse.class);
        try {
            exchange.getMessage().setBody(translate(answer));
        } finally {
            answer.close();
        }
    }

    private ForwardResponse translate(ForwardResponse answer) {
        int status = answer.status();
        String contentType = answer.header("Content-Type");
        Limited body = null;
        try {
            InputStream raw = answer.body();
            if (raw == null || status == 204 || status == 304) {
                if (soap != null) {
                    throw notXml(status, "an answer without a body");
                }
                return answer.replacedBy(status, JSON_TYPE, null);
            }
            if (contentType != null && !contentType.toLowerCase(Locale.ROOT).contains("xml")) {
                throw notXml(status, "an answer of type " + XmlJson.clip(contentType));
            }
            body = new Limited(raw, route.maxBodyBytes());
            JsonNode json = soap != null ? readEnvelope(status, body) : readDocument(body);
            answer.complete();
            return answer.replacedBy(soap != null ? 200 : status, JSON_TYPE, JSON.writeValueAsBytes(json));
        } catch (XMLStreamException | XmlJson.NotXml e) {
            if (body != null && body.exceeded) {
                throw tooLarge();
            }
            throw notXml(status, "an answer that is not well-formed XML (" + XmlJson.clip(e.getMessage()) + ")");
        } catch (IOException e) {
            if (body != null && body.exceeded) {
                throw tooLarge();
            }
            throw UpstreamFailure.classify(e, route); // the answer broke off or came too slowly
        }
    }

    private JsonNode readDocument(InputStream body) throws XMLStreamException, XmlJson.NotXml {
        XMLStreamReader r = XmlJson.reader(body);
        if (XmlJson.nextTag(r) != XMLStreamConstants.START_ELEMENT) {
            throw new XmlJson.NotXml("no root element");
        }
        JsonNode json = XmlJson.readElement(r, 0);
        XmlJson.readToEnd(r);
        return json.isObject() || json.isNull() ? json : wrap(r.getLocalName(), json);
    }

    /**
     * Reads an envelope of the route's SOAP version: its {@code Body}'s first element becomes the answer
     * (its children as an object), or, when it is a {@code Fault}, the failure.
     */
    private JsonNode readEnvelope(int status, InputStream body) throws XMLStreamException, XmlJson.NotXml {
        String env = envelopeNamespace();
        XMLStreamReader r = XmlJson.reader(body);
        if (XmlJson.nextTag(r) != XMLStreamConstants.START_ELEMENT || !isEnv(r, env, "Envelope")) {
            throw new XmlJson.NotXml("not a SOAP " + soap.version() + " envelope");
        }
        BodyContent result = null;
        while (XmlJson.nextTag(r) == XMLStreamConstants.START_ELEMENT) {
            if (isEnv(r, env, "Header") && result == null) {
                XmlJson.skipElement(r, 1);
            } else if (isEnv(r, env, "Body") && result == null) {
                result = readBody(r, env);
            } else {
                throw new XmlJson.NotXml("an envelope with " + r.getLocalName() + " where Header or Body belongs");
            }
        }
        if (result == null) {
            throw new XmlJson.NotXml("an envelope without a Body");
        }
        XmlJson.readToEnd(r);
        if (result instanceof Fault f) {
            throw f.failure();
        }
        if (status < 200 || status > 299) {
            throw new XmlJson.NotXml("status " + status + " with an envelope that holds no fault");
        }
        return ((Answer) result).json();
    }

    /** What a {@code Body} held: the answer or a fault. A marker node, so that the envelope is read to its end first. */
    private sealed interface BodyContent permits Answer, Fault {}

    private record Answer(JsonNode json) implements BodyContent {}

    private record Fault(GatewayException failure) implements BodyContent {}

    /** Reads a {@code Body} to its end: its first element is the answer or the fault; others are skipped. */
    private BodyContent readBody(XMLStreamReader r, String env) throws XMLStreamException, XmlJson.NotXml {
        BodyContent content = null;
        while (XmlJson.nextTag(r) == XMLStreamConstants.START_ELEMENT) {
            if (content != null) {
                XmlJson.skipElement(r, 2);
            } else if (isEnv(r, env, "Fault")) {
                content = new Fault(readFault(r, env));
            } else {
                String name = r.getLocalName();
                JsonNode value = XmlJson.readElement(r, 2);
                content = new Answer(value.isObject() ? value
                        : value.isTextual() && value.asText().isBlank() ? JsonNodeFactory.instance.objectNode()
                        : wrap(name, value));
            }
        }
        return content == null ? new Answer(JsonNodeFactory.instance.objectNode()) : content;
    }

    /**
     * Reads a {@code Fault} to its end, as the caller's 502 UPSTREAM_FAULT naming its code and string. A
     * fault of the caller's making (1.1 {@code Client} and its dotted subcodes such as {@code Client.Auth},
     * 1.2 {@code Sender}) says nothing about the upstream's health: it is no {@link UpstreamFailure}, so
     * the circuit breaker does not count it. The code is a QName, resolved against the namespaces in scope
     * where it is written: whatever its prefix, it is the caller's only when that prefix names the SOAP
     * envelope's namespace (or when it has none and no default namespace is in scope, as lax servers write
     * it); an application's own {@code app:Client} is the upstream's.
     */
    private GatewayException readFault(XMLStreamReader r, String env) throws XMLStreamException, XmlJson.NotXml {
        boolean v12 = "1.2".equals(soap.version());
        Code code = null;
        String sub = "";
        String string = null;
        while (XmlJson.nextTag(r) == XMLStreamConstants.START_ELEMENT) {
            if (!v12 && code == null && r.getLocalName().equals("faultcode")) {
                code = code(r);
            } else if (!v12 && string == null && r.getLocalName().equals("faultstring")) {
                string = text(XmlJson.readElement(r, 3));
            } else if (v12 && code == null && isEnv(r, env, "Code")) {
                while (XmlJson.nextTag(r) == XMLStreamConstants.START_ELEMENT) {
                    if (code == null && isEnv(r, env, "Value")) {
                        code = code(r);
                    } else if (sub.isEmpty() && isEnv(r, env, "Subcode")) {
                        sub = text(XmlJson.readElement(r, 4).path("Value"));
                    } else {
                        XmlJson.skipElement(r, 4);
                    }
                }
            } else if (v12 && string == null && isEnv(r, env, "Reason")) {
                string = text(XmlJson.readElement(r, 3).path("Text"));
            } else {
                XmlJson.skipElement(r, 3);
            }
        }
        String written = code == null ? "" : code.text() + (sub.isEmpty() ? "" : " (" + sub + ")");
        String local = code == null ? "" : code.local();
        boolean callers = code != null && (code.namespace().equals(env) || code.unqualified())
                && (v12 ? local.equals("Sender") : local.equals("Client") || local.startsWith("Client."));
        String detail = "the upstream of route " + route.id() + " answered with a SOAP fault: "
                + (written.isEmpty() ? "(no code)" : clip(written, 200)) + ": " + clip(string == null ? "" : string, 1000);
        return callers ? new GatewayException(ErrorCode.UPSTREAM_FAULT, detail)
                : new UpstreamFailure(ErrorCode.UPSTREAM_FAULT, detail, false);
    }

    /**
     * A fault code as written, with the namespace its prefix names there.
     *
     * @param unqualified no prefix, and no default namespace in scope
     */
    private record Code(String text, String namespace, String local, boolean unqualified) {}

    /** Reads a fault code element; its QName is resolved at the element's end, where its own declarations still apply. */
    private static Code code(XMLStreamReader r) throws XMLStreamException, XmlJson.NotXml {
        String text = text(XmlJson.readElement(r, 4));
        int colon = text.indexOf(':');
        String namespace = r.getNamespaceURI(colon < 0 ? "" : text.substring(0, colon));
        namespace = namespace == null ? "" : namespace;
        return new Code(text, namespace, text.substring(colon + 1), colon < 0 && namespace.isEmpty());
    }

    /** An element's text; of repeated elements (a reason in several languages), the first. */
    private static String text(JsonNode node) {
        if (node.isArray()) {
            node = node.path(0);
        }
        return node.isTextual() ? node.asText().strip() : "";
    }

    /** At most {@code max} characters, control characters as spaces: the fault's words go into a problem's detail. */
    private static String clip(String s, int max) {
        String cut = s.length() <= max ? s : s.substring(0, max) + "...";
        return cut.replaceAll("\\p{Cntrl}", " ");
    }

    private static boolean isEnv(XMLStreamReader r, String env, String localName) {
        return env.equals(r.getNamespaceURI()) && localName.equals(r.getLocalName());
    }

    private static ObjectNode wrap(String name, JsonNode value) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set(name, value);
        return o;
    }

    private GatewayException notXml(int status, String what) {
        return new UpstreamFailure(ErrorCode.UPSTREAM_UNAVAILABLE, "the upstream of route " + route.id() + " answered "
                + status + " with " + what + ", not the " + (soap != null ? "SOAP " + soap.version() + " envelope" : "XML")
                + " it should", status >= 502 && status <= 504);
    }

    private GatewayException tooLarge() {
        return new UpstreamFailure(ErrorCode.UPSTREAM_UNAVAILABLE, "the upstream of route " + route.id()
                + " answered with more than " + route.maxBodyBytes() + " bytes (maxBodyBytes)", false);
    }

    /** The upstream's body, refused past {@code limit} bytes. */
    private static final class Limited extends FilterInputStream {
        private final long limit;
        private long count;
        boolean exceeded;

        Limited(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, (int) Math.min(len, limit - count + 1));
            if (n > 0 && (count += n) > limit) {
                exceeded = true;
                throw new IOException("answer larger than " + limit + " bytes");
            }
            return n;
        }
    }
}
