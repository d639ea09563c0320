package id.gerbang.routes;

import id.gerbang.routes.Violation.Rule;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Decides which hosts a route may forward to ({@code gerbang.upstreams.allowed}), so that registering a
 * route cannot turn the gateway into a proxy to arbitrary internal services. Link-local and cloud
 * metadata addresses, which hand out machine credentials, are refused even when listed, and also when a
 * host name merely resolves to one of them.
 */
public final class UpstreamPolicy {

    /** Looks up the addresses of a host name; replaceable so that the policy can be checked without DNS. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private static final String LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
    private static final Pattern HOST_NAME = Pattern.compile("(?:" + LABEL + "\\.)*" + LABEL);
    private static final Pattern IPV4 =
            Pattern.compile("(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Set<String> METADATA_NAMES = Set.of("metadata.google.internal", "metadata");
    private static final List<Cidr> FORBIDDEN =
            Stream.of("169.254.0.0/16", "fe80::/10", "fd00:ec2::254").map(Cidr::parse).toList();
    private static final List<byte[]> IPV4_EMBEDDING_PREFIXES = List.of(
            new byte[12],                                           // IPv4-compatible ::a.b.c.d
            new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1},      // IPv4-mapped ::ffff:a.b.c.d
            new byte[] {0, 0x64, -1, -101, 0, 0, 0, 0, 0, 0, 0, 0}); // NAT64 64:ff9b::a.b.c.d

    private final Set<String> names = new HashSet<>();
    private final List<String> suffixes = new ArrayList<>();
    private final List<Cidr> ranges = new ArrayList<>();
    private final Resolver resolver;

    /** A policy resolving host names with the system resolver. */
    public UpstreamPolicy(List<String> allowed) {
        this(allowed, InetAddress::getAllByName);
    }

    /**
     * @param allowed host names, {@code *.suffix} wildcards, IP literals and CIDR ranges; empty allows nothing
     * @throws IllegalArgumentException naming the first entry that is none of these
     */
    public UpstreamPolicy(List<String> allowed, Resolver resolver) {
        this.resolver = resolver;
        for (String entry : allowed) {
            add(entry);
        }
    }

    /** @return why the upstream is refused, or empty when the gateway may forward to it */
    public Optional<Rule> check(URI upstream) {
        String host = normalise(upstream.getHost());
        if (host == null || host.isEmpty()) {
            return Optional.of(Rule.UPSTREAM_NO_HOST);
        }
        if (METADATA_NAMES.contains(host)) {
            return Optional.of(Rule.UPSTREAM_METADATA_HOST);
        }
        if (looksLikeAddress(host)) {
            return literal(host).map(this::checkAddress).orElse(Optional.of(Rule.UPSTREAM_INVALID_ADDRESS));
        }
        List<InetAddress> addresses = resolve(host);
        if (addresses.stream().anyMatch(UpstreamPolicy::forbidden)) {
            return Optional.of(Rule.UPSTREAM_RESOLVES_FORBIDDEN);
        }
        if (names.contains(host) || suffixes.stream().anyMatch(host::endsWith)) {
            return Optional.empty();
        }
        if (addresses.isEmpty()) {
            return Optional.of(Rule.UPSTREAM_UNRESOLVED);
        }
        return addresses.stream().allMatch(this::inRanges) ? Optional.empty() : notAllowed();
    }

    private Optional<Rule> checkAddress(InetAddress address) {
        if (forbidden(address)) {
            return Optional.of(Rule.UPSTREAM_FORBIDDEN_ADDRESS);
        }
        return inRanges(address) ? Optional.empty() : notAllowed();
    }

    private static Optional<Rule> notAllowed() {
        return Optional.of(Rule.UPSTREAM_NOT_ALLOWED);
    }

    private void add(String raw) {
        String entry = raw == null ? "" : normalise(raw.trim());
        if (entry.contains("/") || looksLikeAddress(entry)) {
            ranges.add(Cidr.parse(entry));
        } else if (entry.startsWith("*.") && HOST_NAME.matcher(entry.substring(2)).matches()) {
            suffixes.add(entry.substring(1));
        } else if (HOST_NAME.matcher(entry).matches()) {
            names.add(entry);
        } else {
            throw invalidEntry(raw);
        }
    }

    private static boolean looksLikeAddress(String host) {
        return host.contains(":") || host.matches("[0-9.]+");
    }

    private boolean inRanges(InetAddress address) {
        return ranges.stream().anyMatch(r -> r.contains(address));
    }

    /**
     * Whether an address is one no upstream may ever have (link-local, cloud metadata, also inside an
     * IPv6 form); for checking again at connect time, when a name may resolve differently than it did
     * when the route was validated.
     */
    public static boolean isNeverAllowed(InetAddress address) {
        return forbidden(address);
    }

    private static boolean forbidden(InetAddress address) {
        return FORBIDDEN.stream().anyMatch(r -> r.contains(address))
                || embeddedIpv4(address).map(UpstreamPolicy::forbidden).orElse(false);
    }

    /** The IPv4 address carried inside an IPv6 one (compatible, mapped or NAT64 form), if any. */
    private static Optional<InetAddress> embeddedIpv4(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != 16 || IPV4_EMBEDDING_PREFIXES.stream().noneMatch(p -> Arrays.equals(p, 0, 12, bytes, 0, 12))) {
            return Optional.empty();
        }
        return literal(Arrays.copyOfRange(bytes, 12, 16));
    }

    private List<InetAddress> resolve(String host) {
        try {
            return List.of(resolver.resolve(host));
        } catch (UnknownHostException e) {
            return List.of();
        }
    }

    private static String normalise(String host) {
        if (host == null) {
            return null;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }

    /** An IP literal, parsed without any name lookup. */
    private static Optional<InetAddress> literal(String text) {
        if (IPV4.matcher(text).matches()) {
            byte[] bytes = new byte[4];
            String[] parts = text.split("\\.");
            for (int i = 0; i < 4; i++) {
                bytes[i] = (byte) Integer.parseInt(parts[i]);
            }
            return literal(bytes);
        }
        if (!text.contains(":") || !text.matches("[0-9a-f:.]+")) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(text));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static Optional<InetAddress> literal(byte[] bytes) {
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static IllegalArgumentException invalidEntry(String entry) {
        return new IllegalArgumentException("invalid entry in gerbang.upstreams.allowed: '" + entry + "'");
    }

    /** An address range; a bare address is a range of one. */
    private record Cidr(byte[] network, int prefix) {

        static Cidr parse(String entry) {
            int slash = entry.indexOf('/');
            String address = slash < 0 ? entry : entry.substring(0, slash);
            byte[] network = literal(address).map(InetAddress::getAddress).orElseThrow(() -> invalidEntry(entry));
            int bits = network.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                String length = entry.substring(slash + 1);
                if (!length.matches("\\d{1,3}") || Integer.parseInt(length) > bits) {
                    throw invalidEntry(entry);
                }
                prefix = Integer.parseInt(length);
            }
            return new Cidr(network, prefix);
        }

        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((bytes[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
