package id.gerbang.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class UpstreamPolicyTest {

    /** A fixed DNS: names not in it do not resolve. */
    private static final Map<String, List<String>> DNS = Map.of(
            "simpus.dinkes.local", List.of("10.10.3.7"),
            "simduk.disdukcapil.local", List.of("10.10.2.15", "10.20.0.1"),
            "evil.example.com", List.of("169.254.169.254"),
            "v6.bapenda.local", List.of("fd12::5"),
            "sipd.pelalawankab.go.id", List.of("203.0.113.10"));

    private static UpstreamPolicy policy(String... allowed) {
        return new UpstreamPolicy(List.of(allowed), UpstreamPolicyTest::resolve);
    }

    private static InetAddress[] resolve(String host) throws UnknownHostException {
        List<String> addresses = DNS.get(host);
        if (addresses == null) {
            throw new UnknownHostException(host);
        }
        InetAddress[] out = new InetAddress[addresses.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = InetAddress.getByName(addresses.get(i));
        }
        return out;
    }

    private static Optional<String> check(UpstreamPolicy policy, String url) {
        return policy.check(URI.create(url)).map(Violation.Rule::message);
    }

    @Test
    void allowsListedNamesCaseInsensitivelyAndWithTrailingDot() {
        UpstreamPolicy p = policy("SIPD.pelalawankab.go.id", "api.bkpsdm.local");

        assertThat(check(p, "https://sipd.pelalawankab.go.id/api")).isEmpty();
        assertThat(check(p, "https://Sipd.Pelalawankab.Go.Id./api")).isEmpty();
        assertThat(check(p, "http://api.bkpsdm.local:8080/")).as("listed, even when it does not resolve here").isEmpty();
        assertThat(check(p, "http://other.pelalawankab.go.id/")).contains("cannot resolve host");
    }

    @Test
    void allowsSuffixWildcardsButNotTheBareDomain() {
        UpstreamPolicy p = policy("*.pelalawankab.go.id");

        assertThat(check(p, "https://sipd.pelalawankab.go.id/")).isEmpty();
        assertThat(check(p, "https://a.b.pelalawankab.go.id/")).isEmpty();
        assertThat(check(p, "https://pelalawankab.go.id/")).contains("cannot resolve host");
        assertThat(check(p, "https://evilpelalawankab.go.id/")).contains("cannot resolve host");
    }

    @Test
    void allowsAddressesInListedRanges() {
        UpstreamPolicy p = policy("10.10.0.0/16", "127.0.0.1", "fd00::/8", "::1");

        assertThat(check(p, "http://10.10.2.15:8080/simduk")).isEmpty();
        assertThat(check(p, "http://127.0.0.1/")).isEmpty();
        assertThat(check(p, "http://[fd12::5]:8443/")).isEmpty();
        assertThat(check(p, "http://[::1]:8080/")).isEmpty();
        assertThat(check(p, "http://simpus.dinkes.local/")).as("resolves into 10.10/16").isEmpty();
        assertThat(check(p, "http://v6.bapenda.local/")).isEmpty();

        assertThat(check(p, "http://10.11.0.1/")).get().asString().contains("not on the upstream allow list");
        assertThat(check(p, "http://127.0.0.2/")).get().asString().contains("not on the upstream allow list");
        assertThat(check(p, "http://[fe00::1]/")).get().asString().contains("not on the upstream allow list");
        assertThat(check(p, "http://simduk.disdukcapil.local/")).as("one of its addresses is outside")
                .get().asString().contains("not on the upstream allow list");
        assertThat(check(p, "http://unknown.local/")).contains("cannot resolve host");
    }

    @Test
    void emptyListAllowsNothing() {
        UpstreamPolicy p = policy();

        assertThat(check(p, "http://127.0.0.1/")).isPresent();
        assertThat(check(p, "http://simpus.dinkes.local/")).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://169.254.169.254/latest/meta-data/",
            "http://169.254.0.1/",
            "http://[fe80::1]/",
            "http://[fd00:ec2::254]/",
            "http://[FD00:EC2:0:0:0:0:0:254]/",
            "http://[::ffff:169.254.169.254]/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://METADATA.google.internal./",
            "http://metadata/",
            "http://evil.example.com/"})
    void refusesLinkLocalAndMetadataEvenWhenListed(String url) {
        UpstreamPolicy p = policy("169.254.0.0/16", "fe80::/10", "fd00::/8", "::/0", "0.0.0.0/0",
                "metadata.google.internal", "metadata", "evil.example.com");

        assertThat(check(p, url)).get().asString().contains("never allowed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "10.10.0.0/33", "10.10.0.0/", "fd00::/129", "300.1.1.1", "10.0.0", "*", "*.", "host_name",
            "http://x", "bad host", "10.0.0.0/8/1"})
    void refusesAnInvalidEntryNamingIt(String entry) {
        assertThatThrownBy(() -> policy("127.0.0.0/8", entry))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + entry + "'");
    }

    @Test
    void refusesUrlWithoutHost() {
        assertThat(check(policy("127.0.0.0/8"), "file:///etc/passwd")).contains("upstream has no host");
    }
}
