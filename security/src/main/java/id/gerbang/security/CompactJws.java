package id.gerbang.security;

import java.util.Arrays;

/**
 * The strict shape of a signed JWT in compact serialisation (RFC 7515 section 7.1): three non-empty parts,
 * header, payload and signature, separated by two dots, each in the base64url alphabet
 * {@code [A-Za-z0-9_-]} without padding, and each canonical (the bits of the last character beyond the
 * encoded bytes are zero). Checked before a token is decoded or looked up in the cache: the JOSE decoder
 * skips characters outside the alphabet and ignores those spare bits, so without this check one valid
 * token could be sent in endless different spellings, each verifying and each remembered.
 *
 * <p>With these rules a token has exactly one spelling: different strings are different tokens.
 */
final class CompactJws {

    /**
     * The longest token accepted, in characters. Keycloak's access tokens are 1 to 2 KB, 2 to 4 KB with many
     * roles or groups; twice that leaves room and still keeps each cached token small.
     */
    static final int MAX_LENGTH = 8 * 1024;

    /** The six bits each base64url character stands for, -1 for every other ASCII character. */
    private static final byte[] SEXTETS = new byte[128];

    static {
        Arrays.fill(SEXTETS, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < alphabet.length(); i++) {
            SEXTETS[alphabet.charAt(i)] = (byte) i;
        }
    }

    private CompactJws() {}

    /** Why {@code token} is not a strict compact JWS, or {@code null} when it is one. */
    static String refusal(String token) {
        if (token == null || token.isEmpty()) {
            return "no bearer token";
        }
        if (token.length() > MAX_LENGTH) {
            return "the token is longer than " + MAX_LENGTH + " characters";
        }
        // one tight pass (this runs on every call, before the cache): the alphabet, and where the dots are
        int dots = 0;
        int firstDot = -1;
        int secondDot = -1;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                if (dots == 0) {
                    firstDot = i;
                } else if (dots == 1) {
                    secondDot = i;
                }
                dots++;
            } else if (sextet(c) < 0) {
                return "the token has a character outside base64url (A-Z a-z 0-9 - _) at position " + (i + 1)
                        + "; padding, spaces and other characters are refused";
            }
        }
        if (dots != 2) {
            return dots > 2 ? "the token has more than three parts; a signed token is header.payload.signature"
                    : "the token has " + (dots + 1) + " part" + (dots == 0 ? "" : "s")
                            + "; a signed token is header.payload.signature";
        }
        String wrong = partRefusal("header", token, 0, firstDot);
        if (wrong == null) {
            wrong = partRefusal("payload", token, firstDot + 1, secondDot);
        }
        return wrong != null ? wrong : partRefusal("signature", token, secondDot + 1, token.length());
    }

    /** Why the part {@code token[start, end)} is not canonical base64url, or {@code null}. */
    private static String partRefusal(String part, String token, int start, int end) {
        int length = end - start;
        if (length == 0) {
            return "the token's " + part + " is empty";
        }
        // a last group of one character cannot encode a byte; of two or three, its spare low bits must be zero
        int spareBits = switch (length % 4) {
            case 1 -> -1;
            case 2 -> 4;
            case 3 -> 2;
            default -> 0;
        };
        if (spareBits < 0 || (sextet(token.charAt(end - 1)) & ((1 << spareBits) - 1)) != 0) {
            return "the token's " + part + " is not canonical base64url";
        }
        return null;
    }

    /** The six bits a base64url character stands for, or -1 for any other character. */
    private static int sextet(char c) {
        return c < 128 ? SEXTETS[c] : -1;
    }
}
