package id.gerbang.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.routes.RouteDefinition;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.support.ResourceBundleMessageSource;
import org.thymeleaf.context.Context;
import org.thymeleaf.spring6.SpringTemplateEngine;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.StringTemplateResolver;

/** The services list's parts column, rendered as the console renders it: a composite's parts, '—' for any other route. */
class ServicesPartsCellTest {

    private static String cell() throws Exception {
        String page = Files.readString(ConsoleTemplatesTest.TEMPLATES.resolve("services.html"));
        int start = page.indexOf("<td class=\"parts\"");
        return page.substring(start, page.indexOf("</td>", start) + 5);
    }

    private static String render(RouteDefinition d, Locale locale) throws Exception {
        ResourceBundleMessageSource messages = new ResourceBundleMessageSource();
        messages.setBasename("console/messages");
        messages.setDefaultEncoding("UTF-8");
        messages.setFallbackToSystemLocale(false);
        SpringTemplateEngine engine = new SpringTemplateEngine();
        StringTemplateResolver resolver = new StringTemplateResolver();
        resolver.setTemplateMode(TemplateMode.HTML);
        engine.setTemplateResolver(resolver);
        engine.setTemplateEngineMessageSource(messages);
        Context context = new Context(locale, Map.of("d", d));
        return engine.process("<table><tr>" + cell() + "</tr></table>", context);
    }

    @Test
    void aCompositeShowsEachPartsNameAndRouteAndWhetherItMayBePartial() throws Exception {
        RouteDefinition composite = new RouteDefinition("profil-warga", "diskominfo", null, null, "/warga/profil", null,
                null, null, null, null, null, null, null, null, null, null, new RouteDefinition.Compose(List.of("nik"),
                        List.of(new RouteDefinition.Part("penduduk", "disdukcapil-penduduk", "/{nik}", null),
                                new RouteDefinition.Part("pajak", "bapenda-status-pajak", null, Map.of("nik", "{nik}"))),
                        "allow"));
        RouteDefinition strict = new RouteDefinition("profil-ketat", "diskominfo", null, null, "/warga/ketat", null,
                null, null, null, null, null, null, null, null, null, null, new RouteDefinition.Compose(List.of("nik"),
                        List.of(new RouteDefinition.Part("penduduk", "disdukcapil-penduduk", "/{nik}", null)), null));

        assertThat(render(composite, Locale.ENGLISH))
                .contains("penduduk: disdukcapil-penduduk, pajak: bapenda-status-pajak (partial answers allowed)");
        assertThat(render(strict, Locale.forLanguageTag("id")))
                .contains("penduduk: disdukcapil-penduduk (semua bagian wajib)");
    }

    @Test
    void aRouteWithAnUpstreamShowsADash() throws Exception {
        RouteDefinition plain = new RouteDefinition("x-route", "diskominfo", null, null, "/x", null,
                new RouteDefinition.Upstream("http://127.0.0.1:9000", null), null, null, null, null, null, null, null);

        assertThat(render(plain, Locale.ENGLISH)).contains(">—</td>");
    }
}
