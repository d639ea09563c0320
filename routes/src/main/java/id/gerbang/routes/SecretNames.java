package id.gerbang.routes;

import java.util.regex.Pattern;

/**
 * Which secrets this node can resolve. A route names its credentials ({@code upstream.auth},
 * {@code upstream.tls}) by secret name only; the values live on each node, and the validator refuses a
 * definition naming a secret the node does not have.
 */
@FunctionalInterface
public interface SecretNames {

    /** A secret's name: lower-case letters, digits and dashes. */
    Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    /** A node that holds no secrets. */
    SecretNames NONE = name -> false;

    /** Whether the node has a value for the secret {@code name} (a valid name). */
    boolean resolves(String name);

    /** The environment variable that holds a secret: {@code GERBANG_SECRET_} and the name upper-cased, {@code -} as {@code _}. */
    static String environmentVariable(String name) {
        return "GERBANG_SECRET_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }
}
