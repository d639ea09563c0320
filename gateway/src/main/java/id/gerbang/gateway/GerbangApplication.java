package id.gerbang.gateway;

import id.gerbang.gateway.config.GerbangProperties;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** Gerbang: the authenticated, audited gateway between a regency's agencies (OPDs). */
@SpringBootApplication(scanBasePackages = "id.gerbang")
@EnableConfigurationProperties(GerbangProperties.class)
public class GerbangApplication {

    public static void main(String[] args) {
        SpringApplication.run(GerbangApplication.class, args);
    }
}
