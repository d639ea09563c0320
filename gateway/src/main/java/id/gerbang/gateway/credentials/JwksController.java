package id.gerbang.gateway.credentials;

import com.nimbusds.jose.jwk.JWKSet;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /.well-known/gerbang-jwks.json}: every node's caller-assertion public keys, for OPD applications
 * that verify {@code X-Gerbang-Assertion}. Public: no authentication, nothing secret in it.
 */
@RestController
class JwksController {

    static final String PATH = "/.well-known/gerbang-jwks.json";

    private final AssertionKeyStore keys;

    JwksController(AssertionKeyStore keys) {
        this.keys = keys;
    }

    @GetMapping(PATH)
    void jwks(HttpServletResponse response) throws IOException {
        byte[] body = new JWKSet(keys.all()).toString(true).getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.setContentType("application/jwk-set+json");
        response.setHeader("Cache-Control", "public, max-age=60");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
