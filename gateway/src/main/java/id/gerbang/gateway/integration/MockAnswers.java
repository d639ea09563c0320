package id.gerbang.gateway.integration;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import id.gerbang.gateway.proxy.ForwardRequest;
import id.gerbang.gateway.proxy.ForwardResponse;
import id.gerbang.routes.Route;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.util.MimeType;

/**
 * The step a mock route ({@code mock: true}) has where others forward: it answers from the examples of the
 * route's own OpenAPI document, so that a calling application can be built before the upstream exists
 * (docs/routes.md, "Mock routes"). The call has passed the whole pipeline before (token, access, rate
 * limit) and its answer is recorded like an upstream's, the mock's status as the upstream's.
 *
 * <p>The caller's method and the path after the route's prefix are matched to the document's operations
 * (path templates take one segment each; a path without templates wins over one with them). The answer is
 * the operation's first 2xx response, in the document's order: its status, the first of its media types
 * that has an example ({@code example}, else the first of {@code examples}, else one built from the
 * {@code example}s of its schema) as content type and body; a 2xx response without content answers its
 * status without a body. No matching path is 404 {@code ROUTE_NOT_FOUND}, a path without the method 405
 * {@code METHOD_NOT_ALLOWED}, an operation without an example 501 {@code MOCK_NO_EXAMPLE}.
 *
 * <p>Only references inside the document ({@code #/...}) are followed, at most {@value #MAX_REF_HOPS} in a
 * row; the validator refused any other, and nothing is ever fetched. An example built from a schema is
 * bounded in depth and size, since references can repeat one example many times.
 */
final class MockAnswers implements Processor {

    static final int MAX_REF_HOPS = 16;
    static final int MAX_SCHEMA_DEPTH = 16;
    /** The most a body built from a schema's examples may hold, in characters of its values and names. */
    static final int MAX_BUILT_CHARS = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TEMPLATE = Pattern.compile("\\{[^{}/]+}");
    private static final Pattern SUCCESS = Pattern.compile("2(\\d\\d|XX)", Pattern.CASE_INSENSITIVE);
    private static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");

    private final Route route;
    private final JsonNode document;
    /** The document's paths, in its order. */
    private final List<PathTemplate> paths;

    private MockAnswers(Route route, JsonNode document, List<PathTemplate> paths) {
        this.route = route;
        this.document = document;
        this.paths = paths;
    }

    /** The mock of a route that the validator accepted with {@code mock: true}. */
    static MockAnswers of(Route route) {
        JsonNode document = route.definition().openapiDocument();
        List<PathTemplate> paths = new ArrayList<>();
        document.path("paths").fields().forEachRemaining(e -> paths.add(PathTemplate.of(e.getKey(), e.getValue())));
        return new MockAnswers(route, document, List.copyOf(paths));
    }

    /** A made answer: status, content type and body ({@code null} for none). */
    record Answer(int status, String contentType, byte[] body) {}

    @Override
    public void process(Exchange exchange) throws IOException {
        long start = System.nanoTime();
        ForwardRequest in = exchange.getMessage().getBody(ForwardRequest.class);
        drain(in.body()); // read as a forward would, so that the record holds the request's size and hash
        Answer a = answer(in.method(), in.rest());
        exchange.getMessage().setBody(ForwardResponse.made(a.status(), a.contentType(), a.body(),
                System.nanoTime() - start));
    }

    /** Reads the caller's body to its end (bounded by the route's {@code maxBodyBytes}, as any call's is). */
    private static void drain(InputStream body) throws IOException {
        if (body != null) {
            body.transferTo(OutputStream.nullOutputStream());
        }
    }

    /**
     * The answer to {@code method} on {@code rest}, the path after the route's prefix as the caller sent
     * it (still percent-encoded; the pipeline has refused dot segments and encoded slashes before).
     */
    Answer answer(String method, String rest) {
        String path = rest == null || rest.isEmpty() ? "/" : rest;
        List<String> segments = decodedSegments(path);
        PathTemplate best = null;
        for (PathTemplate t : paths) {
            if (segments != null && t.matches(segments) && (best == null || t.literals() > best.literals())) {
                best = t;
            }
        }
        if (best == null) {
            throw new GatewayException(ErrorCode.ROUTE_NOT_FOUND, "mock route " + route.id()
                    + ": its OpenAPI document has no path matching " + clip(path));
        }
        JsonNode item = resolve(best.item());
        String name = method.toLowerCase(Locale.ROOT);
        JsonNode operation = item == null ? null : resolve(item.get(name));
        boolean head = name.equals("head");
        if (operation == null && head) {
            operation = resolve(item.get("get")); // HEAD answers as GET would, without the body
        }
        if (operation == null || !operation.isObject()) {
            throw GatewayException.methodNotAllowed("mock route " + route.id() + ": its OpenAPI document has no "
                    + method + " operation on " + best.template(), documentedMethods(item));
        }
        Answer answer = answer(operation, method + " " + best.template());
        return head ? new Answer(answer.status(), answer.contentType(), null) : answer;
    }

