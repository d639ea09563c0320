package id.gerbang.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.routes.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.context.support.ResourceBundleMessageSource;

/**
 * The console's two bundles, Bahasa Indonesia ({@code messages.properties}) and English
 * ({@code messages_en.properties}), say the same things: the same keys, every key a template names, and a
 * message for every rule a route definition can break, the English one in the admin API's very words.
 */
class ConsoleBundlesTest {

    private static final Pattern MESSAGE_KEY = Pattern.compile("#\\{([\\w.-]+)[}(]");

    @Test
    void bothLanguagesHaveTheSameKeys() throws IOException {
        Set<String> indonesian = keys("console/messages.properties");
        Set<String> english = keys("console/messages_en.properties");

        assertThat(difference(indonesian, english)).as("in Indonesian only").isEmpty();
        assertThat(difference(english, indonesian)).as("in English only").isEmpty();
    }

    @Test
    void everyKeyATemplateNamesIsInTheBundles() throws IOException {
        Set<String> keys = keys("console/messages.properties");
        Set<String> named = new TreeSet<>();
        try (Stream<Path> files = Files.list(ConsoleTemplatesTest.TEMPLATES)) {
            for (Path f : files.toList()) {
                Matcher m = MESSAGE_KEY.matcher(Files.readString(f, StandardCharsets.UTF_8));
                while (m.find()) {
                    named.add(m.group(1));
                }
            }
        }
        assertThat(named).isNotEmpty();
        assertThat(difference(named, keys)).isEmpty();
    }

    @Test
    void everyRuleOfARouteDefinitionIsSaidInBothLanguagesTheEnglishAsTheAdminApiSaysIt() throws IOException {
        Set<String> indonesian = keys("console/messages.properties");
        ResourceBundleMessageSource messages = ConsoleMessagesTest.bundles();
        for (Violation.Rule rule : Violation.Rule.values()) {
            Object[] args = {"[a-z0-9-]{2,32}", "65535"};
            Violation v = new Violation("owner", rule, args);

            assertThat(indonesian).contains(rule.key());
            String english = messages.getMessage(rule.key(), rule.message().contains("{0}") ? args : null, Locale.ENGLISH);
            assertThat(english).as(rule.key()).isEqualTo(v.message());
            assertThat(messages.getMessage(rule.key(), rule.message().contains("{0}") ? args : null, Locale.forLanguageTag("id")))
                    .as(rule.key()).isNotEqualTo(english);
        }
    }

    static Set<String> keys(String resource) throws IOException {
        Properties p = new Properties();
        try (InputStream in = ConsoleBundlesTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return new TreeSet<>(p.stringPropertyNames());
    }

    private static List<String> difference(Set<String> a, Set<String> b) {
        List<String> out = new ArrayList<>(a);
        out.removeAll(b);
        return out;
    }
}
