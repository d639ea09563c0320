package id.gerbang.gateway.proxy;

import id.gerbang.gateway.context.CorrelationIds;
import id.gerbang.gateway.context.UserIds;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;

/**
 * The header rules of docs/security.md ("Headers"), both ways. Towards the upstream: the caller's safe headers, without
 * {@code Authorization}, hop-by-hop headers (and those named in {@code Connection}), headers that could
 * steer the gateway's machinery ({@code Camel*} in any case), method overrides, and the caller's own
 * {@code X-Gerbang-*}, {@code X-Forwarded-*} and trace context ({@code traceparent}, {@code tracestate},
 * {@code baggage}, B3); then the gateway's identity and forwarding headers.
 * Back to the caller: the upstream's headers without hop-by-hop ones, without {@code X-Gerbang-*}, and without
 * those naming the upstream's server software and its version ({@code Server}, {@code X-Powered-By}...).
 * Both ways a name is compared with {@code _} read as {@code -} ({@link #dashed}): {@code X_Gerbang_Client}
 * is dropped like {@code X-Gerbang-Client}. Other names with underscores pass unchanged.
 */
public final class ForwardHeaders {

    /** Hop-by-hop headers (RFC 9110 7.6.1) and their old proxy forms, lower case: never relayed either way. */
    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
            "te", "trailer", "transfer-encoding", "upgrade");

    /**
     * Headers never copied from the caller to the upstream, lower case, also in their underscore spelling.
     * A header the gateway comes to set towards the upstream belongs here, or a caller could send it first.
     */
    private static final Set<String> NOT_FORWARDED = union(HOP_BY_HOP, Set.of(
            // framing and target belong to the upstream connection
            "host", "content-length", "expect",
            // the caller's credentials stay at the gateway
            "authorization", "authorizationsplp",
            // method overrides
            "x-http-method-override", "x-method-override", "x-http-method",
            // replaced by the gateway's own values
            "x-correlation-id", "forwarded", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
            "x-forwarded-port", "x-forwarded-prefix", "x-real-ip",
            // trace context: the upstream's parent is Gerbang's attempt span, never what a caller claims
            // (W3C trace context and baggage, and the B3 headers other tracers read)
            "traceparent", "tracestate", "baggage", "b3", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid",
            "x-b3-sampled", "x-b3-flags"));

    /**
     * Upstream headers never returned to the caller, lower case: hop-by-hop ones, and those naming the
     * upstream's server software and its version, which would tell every caller what each OPD runs (the
     * gateway sends no {@code Server} of its own either).
     */
    private static final Set<String> NOT_RETURNED = union(HOP_BY_HOP, Set.of(
            "server", "x-powered-by", "x-aspnet-version", "x-aspnetmvc-version"));

    private ForwardHeaders() {}

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    /** The headers to send upstream for a request the gateway has accepted. */
    public static List<Header> toUpstream(HttpServletRequest request, String correlationId, String clientId,
            String opd, String userId) {
        Set<String> connectionNamed = connectionTokens(request.getHeaders("Connection"));
        List<Header> out = new ArrayList<>(16);
        Enumeration<String> names = request.getHeaderNames();
        while (names.hasMoreElements()) {
            String name = names.nextElement();
            String lower = name.toLowerCase(Locale.ROOT);
            if (isRefused(dashed(lower)) || connectionNamed.contains(lower)) {
                continue;
            }
            Enumeration<String> values = request.getHeaders(name);
            while (values.hasMoreElements()) {
                out.add(new BasicHeader(name, values.nextElement()));
            }
        }
        out.add(new BasicHeader(CorrelationIds.HEADER, correlationId));
        out.add(new BasicHeader("X-Gerbang-Client", clientId));
        if (opd != null) {
            out.add(new BasicHeader("X-Gerbang-Opd", opd));
        }
        if (userId != null) {
            out.add(new BasicHeader(UserIds.HEADER, userId));
        }
        String priorFor = request.getHeader("X-Forwarded-For");
        String remote = request.getRemoteAddr();
        out.add(new BasicHeader("X-Forwarded-For", priorFor == null || priorFor.isBlank() ? remote : priorFor + ", " + remote));
        out.add(new BasicHeader("X-Forwarded-Proto", request.getScheme()));
        String host = request.getHeader("Host");
        if (host != null) {
            out.add(new BasicHeader("X-Forwarded-Host", host));
        }
        return out;
    }

    /** Whether a caller's header, lower case and {@linkplain #dashed dashed}, is one the gateway sets or refuses. */
    private static boolean isRefused(String dashed) {
        return NOT_FORWARDED.contains(dashed) || dashed.startsWith("camel") || dashed.startsWith("x-gerbang-")
                || dashed.equals("x-user-id");
    }

    /**
     * A header name with {@code _} read as {@code -}, as CGI, WSGI, PHP-FPM and many frameworks read it
     * (both become {@code HTTP_X_USER_ID}): {@code X_User_Id} is {@code X-User-Id} to such an upstream, so
     * it is refused wherever {@code X-User-Id} is.
     */
    private static String dashed(String name) {
        return name.replace('_', '-');
    }

    /** Whether an upstream response header may go back to the caller. */
    public static boolean isReturned(String name, Set<String> connectionNamed) {
        String lower = name.toLowerCase(Locale.ROOT);
        String dashed = dashed(lower);
        return !NOT_RETURNED.contains(dashed) && !dashed.startsWith("x-gerbang-") && !dashed.equals("x-correlation-id")
                && !connectionNamed.contains(lower);
    }

    /** The header names listed in {@code Connection} header values, lower case. */
    public static Set<String> connectionTokens(Enumeration<String> connectionValues) {
        if (connectionValues == null || !connectionValues.hasMoreElements()) {
            return Set.of();
        }
        Set<String> tokens = new HashSet<>();
        while (connectionValues.hasMoreElements()) {
            addTokens(connectionValues.nextElement(), tokens);
        }
        return tokens;
    }

    public static void addTokens(String connectionValue, Set<String> tokens) {
        for (String t : connectionValue.split(",")) {
            String token = t.trim().toLowerCase(Locale.ROOT);
            if (!token.isEmpty()) {
                tokens.add(token);
            }
        }
    }
}
