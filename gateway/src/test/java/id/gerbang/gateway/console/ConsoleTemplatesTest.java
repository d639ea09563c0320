package id.gerbang.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.attoparser.ParseException;
import org.attoparser.config.ParseConfiguration;
import org.attoparser.simple.AbstractSimpleMarkupHandler;
import org.attoparser.simple.SimpleMarkupParser;
import org.junit.jupiter.api.Test;

/**
 * Every word a person reads on a console page comes from the message bundles, in both languages: no template
 * holds a literal word in its live text, in an attribute people read (title, placeholder, aria-label, alt),
 * nor in a string literal of an expression that writes text. A template's sample text, which Thymeleaf
 * replaces ({@code th:text}), is not read; {@code <code>} holds identifiers (the trail's field names) and a
 * literal starting with {@code /} an address.
 */
class ConsoleTemplatesTest {

    static final Path TEMPLATES = Path.of("src/main/resources/templates/console");

    /** Words a template may hold as they are: the product's name, a unit, HTTP's default method. */
    private static final Set<String> ALLOWED = Set.of("Gerbang", "ms", "GET");
    private static final Set<String> READ_ATTRIBUTES = Set.of("title", "placeholder", "aria-label", "alt", "label");
    private static final Set<String> TEXT_EXPRESSIONS = Set.of("th:text", "th:utext", "th:title", "th:placeholder",
            "th:alt", "th:aria-label");
    private static final Set<String> REPLACING = Set.of("th:text", "th:utext", "th:replace", "th:insert");
    private static final Pattern WORD = Pattern.compile("\\p{L}{2,}");
    private static final Pattern STRING_LITERAL = Pattern.compile("'((?:[^'\\\\]|\\\\.)*)'");

    @Test
    void noTemplateHoldsAWordOfItsOwn() throws Exception {
        List<String> found = new ArrayList<>();
        for (Path template : templates()) {
            found.addAll(literalWords(Files.readString(template, StandardCharsets.UTF_8), template.getFileName().toString()));
        }
        assertThat(found).as("words to move to console/messages*.properties").isEmpty();
    }

    @Test
    void findsLiteralWordsWhereverAPersonReadsThem() throws Exception {
        String page = """
                <html th:replace="~{console/layout :: page(content=~{::main})}"><main>
                <p>Search</p>
                <p th:text="#{trail.search}">sample text</p>
                <a title="Open the record" th:href="@{/x}">#</a>
                <span th:text="'calls / ' + #{'kind.' + ${k}}">x</span>
                <canvas th:attr="aria-label=${a} ? 'no OPD' : #{map.noOpd}, id='chart-' + ${i}"></canvas>
                <code>requestAt</code> <small>Gerbang · 5 ms</small>
                </main></html>
                """;

        assertThat(literalWords(page, "sample.html")).containsExactly(
                "sample.html: text 'Search'", "sample.html: title 'Open'", "sample.html: title 'the'",
                "sample.html: title 'record'", "sample.html: th:text 'calls'", "sample.html: th:attr 'no'",
                "sample.html: th:attr 'OPD'");
    }

    private static List<Path> templates() throws IOException {
        try (Stream<Path> files = Files.list(TEMPLATES)) {
            List<Path> html = files.filter(f -> f.toString().endsWith(".html")).sorted().toList();
            assertThat(html).as("the console's templates").isNotEmpty();
            return html;
        }
    }

    /** "file: where 'word'" for each literal word a person would read. */
    static List<String> literalWords(String markup, String name) throws ParseException {
        List<String> found = new ArrayList<>();
        new SimpleMarkupParser(ParseConfiguration.htmlConfiguration()).parse(new StringReader(markup),
                new AbstractSimpleMarkupHandler() {
                    /** Per open element: whether its content is replaced, so never read as written. */
                    final Deque<Boolean> replaced = new ArrayDeque<>();
                    final Deque<String> names = new ArrayDeque<>();

                    @Override
                    public void handleOpenElement(String element, Map<String, String> attributes, int line, int col) {
                        check(element, attributes);
                        // a layout call on the root element keeps this file's <main>, so only deeper ones hide text
                        boolean hides = !element.equals("html") && attributes != null
                                && attributes.keySet().stream().anyMatch(REPLACING::contains);
                        replaced.push(hides || (!replaced.isEmpty() && replaced.peek()));
                        names.push(element);
                    }

                    @Override
                    public void handleStandaloneElement(String element, Map<String, String> attributes,
                            boolean minimized, int line, int col) {
                        check(element, attributes);
                    }

                    @Override
                    public void handleAutoOpenElement(String element, Map<String, String> attributes, int line, int col) {
                        handleOpenElement(element, attributes, line, col);
                    }

                    @Override
                    public void handleCloseElement(String element, int line, int col) {
                        if (!names.isEmpty()) {
                            names.pop();
                            replaced.pop();
                        }
                    }

                    @Override
                    public void handleAutoCloseElement(String element, int line, int col) {
                        handleCloseElement(element, line, col);
                    }

                    @Override
                    public void handleText(char[] buffer, int offset, int len, int line, int col) {
                        String element = names.isEmpty() ? "" : names.peek();
                        if ((replaced.isEmpty() || !replaced.peek()) && !Set.of("code", "script", "style").contains(element)) {
                            words(new String(buffer, offset, len), name + ": text", found);
                        }
                    }

                    private void check(String element, Map<String, String> attributes) {
                        if (attributes == null) {
                            return;
                        }
                        attributes.forEach((attribute, value) -> {
                            if (READ_ATTRIBUTES.contains(attribute)) {
                                words(value, name + ": " + attribute, found);
                            } else if (TEXT_EXPRESSIONS.contains(attribute)) {
                                literals(value, name + ": " + attribute, found);
                            } else if (attribute.equals("th:attr")) {
                                for (String assignment : topLevel(value, ',')) {
                                    int eq = assignment.indexOf('=');
                                    if (eq > 0 && READ_ATTRIBUTES.contains(assignment.substring(0, eq).trim())) {
                                        literals(assignment.substring(eq + 1), name + ": th:attr", found);
                                    }
                                }
                            }
                        });
                    }
                });
        return found;
    }

    /** The words of the string literals of an expression, leaving out message keys ({@code #{'kind.' + ...}}). */
    private static void literals(String expression, String where, List<String> found) {
        Matcher m = STRING_LITERAL.matcher(withoutMessageKeys(expression));
        while (m.find()) {
            if (!m.group(1).startsWith("/")) { // an address, such as '/api' before a route's path
                words(m.group(1), where, found);
            }
        }
    }

    private static void words(String text, String where, List<String> found) {
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            if (!ALLOWED.contains(m.group())) {
                found.add(where + " '" + m.group() + "'");
            }
        }
    }

    private static String withoutMessageKeys(String expression) {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (depth == 0 && c == '#' && i + 1 < expression.length() && expression.charAt(i + 1) == '{') {
                depth = 1;
                i++;
            } else if (depth > 0) {
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The parts of {@code text} between separators outside braces, parentheses and quotes. */
    private static List<String> topLevel(String text, char separator) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            } else if (!quoted && (c == '{' || c == '(')) {
                depth++;
            } else if (!quoted && (c == '}' || c == ')')) {
                depth--;
            } else if (!quoted && depth == 0 && c == separator) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }
}
