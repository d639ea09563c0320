package id.gerbang.security.issuer;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The built-in issuer's login for people (the console): the OAuth2 authorization code grant with PKCE
 * (S256 only) for the public clients of {@code gerbang.issuer.login-clients}, with a plain login form for
 * the demo users. A code is single-use, bound to its client, redirect URI and code challenge, and lives
 * 60 seconds. Redirect URIs must be on the issuer's own port under {@code /login/oauth2/code/}, on the
 * issuer's host or a loopback one: nothing is ever sent elsewhere.
 */
@RestController
@ConditionalOnProperty(prefix = IssuerProperties.PREFIX, name = "enabled", havingValue = "true")
class AuthorizationEndpoint {

    static final String AUTHORIZE_PATH = "/oauth2/authorize";
    private static final Duration CODE_TTL = Duration.ofSeconds(60);
    private static final int MAX_PENDING_CODES = 10_000;
    private static final Pattern CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43,128}");
    private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a code stands for until it is exchanged. */
    private record Grant(String clientId, String redirectUri, String challenge, String nonce, String userName,
            Instant expiresAt) {}

    /** A refused exchange, with its OAuth2 error code. */
    record Refusal(String error, String description) {}

    private final BuiltInIssuer issuer;
    private final Clock clock;
    private final Map<String, Grant> codes = new ConcurrentHashMap<>();

    @org.springframework.beans.factory.annotation.Autowired
    AuthorizationEndpoint(BuiltInIssuer issuer) {
        this(issuer, Clock.systemUTC());
    }

    AuthorizationEndpoint(BuiltInIssuer issuer, Clock clock) {
        this.issuer = issuer;
        this.clock = clock;
    }

    @GetMapping(path = AUTHORIZE_PATH)
    ResponseEntity<String> form(@RequestParam MultiValueMap<String, String> params) {
        return check(params).orElseGet(() -> page(HttpStatus.OK, params, null));
    }

    @PostMapping(path = AUTHORIZE_PATH, consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    ResponseEntity<String> login(@RequestParam MultiValueMap<String, String> params) {
        Optional<ResponseEntity<String>> refused = check(params);
        if (refused.isPresent()) {
            return refused.get();
        }
        String userName = single(params, "username");
        String password = single(params, "password");
        IssuerProperties.DemoUser user = userName == null ? null : issuer.properties().users().get(userName);
        String expected = user == null ? "\0no-such-user" : user.password();
        boolean matches = password != null && MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
        if (user == null || !matches) {
            return page(HttpStatus.UNAUTHORIZED, params, "Nama pengguna atau kata sandi salah. / Wrong user name or password.");
        }
        purgeExpired();
        if (codes.size() >= MAX_PENDING_CODES) {
            return page(HttpStatus.SERVICE_UNAVAILABLE, params, "Terlalu banyak login tertunda; coba lagi. / Too many pending logins.");
        }
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String code = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        codes.put(code, new Grant(single(params, "client_id"), single(params, "redirect_uri"),
                single(params, "code_challenge"), single(params, "nonce"), userName, clock.instant().plus(CODE_TTL)));
        String state = single(params, "state");
        String location = single(params, "redirect_uri") + "?code=" + code
                + (state == null ? "" : "&state=" + URLEncoder.encode(state, StandardCharsets.UTF_8));
        return ResponseEntity.status(HttpStatus.FOUND).header(HttpHeaders.LOCATION, location)
                .cacheControl(CacheControl.noStore()).build();
    }

    /**
     * Exchanges a code at the token endpoint: once, by the client it was issued to, with the same
     * redirect URI and the verifier of its challenge.
     */
    Object exchange(MultiValueMap<String, String> params) {
        String code = single(params, "code");
        Grant grant = code == null ? null : codes.remove(code);
        if (grant == null || grant.expiresAt().isBefore(clock.instant())) {
            return new Refusal("invalid_grant", "unknown, used or expired code");
        }
        if (!grant.clientId().equals(single(params, "client_id"))
                || !grant.redirectUri().equals(single(params, "redirect_uri"))) {
            return new Refusal("invalid_grant", "the code was issued to another client or redirect URI");
        }
        String verifier = single(params, "code_verifier");
        if (verifier == null || !VERIFIER.matcher(verifier).matches() || !grant.challenge().equals(s256(verifier))) {
            return new Refusal("invalid_grant", "the code verifier does not match the code challenge");
        }
        IssuerProperties.DemoUser user = issuer.properties().users().get(grant.userName());
        if (user == null) {
            return new Refusal("invalid_grant", "the user is gone");
        }
        return issuer.issueForUser(grant.userName(), user, grant.clientId(), grant.nonce());
    }

    /** An answer when the request cannot be served, or nothing when it can. */
    private Optional<ResponseEntity<String>> check(MultiValueMap<String, String> params) {
        String clientId = single(params, "client_id");
        String redirectUri = single(params, "redirect_uri");
        if (clientId == null || !issuer.properties().loginClients().contains(clientId)) {
            return Optional.of(errorPage("unknown client_id: the built-in issuer serves only "
                    + issuer.properties().loginClients()));
        }
        if (redirectUri == null || !allowedRedirect(redirectUri)) {
            return Optional.of(errorPage("redirect_uri must be on this server under /login/oauth2/code/"));
        }
        String problem = !"code".equals(single(params, "response_type")) ? "unsupported_response_type"
                : single(params, "code_challenge") == null || !CHALLENGE.matcher(single(params, "code_challenge")).matches()
                        || !"S256".equals(single(params, "code_challenge_method")) ? "invalid_request"
                : single(params, "scope") == null || !List.of(single(params, "scope").split(" ")).contains("openid")
                        ? "invalid_scope" : null;
        if (problem == null) {
            return Optional.empty();
        }
        String state = single(params, "state");
        String location = redirectUri + "?error=" + problem
                + "&error_description=" + URLEncoder.encode(problem.equals("invalid_request")
                        ? "PKCE with S256 is required" : problem, StandardCharsets.UTF_8)
                + (state == null ? "" : "&state=" + URLEncoder.encode(state, StandardCharsets.UTF_8));
        return Optional.of(ResponseEntity.status(HttpStatus.FOUND).header(HttpHeaders.LOCATION, location).build());
    }

    private boolean allowedRedirect(String redirectUri) {
        try {
            URI uri = new URI(redirectUri);
            URI own = new URI(issuer.issuerUrl());
            String host = uri.getHost();
            boolean loopback = host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"));
            return uri.isAbsolute() && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getRawUserInfo() == null && uri.getRawQuery() == null && uri.getRawFragment() == null
                    && (loopback || own.getHost().equalsIgnoreCase(host))
                    && uri.getPort() == own.getPort()
                    && uri.getRawPath() != null && uri.getRawPath().startsWith("/login/oauth2/code/")
                    && !uri.getRawPath().contains("..");
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private void purgeExpired() {
        Instant now = clock.instant();
        codes.values().removeIf(g -> g.expiresAt().isBefore(now));
    }

    static String s256(String verifier) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String single(MultiValueMap<String, String> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.size() != 1 ? null : values.get(0);
    }

    private static ResponseEntity<String> errorPage(String message) {
        return ResponseEntity.status(HttpStatus.BAD_REQUEST).contentType(MediaType.TEXT_HTML)
                .cacheControl(CacheControl.noStore())
                .body("<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\"><title>Gerbang</title></head>"
                        + "<body><main><h1>Permintaan login tidak sah</h1><p>" + html(message) + "</p></main></body></html>");
    }

    /** The login form; the authorization request travels in hidden fields. */
    private ResponseEntity<String> page(HttpStatus status, MultiValueMap<String, String> params, String error) {
        StringBuilder hidden = new StringBuilder();
        for (String name : List.of("response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge",
                "code_challenge_method", "nonce")) {
            String value = single(params, name);
            if (value != null) {
                hidden.append("<input type=\"hidden\" name=\"").append(name).append("\" value=\"").append(html(value)).append("\">");
            }
        }
        StringBuilder users = new StringBuilder();
        issuer.properties().users().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(u ->
                users.append("<li><code>").append(html(u.getKey())).append("</code> / <code>").append(html(u.getValue().password()))
                        .append("</code>: ").append(html(u.getValue().name())).append(" (").append(html(String.join(", ", u.getValue().roles())))
                        .append(")</li>"));
        String body = """
                <!doctype html>
                <html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Masuk · Gerbang</title>
                <style>
                body{font-family:system-ui,sans-serif;background:#f4f6f8;color:#1b1f23;margin:0}
                main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;border:1px solid #c9d1d9}
                h1{font-size:1.4rem;margin-top:0}label{display:block;margin:1rem 0 .3rem;font-weight:600}
                input[type=text],input[type=password]{width:100%%;box-sizing:border-box;padding:.55rem;border:1px solid #57606a;border-radius:4px;font-size:1rem}
                button{margin-top:1.5rem;padding:.6rem 1.4rem;background:#0b5394;color:#fff;border:0;border-radius:4px;font-size:1rem;cursor:pointer}
                button:focus,input:focus{outline:3px solid #f1a208}
                .error{color:#a40e26;font-weight:600}.demo{font-size:.9rem;color:#3d444d;margin-top:1.5rem}
                </style></head>
                <body><main>
                <h1>Masuk ke Gerbang</h1>
                <p>Penerbit token bawaan (mode standalone). <span lang="en">Built-in issuer of the standalone default.</span></p>
                %s
                <form method="post" action="%s">
                %s
                <label for="username">Nama pengguna</label>
                <input type="text" id="username" name="username" autocomplete="username" required autofocus>
                <label for="password">Kata sandi</label>
                <input type="password" id="password" name="password" autocomplete="current-password" required>
                <button type="submit">Masuk</button>
                </form>
                <section class="demo" aria-label="Pengguna demo"><p>Pengguna demo:</p><ul>%s</ul></section>
                </main></body></html>
                """.formatted(error == null ? "" : "<p class=\"error\" role=\"alert\">" + html(error) + "</p>", AUTHORIZE_PATH,
                hidden, users);
        return ResponseEntity.status(status).contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                .cacheControl(CacheControl.noStore())
                .header("X-Frame-Options", "DENY")
                .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:; frame-ancestors 'none'")
                .body(body);
    }

    private static String html(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