    private Answer answer(JsonNode operation, String what) {
        JsonNode responses = resolve(operation.get("responses"));
        if (responses != null) {
            Iterator<Map.Entry<String, JsonNode>> it = responses.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (SUCCESS.matcher(e.getKey()).matches()) {
                    int status = Character.isDigit(e.getKey().charAt(1)) ? Integer.parseInt(e.getKey()) : 200;
                    return answer(status, resolve(e.getValue()), what);
                }
            }
        }
        throw noExample(what + " documents no 2xx response");
    }

    private Answer answer(int status, JsonNode response, String what) {
        JsonNode content = response == null ? null : resolve(response.get("content"));
        if (content == null || !content.isObject() || content.isEmpty()) {
            return new Answer(status, null, null);
        }
        Iterator<Map.Entry<String, JsonNode>> it = content.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode example = example(resolve(e.getValue()));
            if (example != null) {
                return body(status, e.getKey(), example);
            }
        }
        throw noExample(what + " has no example for its " + status + " response: give it an example, examples, "
                + "or examples in its schema");
    }

    /** The media type's example: {@code example}, the first of {@code examples}, or one built from its schema. */
    private JsonNode example(JsonNode mediaType) {
        if (mediaType == null || !mediaType.isObject()) {
            return null;
        }
        if (mediaType.has("example")) {
            return mediaType.get("example");
        }
        JsonNode examples = resolve(mediaType.get("examples"));
        if (examples != null && examples.isObject()) {
            for (JsonNode ex : examples) {
                JsonNode named = resolve(ex);
                if (named != null && named.has("value")) {
                    return named.get("value");
                }
            }
        }
        return new Builder().build(mediaType.get("schema"), 0);
    }

    private Answer body(int status, String mediaType, JsonNode example) {
        String type = mediaType.contains("*") ? (example.isTextual() ? "text/plain" : "application/json") : mediaType;
        MimeType parsed;
        try {
            parsed = MimeType.valueOf(type);
        } catch (RuntimeException e) {
            type = "application/octet-stream";
            parsed = MimeType.valueOf(type);
        }
        String mime = (parsed.getType() + "/" + parsed.getSubtype()).toLowerCase(Locale.ROOT);
        boolean json = mime.endsWith("/json") || mime.endsWith("+json");
        if (!json && example.isTextual()) {
            if (mime.startsWith("text/") && parsed.getCharset() == null) {
                type = type + "; charset=UTF-8";
            }
            return new Answer(status, type, example.asText().getBytes(StandardCharsets.UTF_8));
        }
        try {
            return new Answer(status, type, JSON.writeValueAsBytes(example));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an example could not be written as JSON", e);
        }
    }

    private GatewayException noExample(String detail) {
        return new GatewayException(ErrorCode.MOCK_NO_EXAMPLE, "mock route " + route.id() + ": " + detail);
    }

    /** Follows references inside the document; {@code null} where one leads nowhere, outside, or too far. */
    private JsonNode resolve(JsonNode node) {
        for (int hops = 0; node != null && node.isObject() && node.has("$ref"); hops++) {
            JsonNode ref = node.get("$ref");
            if (hops == MAX_REF_HOPS || !ref.isTextual() || !ref.asText().startsWith("#/")) {
                return null;
            }
            try {
                String pointer = URLDecoder.decode(ref.asText().substring(1).replace("+", "%2B"), StandardCharsets.UTF_8);
                JsonNode target = document.at(JsonPointer.compile(pointer));
                node = target.isMissingNode() ? null : target;
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return node;
    }

    private static Set<String> documentedMethods(JsonNode item) {
        Set<String> methods = new LinkedHashSet<>();
        if (item != null) {
            for (String m : METHODS) {
                if (item.has(m)) {
                    methods.add(m.toUpperCase(Locale.ROOT));
                }
            }
        }
        return methods;
    }

    /** The path's segments, percent-decoded; {@code null} when an escape does not decode. */
    private static List<String> decodedSegments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.substring(1).split("/", -1)) {
            try {
                out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return out;
    }

    private static String clip(String s) {
        String cut = s.length() <= 200 ? s : s.substring(0, 200) + "...";
        return cut.replaceAll("\\p{Cntrl}", " ");
    }

    /**
     * One of the document's paths: each segment a literal, or a pattern where it holds templates
     * ({@code {nik}}, {@code {name}.json}), each template one or more characters of one segment.
     */
    record PathTemplate(String template, JsonNode item, List<Object> segments, int literals) {

        static PathTemplate of(String template, JsonNode item) {
            List<Object> segments = new ArrayList<>();
            int literals = 0;
            for (String s : template.substring(1).split("/", -1)) {
                Matcher m = TEMPLATE.matcher(s);
                if (!m.find()) {
                    segments.add(s);
                    literals++;
                    continue;
                }
                StringBuilder regex = new StringBuilder();
                int at = 0;
                do {
                    regex.append(Pattern.quote(s.substring(at, m.start()))).append("[^/]+?");
                    at = m.end();
                } while (m.find());
                regex.append(Pattern.quote(s.substring(at)));
                segments.add(Pattern.compile(regex.toString()));
            }
            return new PathTemplate(template, item, List.copyOf(segments), literals);
        }

        boolean matches(List<String> path) {
            if (path.size() != segments.size()) {
                return false;
            }
            for (int i = 0; i < path.size(); i++) {
                Object s = segments.get(i);
                boolean ok = s instanceof Pattern p ? !path.get(i).isEmpty() && p.matcher(path.get(i)).matches()
                        : s.equals(path.get(i));
                if (!ok) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Builds an example from a schema's own: {@code example}, the first of {@code examples}, {@code default},
     * {@code const}; an object of its properties' examples, an array of one item's, the first of
     * {@code oneOf}/{@code anyOf}, the members of every {@code allOf}. {@code null} when nothing documents one.
     */
    private final class Builder {
        private int budget = MAX_BUILT_CHARS;

        JsonNode build(JsonNode schemaOrRef, int depth) {
            JsonNode schema = resolve(schemaOrRef);
            if (schema == null || !schema.isObject() || depth > MAX_SCHEMA_DEPTH) {
                return null;
            }
            for (String own : List.of("example", "default", "const")) {
                if (schema.has(own)) {
                    return spend(schema.get(own));
                }
            }
            JsonNode examples = schema.get("examples");
            if (examples != null && examples.isArray() && !examples.isEmpty()) {
                return spend(examples.get(0));
            }
            for (String choice : List.of("oneOf", "anyOf")) {
                JsonNode options = schema.get(choice);
                if (options != null && options.isArray()) {
                    for (JsonNode option : options) {
                        JsonNode built = build(option, depth + 1);
                        if (built != null) {
                            return built;
                        }
                    }
                }
            }
            JsonNode all = schema.get("allOf");
            if (all != null && all.isArray()) {
                ObjectNode merged = JsonNodeFactory.instance.objectNode();
                for (JsonNode part : all) {
                    JsonNode built = build(part, depth + 1);
                    if (built instanceof ObjectNode o) {
                        merged.setAll(o);
                    }
                }
                return merged.isEmpty() ? null : merged;
            }
            JsonNode properties = schema.get("properties");
            if (properties != null && properties.isObject()) {
                ObjectNode object = JsonNodeFactory.instance.objectNode();
                Iterator<Map.Entry<String, JsonNode>> it = properties.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> p = it.next();
                    JsonNode built = build(p.getValue(), depth + 1);
                    if (built != null) {
                        spendChars(p.getKey().length());
                        object.set(p.getKey(), built);
                    }
                }
                return object.isEmpty() ? null : object;
            }
            JsonNode items = schema.get("items");
            if (items != null) {
                JsonNode built = build(items, depth + 1);
                if (built != null) {
                    ArrayNode array = JsonNodeFactory.instance.arrayNode();
                    array.add(built);
                    return array;
                }
            }
            return null;
        }

        private JsonNode spend(JsonNode example) {
            spendChars(example.isValueNode() ? example.asText().length() + 2 : example.toString().length());
            return example;
        }

        private void spendChars(int chars) {
            budget -= chars;
            if (budget < 0) {
                throw new GatewayException(ErrorCode.MOCK_NO_EXAMPLE, "mock route " + route.id()
                        + ": the example built from the schema would be larger than " + MAX_BUILT_CHARS + " characters");
            }
        }
    }
}
