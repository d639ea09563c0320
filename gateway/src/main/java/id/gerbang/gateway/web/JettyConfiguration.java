package id.gerbang.gateway.web;

import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.embedded.jetty.JettyServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Jetty as a gateway's front door. HTTP parsing is strict RFC 9110: a request whose framing two parsers
 * could read differently (Content-Length with Transfer-Encoding, two lengths, bare-LF or bare-CR line
 * ends, folded header lines; see {@link StrictHttpConnectionFactory}) is refused with 400 and its connection closed, so that nothing behind the
 * gateway can be smuggled a second request. URIs are let through to the gateway's own path check, which
 * refuses hostile ones with a clear reason and leaves a record of the attempt. No server version is sent.
 * Every refusal of the parser is counted and logged ({@link ParserRefusals}). A request body must arrive
 * at {@code gerbang.http.min-request-data-rate} at least, else reading it fails (the caller gets 400 and
 * its connection is closed), so slow senders cannot keep request threads.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(HttpFrontProperties.class)
class JettyConfiguration implements WebServerFactoryCustomizer<JettyServletWebServerFactory>, Ordered {

    private final ParserRefusals refusals;
    private final HttpFrontProperties front;

    JettyConfiguration(ParserRefusals refusals, HttpFrontProperties front) {
        this.refusals = refusals;
        this.front = front;
    }

    @Override
    public void customize(JettyServletWebServerFactory factory) {
        factory.addServerCustomizers(server -> {
            server.setErrorHandler(new ProblemErrorHandler());
            for (Connector connector : server.getConnectors()) {
                HttpConnectionFactory http = connector.getConnectionFactory(HttpConnectionFactory.class);
                if (http != null && connector instanceof AbstractConnector jettyConnector) {
                    HttpConfiguration config = http.getHttpConfiguration();
                    jettyConnector.addConnectionFactory(new StrictHttpConnectionFactory(config, refusals));
                    config.setHttpCompliance(HttpCompliance.RFC7230);
                    config.setUriCompliance(UriCompliance.UNSAFE);
                    // checked by Jetty at each read of a request body, averaged from the body's first byte
                    config.setMinRequestDataRate(front.minRequestDataRate());
                    config.setSendServerVersion(false);
                    config.setSendXPoweredBy(false);
                    config.setSendDateHeader(true);
                    // no header field cache: header values are passed on as sent (the cache would hand back
                    // its own spelling of common values, charset=utf-8 as charset=UTF-8), and looking each
                    // header line up in it (a bearer token is ~1 KiB) took 13 % of a call's CPU on the full
                    // chain (docs/performance.md, "Header parsing: Jetty's field cache off")
                    config.setHeaderCacheSize(0);
                }
            }
        });
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
