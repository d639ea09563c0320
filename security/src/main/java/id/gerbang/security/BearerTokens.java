package id.gerbang.security;

import java.util.Enumeration;

/**
 * The bearer token of a request (RFC 6750 section 2.1), from the {@code Authorization} header and only from
 * there: never from a form body or a query (reading a form before anyone is authenticated would let a
 * caller hold a request thread by sending it a byte at a time; a token in a query ends up in logs).
 */
public final class BearerTokens {

    private static final String SCHEME = "Bearer ";

    private BearerTokens() {}

    /**
     * The token of one {@code Authorization} header value, trimmed (possibly empty), or {@code null} when
     * the value is absent or not a bearer token. The scheme's name is case-insensitive.
     */
    public static String of(String authorization) {
        if (authorization == null || authorization.length() < SCHEME.length()
                || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return null;
        }
        return authorization.substring(SCHEME.length()).trim();
    }

    /**
     * The token of a request that must carry exactly one: one {@code Authorization} header, a bearer token,
     * not empty.
     *
     * @param authorizations the request's {@code Authorization} header values
     * @throws InvalidTokenException naming what is wrong, when there is no such token
     */
    public static String only(Enumeration<String> authorizations) {
        if (authorizations == null || !authorizations.hasMoreElements()) {
            throw new InvalidTokenException("no bearer token");
        }
        String authorization = authorizations.nextElement();
        if (authorizations.hasMoreElements()) {
            throw new InvalidTokenException("more than one Authorization header");
        }
        String token = of(authorization);
        if (token == null) {
            throw new InvalidTokenException("the Authorization header is not a bearer token");
        }
        if (token.isEmpty()) {
            throw new InvalidTokenException("empty bearer token");
        }
        return token;
    }
}
