package id.gerbang.gateway.witness;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * The witness's side of the gateway's anchoring endpoints (docs/trail.md, "Witnesses"), over the JDK's
 * HTTP client: no redirect is followed (the token goes to the address given and nowhere else), every
 * answer is read up to a bound and checked for its status, content type and shape before anything in it
 * is used. Whatever the gateway answers that is not what the contract says is a {@link WitnessException}
 * naming the endpoint and what was wrong.
 */
final class GatewayClient {

    static final int MAX_KEYS_BYTES = 1024 * 1024;
    static final int MAX_NOTE_BYTES = 64 * 1024;
    static final int MAX_PROOF_BYTES = 64 * 1024;
    static final int MAX_LIST_BYTES = 16 * 1024 * 1024;
    static final int MAX_TOKEN_ANSWER_BYTES = 64 * 1024;
    /** Checkpoints asked for at once: the most {@code GET /audit/checkpoints} gives. */
    static final int PAGE = 1000;

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxNumberLength(40).build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonParser.Feature.ALLOW_COMMENTS)
            .build();

    private final URI gateway;
    private final Credentials credentials;
    private final Duration timeout;
    private final HttpClient http;
    private String bearer;

    /** How the witness authenticates: a token given, or a client's credentials for the token endpoint. */
    record Credentials(String token, String clientId, String clientSecret, URI tokenUrl) {}

    GatewayClient(URI gateway, Credentials credentials, Duration timeout) {
        this.gateway = gateway;
        this.credentials = credentials;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** {@code GET /audit/keys}: the text, one verifier key per line. */
    String keys() {
        Answer a = get("/audit/keys", false, MAX_KEYS_BYTES);
        a.expect(200);
        a.expectType("text/plain");
        return a.text();
    }

    /** {@code GET /audit/checkpoints/{node}/latest}: the signed note's bytes as served; empty on 404 (none signed yet). */
    Optional<byte[]> latest(String node) {
        Answer a = get("/audit/checkpoints/" + encode(node) + "/latest", true, MAX_NOTE_BYTES);
        if (a.status == 404) {
            return Optional.empty();
        }
        a.expect(200);
        a.expectType("text/plain");
        return Optional.of(a.body);
    }

    /** {@code GET /audit/checkpoints?node=&from=&to=}: the JSON list of checkpoints (needs the auditor role). */
    JsonNode checkpoints(String node, String from, String to, int limit) {
        Answer a = get("/audit/checkpoints?node=" + encode(node) + "&from=" + encode(from) + "&to=" + encode(to) + "&limit=" + limit,
                true, MAX_LIST_BYTES);
        a.expect(200);
        JsonNode list = a.json();
        if (!list.isArray()) {
            throw new WitnessException(a.what + " answered JSON that is not a list of checkpoints");
        }
        return list;
    }

    /** {@code GET /audit/proofs/consistency?node=&from=&to=}. */
    JsonNode consistency(String node, long from, long to) {
        Answer a = get("/audit/proofs/consistency?node=" + encode(node) + "&from=" + from + "&to=" + to, true, MAX_PROOF_BYTES);
        a.expect(200);
        JsonNode proof = a.json();
        if (!proof.isObject()) {
            throw new WitnessException(a.what + " answered JSON that is not an object");
        }
        return proof;
    }

    private Answer get(String pathAndQuery, boolean authenticated, int limit) {
        HttpRequest.Builder request = HttpRequest.newBuilder(resolve(pathAndQuery)).timeout(timeout).GET()
                .header("Accept", "application/json, text/plain");
        if (authenticated) {
            request.header("Authorization", "Bearer " + bearer());
        }
        Answer a = send(request.build(), "GET " + pathAndQuery, limit);
        if (a.status == 401 && authenticated) {
            throw new WitnessException(a.what + " answered 401: the gateway does not accept the witness's token"
                    + (credentials.token() != null ? " (expired? give --client-id and --client-secret to fetch a fresh one each run)" : "")
                    + a.problem());
        }
        if (a.status == 403) {
            throw new WitnessException(a.what + " answered 403: the witness's client needs the realm role auditor" + a.problem());
        }
        return a;
    }

    private URI resolve(String pathAndQuery) {
        String base = gateway.toString();
        return URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) + pathAndQuery : base + pathAndQuery);
    }

    private String bearer() {
        if (bearer == null) {
            bearer = credentials.token() != null ? credentials.token() : fetchToken();
        }
        return bearer;
    }

    /** OAuth2 client credentials (RFC 6749 §4.4), the client authenticated with HTTP basic. */
    private String fetchToken() {
        String basic = Base64.getEncoder().encodeToString((URLEncoder.encode(credentials.clientId(), StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(credentials.clientSecret(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(credentials.tokenUrl()).timeout(timeout)
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                .build();
        Answer a = send(request, "the token endpoint " + credentials.tokenUrl(), MAX_TOKEN_ANSWER_BYTES);
        if (a.status == 400 || a.status == 401) {
            throw new WitnessException(a.what + " refused the client " + credentials.clientId() + " (HTTP " + a.status
                    + "): check --client-id and --client-secret");
        }
        a.expect(200);
        JsonNode token = a.json().get("access_token");
        if (token == null || !token.isTextual() || token.asText().isEmpty() || !token.asText().matches("[!-~]+")) {
            throw new WitnessException(a.what + " answered no access_token");
        }
        return token.asText();
    }

    private Answer send(HttpRequest request, String what, int limit) {
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (InputStream in = response.body()) {
                body = in.readNBytes(limit + 1);
            }
            if (body.length > limit) {
                throw new WitnessException(what + " answered more than " + limit + " bytes: not what the gateway sends; nothing of it was used");
            }
            return new Answer(what, response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), body);
        } catch (IOException e) {
            throw new WitnessException(what + ": the gateway cannot be reached at " + request.uri().getHost()
                    + (request.uri().getPort() < 0 ? "" : ":" + request.uri().getPort()) + " (" + e + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WitnessException(what + ": interrupted");
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** An answer read whole, up to its bound. */
    private record Answer(String what, int status, String contentType, byte[] body) {

        void expect(int wanted) {
            if (status != wanted) {
                throw new WitnessException(what + " answered HTTP " + status + problem());
            }
        }

        void expectType(String type) {
            if (!contentType.toLowerCase(java.util.Locale.ROOT).startsWith(type)) {
                throw new WitnessException(what + " answered " + (contentType.isEmpty() ? "no content type" : "\"" + contentType + "\"")
                        + ", not " + type);
            }
        }

        String text() {
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(body)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new WitnessException(what + " answered text that is not UTF-8");
            }
        }

        JsonNode json() {
            if (!contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
                throw new WitnessException(what + " answered " + (contentType.isEmpty() ? "no content type" : "\"" + contentType + "\"")
                        + ", not application/json");
            }
            try {
                JsonNode node = JSON.readTree(body);
                if (node == null || node.isMissingNode()) {
                    throw new WitnessException(what + " answered an empty body, not JSON");
                }
                return node;
            } catch (IOException e) {
                throw new WitnessException(what + " answered malformed JSON: " + firstLine(e.getMessage()));
            }
        }

        /** The problem document's code and detail, when the answer is one. */
        String problem() {
            if (body.length == 0 || body.length > 16 * 1024 || !contentType.contains("json")) {
                return "";
            }
            try {
                JsonNode p = JSON.readTree(body);
                String code = p.path("code").asText("");
                String detail = p.path("detail").asText("");
                String said = (code + (detail.isEmpty() ? "" : " " + detail)).strip();
                return said.isEmpty() ? "" : " (" + printable(said) + ")";
            } catch (IOException | RuntimeException e) {
                return "";
            }
        }
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return printable(nl < 0 ? s : s.substring(0, nl));
    }

    /** A text from the gateway as it may be printed: control characters replaced, at most 300 characters. */
    static String printable(String s) {
        String clean = s.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return clean.length() > 300 ? clean.substring(0, 300) + "…" : clean;
    }
}
