package id.gerbang.gateway.context;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The person behind a call, as the calling application names them in {@code X-User-Id}: passed to the
 * upstream and kept on the trail, never verified by the gateway (docs/security.md).
 */
public final class UserIds {

    public static final String HEADER = "X-User-Id";

    private UserIds() {}

    /** A sane {@code X-User-Id}: printable ASCII without separators that could confuse a log, at most 256 characters. */
    public static boolean isSane(String userId) {
        if (userId.isEmpty() || userId.length() > 256) {
            return false;
        }
        for (int i = 0; i < userId.length(); i++) {
            char c = userId.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '"' || c == '\\' || c == ',') {
                return false;
            }
        }
        return true;
    }

    /** The request's {@code X-User-Id} when it is sane, else {@code null}. */
    public static String saneOrNull(HttpServletRequest request) {
        String userId = request.getHeader(HEADER);
        return userId != null && isSane(userId) ? userId : null;
    }
}
