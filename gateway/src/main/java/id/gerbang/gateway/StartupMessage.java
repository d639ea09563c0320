package id.gerbang.gateway;

import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.context.NodeName;
import id.gerbang.gateway.registry.RouteRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Says, once the node serves, where it listens and, in the standalone default, how to make a first call. */
@Component
class StartupMessage {

    private static final Logger log = LoggerFactory.getLogger("gerbang");

    private final GerbangProperties properties;
    private final RouteRegistry registry;
    private final NodeName node;
    private final boolean issuerEnabled;

    StartupMessage(GerbangProperties properties, RouteRegistry registry, NodeName node,
            @Value("${gerbang.issuer.enabled:false}") boolean issuerEnabled) {
        this.properties = properties;
        this.registry = registry;
        this.node = node;
        this.issuerEnabled = issuerEnabled;
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        int port = event.getApplicationContext() instanceof WebServerApplicationContext web
                ? web.getWebServer().getPort() : -1;
        String base = "http://localhost:" + port;
        StringBuilder msg = new StringBuilder()
                .append("\n\n  Gerbang is ready on ").append(base)
                .append("  (node ").append(node.value()).append(", ").append(registry.table().size()).append(" routes)\n");
        if (issuerEnabled && properties.sandbox().enabled()) {
            msg.append("\n  Standalone default: built-in token issuer and sandbox OPD services (demo data only).\n")
                    .append("  Get a token as the Dinkes SIMPUS application, then look up a resident at Disdukcapil:\n\n")
                    .append("    TOKEN=$(curl -s -u dinkes-simpus:dinkes-simpus-secret -d grant_type=client_credentials ")
                    .append(base).append("/oauth2/token | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')\n")
                    .append("    curl -i -H \"Authorization: Bearer $TOKEN\" ").append(base)
                    .append("/api/disdukcapil/penduduk/1404015708900001\n");
        }
        log.info(msg.toString());
    }
}
