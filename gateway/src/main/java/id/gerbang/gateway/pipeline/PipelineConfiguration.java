package id.gerbang.gateway.pipeline;

import id.gerbang.gateway.trail.AuditTrail;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** Puts the gateway's filter in front of everything. */
@Configuration(proxyBeanMethods = false)
class PipelineConfiguration {

    /** Runs before every other filter, Spring Security's included: {@code /api} calls never reach them. */
    @Bean
    FilterRegistrationBean<GatewayFilter> gatewayFilter(ApiPipeline pipeline, AuditTrail trail) {
        FilterRegistrationBean<GatewayFilter> registration = new FilterRegistrationBean<>(new GatewayFilter(pipeline, trail));
        registration.addUrlPatterns("/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.setName("gerbangGatewayFilter");
        return registration;
    }
}
