package id.gerbang.routes;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.cfg.MutableCoercionConfig;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads route definitions from YAML files and admin-API JSON, strictly: an unknown or duplicated field,
 * a value of the wrong type (no {@code "5000"} for a number) or trailing content is refused with the
 * dotted path of the field, so that a typo is reported rather than silently ignored or guessed at.
 * Messages never repeat more than 200 characters of the input. In YAML only {@code true} and
 * {@code false} are booleans: {@code no}, {@code on} or {@code y} stay the strings they look like.
 */
public final class RouteDefinitionReader {

    private static final int MAX_ECHO = 200;

    private final ObjectMapper json = strict(JsonMapper.builder());
    private final ObjectMapper yaml =
            strict(YAMLMapper.builder().enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
                    // written as a developer would write it, quoting only what would otherwise read differently
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES, YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
    private final ObjectReader yamlDocuments = yaml.readerFor(JsonNode.class);
    private final ObjectReader yamlRoute = yaml.readerFor(RouteDefinition.class);
    private final ObjectReader jsonRoute = json.readerFor(RouteDefinition.class);

    /**
     * Collects every unknown field of one definition instead of stopping at the first, so that a developer
     * sees them all in one answer; the definition is refused when there is any.
     */
    private static final class UnknownFields extends DeserializationProblemHandler {
        final List<Violation> found = new ArrayList<>();

        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                Object beanOrClass, String propertyName) throws IOException {
            JsonStreamContext context = p.getParsingContext();
            if (p.currentToken() != null && p.currentToken().isStructStart() && context.getParent() != null) {
                context = context.getParent(); // at the value's own '{' or '[': its name is one level up
            }
            String field = pathOf(context);
            if (!field.endsWith(propertyName)) {
                field = field.isEmpty() ? propertyName : field + "." + propertyName;
            }
            if (found.size() < 50) {
                found.add(new Violation(clip(field), Violation.Rule.UNKNOWN_FIELD));
            }
            p.skipChildren();
            return true;
        }

        void check(String source) {
            if (!found.isEmpty()) {
                throw new InvalidRouteException(source, found);
            }
        }
    }

    /**
     * Reads every document of a YAML text (documents separated by {@code ---}); each is one route. Each
     * document is read as a tree first so that an empty one, as after a trailing {@code ---}, is skipped.
     */
    public List<RouteDefinition> readYaml(String text, String source) {
        List<RouteDefinition> definitions = new ArrayList<>();
        int document = 1;
        try (MappingIterator<JsonNode> it = yamlDocuments.readValues(nonNull(text))) {
            for (; it.hasNextValue(); document++) {
                JsonNode node = it.nextValue();
                if (!node.isNull() && !node.isMissingNode()) {
                    UnknownFields unknown = new UnknownFields();
                    RouteDefinition d = yamlRoute.withHandler(unknown).readValue(node);
                    unknown.check(document == 1 ? source : source + " (document " + document + ")");
                    definitions.add(d);
                }
            }
        } catch (IOException e) {
            throw invalid(document == 1 ? source : source + " (document " + document + ")", e, "YAML");
        }
        if (definitions.isEmpty()) {
            throw new InvalidRouteException(source, List.of(new Violation("", Violation.Rule.NO_DEFINITION)));
        }
        return definitions;
    }

    /** Reads one route from a JSON object. */
    public RouteDefinition readJson(String text, String source) {
        RouteDefinition d;
        try {
            UnknownFields unknown = new UnknownFields();
            d = jsonRoute.withHandler(unknown).readValue(nonNull(text));
            unknown.check(source);
        } catch (IOException e) {
            throw invalid(source, e, "JSON");
        }
        if (d == null) {
            throw new InvalidRouteException(source, List.of(new Violation("", Violation.Rule.EXPECTED_OBJECT)));
        }
        return d;
    }

    public String toJson(RouteDefinition definition) {
        return write(json, definition);
    }

    public String toYaml(RouteDefinition definition) {
        return write(yaml, definition);
    }

