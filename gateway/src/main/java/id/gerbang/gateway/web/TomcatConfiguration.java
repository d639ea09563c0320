package id.gerbang.gateway.web;

import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Tomcat as a gateway's front door: errors Tomcat answers itself come out as problem documents; a
 * request that names a header in {@code Connection} keeps its meaning (we drop those headers).
 * Runs after Spring Boot's own customizers, whose error valve it replaces.
 */
@Configuration(proxyBeanMethods = false)
class TomcatConfiguration implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                for (Valve v : host.getPipeline().getValves()) {
                    if (v instanceof ErrorReportValve) {
                        host.getPipeline().removeValve(v);
                    }
                }
                host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
                host.getPipeline().addValve(new ProblemErrorReportValve());
            }
        });
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
