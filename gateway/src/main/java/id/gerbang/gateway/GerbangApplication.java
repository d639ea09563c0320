package id.gerbang.gateway;

import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.registry.SplpProperties;
import id.gerbang.gateway.trail.OfflineVerifier;
import id.gerbang.gateway.witness.Witness;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** Gerbang: the authenticated, audited gateway between a regency's agencies (OPDs). */
@SpringBootApplication(scanBasePackages = "id.gerbang")
@EnableConfigurationProperties({GerbangProperties.class, SplpProperties.class})
public class GerbangApplication {

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("verify")) {
            // the offline verifier of an NDJSON export (docs/trail.md): no Spring, no database
            System.exit(OfflineVerifier.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("witness")) {
            // an auditor's witness of the signed checkpoints (docs/trail.md, "Witnesses"): no Spring, no database
            System.exit(Witness.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        SpringApplication.run(GerbangApplication.class, args);
    }
}