    private static <M extends ObjectMapper, B extends MapperBuilder<M, B>> M strict(B builder) {
        return builder
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT, DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .withCoercionConfig(LogicalType.Integer, c -> fail(c, CoercionInputShape.String,
                        CoercionInputShape.EmptyString, CoercionInputShape.Float, CoercionInputShape.Boolean))
                .withCoercionConfig(LogicalType.Boolean, c -> fail(c, CoercionInputShape.String,
                        CoercionInputShape.EmptyString, CoercionInputShape.Integer, CoercionInputShape.Float))
                .withCoercionConfig(LogicalType.Textual, c -> fail(c, CoercionInputShape.Integer,
                        CoercionInputShape.Float, CoercionInputShape.Boolean))
                .withCoercionConfig(LogicalType.Collection, c -> fail(c, CoercionInputShape.String,
                        CoercionInputShape.EmptyString))
                .withCoercionConfig(LogicalType.POJO, c -> fail(c, CoercionInputShape.EmptyString))
                .build();
    }

    private static void fail(MutableCoercionConfig config, CoercionInputShape... shapes) {
        for (CoercionInputShape shape : shapes) {
            config.setCoercion(shape, CoercionAction.Fail);
        }
    }

    private static String nonNull(String text) {
        return text == null ? "" : text;
    }

    private static String write(ObjectMapper mapper, RouteDefinition definition) {
        try {
            return mapper.writeValueAsString(definition);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write route definition", e);
        }
    }

    private static InvalidRouteException invalid(String source, IOException e, String format) {
        return new InvalidRouteException(source, List.of(new Violation(clip(fieldOf(e)), clip(messageOf(e, format)))));
    }

    /** The dotted path of the offending field: the more precise of the binding's path and the parser's position. */
    private static String fieldOf(IOException e) {
        String bound = e instanceof JsonMappingException mapping
                ? join(mapping.getPath().stream()
                        .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                        .toList())
                : "";
        StreamReadException read = cause(e, StreamReadException.class);
        String parsed = read != null && read.getProcessor() != null ? pathOf(read.getProcessor().getParsingContext()) : "";
        return parsed.length() > bound.length() ? parsed : bound;
    }

    private static String pathOf(JsonStreamContext context) {
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.addFirst("[" + Math.max(c.getCurrentIndex(), 0) + "]");
            } else if (c.getCurrentName() != null) {
                parts.addFirst("." + c.getCurrentName());
            }
        }
        return join(parts);
    }

    private static String join(Collection<String> parts) {
        String path = String.join("", parts);
        return path.startsWith(".") ? path.substring(1) : path;
    }

    private static String messageOf(IOException e, String format) {
        if (e instanceof UnrecognizedPropertyException) {
            return "unknown field";
        }
        if (e instanceof MismatchedInputException mismatch) {
            return String.valueOf(mismatch.getOriginalMessage()).startsWith("Trailing token")
                    ? "unexpected content after the definition"
                    : expected(mismatch.getTargetType());
        }
        StreamReadException read = cause(e, StreamReadException.class);
        if (read instanceof InputCoercionException) {
            return "number out of range";
        }
        if (read != null && String.valueOf(read.getOriginalMessage()).startsWith("Duplicate field")) {
            return "duplicate field";
        }
        MarkedYAMLException yamlError = cause(e, MarkedYAMLException.class);
        if (yamlError != null) {
            return "malformed YAML: " + clip(String.valueOf(yamlError.getProblem()), 120) + at(yamlError.getProblemMark());
        }
        if (read != null) {
            return "malformed " + format + ": " + clip(String.valueOf(read.getOriginalMessage()), 120) + at(read.getLocation());
        }
        return "invalid value";
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "invalid value";
        }
        if (type == Integer.class || type == Long.class || type == int.class || type == long.class) {
            return "expected an integer";
        }
        if (type == String.class) {
            return "expected a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "expected a boolean";
        }
        if (Collection.class.isAssignableFrom(type)) {
            return "expected a list";
        }
        if (type == RouteDefinition.Grant.class) {
            return "expected a string or an object";
        }
        return "expected an object";
    }

    private static String at(Mark mark) {
        return mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 1
                ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String clip(String s) {
        return clip(s, MAX_ECHO);
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
