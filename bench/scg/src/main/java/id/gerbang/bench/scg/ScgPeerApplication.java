package id.gerbang.bench.scg;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.context.annotation.Bean;

/**
 * Spring Cloud Gateway Server MVC as a competent user would run it in front of one upstream: the route is
 * in application.yml, the forwarding client is Apache HttpClient 5 with a sized pool. Benchmark only.
 */
@SpringBootApplication
public class ScgPeerApplication {

    public static void main(String[] args) {
        SpringApplication.run(ScgPeerApplication.class, args);
    }

    /**
     * Spring Boot's Apache HttpClient 5 factory allows 5 connections per host unless told otherwise; the
     * gateway's RestClient takes its factory from this builder.
     */
    @Bean
    ClientHttpRequestFactoryBuilder<?> clientHttpRequestFactoryBuilder(@Value("${peer.upstream-pool-size}") int pool) {
        return ClientHttpRequestFactoryBuilder.httpComponents()
                .withConnectionManagerCustomizer(manager -> manager.setMaxConnTotal(pool).setMaxConnPerRoute(pool));
    }
}
