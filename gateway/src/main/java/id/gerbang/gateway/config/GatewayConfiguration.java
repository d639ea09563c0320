package id.gerbang.gateway.config;

import id.gerbang.gateway.context.NodeName;
import id.gerbang.gateway.credentials.Secrets;
import id.gerbang.routes.RouteDefinitionReader;
import id.gerbang.routes.RouteValidator;
import id.gerbang.routes.UpstreamPolicy;
import id.gerbang.security.CallerClaims;
import id.gerbang.security.TokenAuthenticator;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/** Wires the pipeline's parts that are plain objects (no Spring in them) into the application. */
@Configuration(proxyBeanMethods = false)
class GatewayConfiguration {

    @Bean
    RouteDefinitionReader routeDefinitionReader() {
        return new RouteDefinitionReader();
    }

    @Bean
    RouteValidator routeValidator(GerbangProperties properties, Secrets secrets) {
        return new RouteValidator(new UpstreamPolicy(properties.upstreams().allowed()), secrets);
    }

    @Bean
    TokenAuthenticator tokenAuthenticator(ObjectProvider<JwtDecoder> decoders, GerbangProperties properties) {
        JwtDecoder decoder = decoders.getIfAvailable();
        if (decoder == null) {
            throw new IllegalStateException("No token issuer is configured. Set "
                    + "spring.security.oauth2.resourceserver.jwt.issuer-uri (Keycloak: https://<host>/realms/<realm>) "
                    + "or jwk-set-uri, or enable the built-in demo issuer with gerbang.issuer.enabled=true.");
        }
        GerbangProperties.Security s = properties.security();
        return new TokenAuthenticator(decoder, new CallerClaims(s.clientOpds()::get), s.tokenCacheTtl(),
                s.tokenCacheMemory().toBytes(), Clock.systemUTC());
    }

    @Bean
    NodeName nodeName(GerbangProperties properties) {
        return new NodeName(properties.node());
    }
}
