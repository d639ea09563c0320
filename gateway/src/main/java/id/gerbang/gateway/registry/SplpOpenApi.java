package id.gerbang.gateway.registry;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * A service as an OpenAPI 3 document that SPLP's API manager (WSO2 API Manager) imports: the standard fields
 * and the vendor extensions WSO2 documents (docs/splp.md), so that SPLP's gateway exposes the service under
 * {@code x-wso2-basePath}, asks its callers for {@code AuthorizationSPLP} and forwards to Gerbang.
 *
 * <p>Built from what the catalogue shows and no more: the production endpoint is Gerbang's own public address
 * for the service, never the OPD's upstream; no secret, no upstream credential, no access list (who may call
 * is Gerbang's to decide on every call, whatever SPLP lets through). A name or description that mentions the
 * upstream's address or a credential's name has it blanked out.
 */
public final class SplpOpenApi {

    /** The header SPLP's gateway reads its callers' tokens from, so that {@code Authorization} passes through. */
    public static final String AUTH_HEADER = "AuthorizationSPLP";
    /** WSO2's resource path for "any path below the base path". */
    static final String ANY_PATH = "/*";
    /** The security scheme WSO2 names its own OAuth2 tokens by. */
    private static final String SCHEME = "default";

    private static final JsonNodeFactory NODES = JsonMapper.builder().build().getNodeFactory();

    private SplpOpenApi() {}

    /** The document of {@code route}, for Gerbang at {@code gerbang.splp.public-url}, or else where {@code request} came in. */
    public static ObjectNode of(Route route, SplpProperties splp, HttpServletRequest request) {
        String publicUrl = splp.publicUrl() != null ? splp.publicUrl().toString()
                : ServletUriComponentsBuilder.fromContextPath(request).replaceQuery(null).toUriString();
        return of(route, publicUrl, splp.context(), splp.version());
    }

    /**
     * @param publicUrl Gerbang's address as SPLP reaches it, without a trailing slash
     * @param context   the start of the service's context on SPLP ({@code ""} or {@code /pelalawan})
     * @param version   the service's version on SPLP
     */
    public static ObjectNode of(Route route, String publicUrl, String context, String version) {
        String endpoint = stripSlash(publicUrl) + "/api" + route.path();
        ObjectNode doc = NODES.objectNode().put("openapi", "3.0.3");
        ObjectNode info = doc.putObject("info").put("title", route.id()).put("version", version);
        info.put("description", description(route));
        doc.putArray("servers").addObject().put("url", endpoint);
        doc.putArray("tags").addObject().put("name", route.owner());
        ObjectNode any = doc.putObject("paths").putObject(ANY_PATH);
        route.methods().stream().sorted().forEach(method -> {
            ObjectNode op = any.putObject(method.toLowerCase(Locale.ROOT));
            op.putArray("tags").add(route.owner());
            op.putObject("responses").putObject("200").put("description", "OK");
            op.putArray("security").addObject().putArray(SCHEME);
            op.put("x-auth-type", "Application & Application User");
            op.put("x-throttling-tier", "Unlimited");
        });
        // WSO2's own placeholder: SPLP's key manager issues the tokens, whatever this says
        doc.putObject("components").putObject("securitySchemes").putObject(SCHEME).put("type", "oauth2")
                .putObject("flows").putObject("implicit").put("authorizationUrl", "https://test.com").putObject("scopes");
        doc.put("x-wso2-basePath", context + route.path() + "/" + version);
        ObjectNode production = doc.putObject("x-wso2-production-endpoints");
        production.putArray("urls").add(endpoint);
        production.put("type", "http");
        doc.put("x-wso2-auth-header", AUTH_HEADER);
        doc.putArray("x-wso2-transports").add("https");
        // answers carry personal data: SPLP must never give one caller's answer to another
        doc.putObject("x-wso2-response-cache").put("enabled", false).put("cacheTimeoutInSeconds", 300);
        return doc;
    }

    private static String description(Route route) {
        RouteDefinition d = route.definition();
        StringBuilder s = new StringBuilder();
        if (d.name() != null) {
            s.append(d.name()).append(". ");
        }
        if (d.description() != null) {
            s.append(d.description()).append(' ');
        }
        String text = s.toString();
        for (String word : privateWords(d.upstream())) {
            text = text.replace(word, "…");
        }
        s.setLength(0);
        s.append(text);
        s.append("Layanan milik OPD ").append(route.owner()).append(", dilayani Gerbang di /api").append(route.path())
                .append(". Gerbang memeriksa tokennya sendiri (Authorization: Bearer) pada setiap panggilan.");
        return s.toString();
    }

    /**
     * What a name or description written for the regency's own developers may mention that SPLP must not
     * see: the upstream's address and host, the credentials' names, users and endpoints.
     */
    private static List<String> privateWords(RouteDefinition.Upstream u) {
        List<String> words = new ArrayList<>();
        if (u == null) {
            return words;
        }
        addressOf(words, u.url());
        RouteDefinition.Auth a = u.auth();
        if (a != null) {
            if (a.basic() != null) {
                words.add(a.basic().username());
                words.add(secret(a.basic().password()));
            }
            if (a.apiKey() != null) {
                words.add(secret(a.apiKey().value()));
            }
            if (a.oauth2() != null) {
                addressOf(words, a.oauth2().tokenUrl());
                words.add(a.oauth2().clientId());
                words.add(secret(a.oauth2().clientSecret()));
            }
            if (a.splp() != null) {
                words.add(secret(a.splp().token()));
            }
        }
        if (u.tls() != null) {
            words.add(u.tls().trustSecret());
            words.add(u.tls().clientCertSecret());
        }
        words.removeIf(w -> w == null || w.isBlank());
        words.sort(Comparator.comparingInt(String::length).reversed());
        return words;
    }

    private static void addressOf(List<String> words, String url) {
        if (url == null) {
            return;
        }
        words.add(url);
        try {
            words.add(URI.create(url).getHost());
        } catch (IllegalArgumentException e) {
            // validated before it was served; nothing more to hide
        }
    }

    private static String secret(RouteDefinition.SecretRef ref) {
        return ref == null ? null : ref.secret();
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
