package id.gerbang.gateway.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpCompliance;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Requests the HTTP parser refused before any of the gateway's code saw them (conflicting lengths,
 * folded or bare-LF lines, oversized heads): such a request never reaches the pipeline, so it leaves no
 * record on the trail. Each is counted in {@code gerbang_http_parser_refusals_total{reason}} and logged
 * once, at WARN, with the peer's address and the reason only (never the request's bytes). The parser
 * closes the connection after a refusal, so this is one line per connection.
 *
 * <p>Reasons are a closed set: {@code bare_lf}, the name of the broken compliance rule in lower case
 * ({@code transfer_encoding_with_content_length}, {@code multiple_content_lengths},
 * {@code multiline_field_value}, ...), {@code head_too_large} and {@code malformed} for the rest.
 */
@Component
public class ParserRefusals {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ParserRefusals.class);

    private final ObjectProvider<MeterRegistry> meters;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    /** The registry is looked up at the first refusal: the web server is made before the metrics are. */
    public ParserRefusals(ObjectProvider<MeterRegistry> meters) {
        this.meters = meters;
    }

    static String reasonOf(HttpCompliance.Violation violation) {
        return violation.name().toLowerCase(Locale.ROOT);
    }

    static String reasonOf(int status) {
        return status == 431 || status == 414 ? "head_too_large" : "malformed";
    }

    void refused(String reason, SocketAddress peer) {
        log.warn("HTTP request refused by the parser ({}) from {}; connection closed", reason, address(peer));
        MeterRegistry registry = meters.getIfAvailable();
        if (registry != null) {
            counters.computeIfAbsent(reason, r -> Counter.builder("gerbang.http.parser.refusals")
                    .description("requests refused by the HTTP parser, by reason")
                    .tag("reason", r)
                    .register(registry)).increment();
        }
    }

    private static String address(SocketAddress peer) {
        if (peer instanceof InetSocketAddress inet) {
            return (inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString()) + ":" + inet.getPort();
        }
        return String.valueOf(peer);
    }
}
