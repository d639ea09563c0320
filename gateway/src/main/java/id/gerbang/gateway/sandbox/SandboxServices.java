package id.gerbang.gateway.sandbox;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.HttpHeaders;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import id.gerbang.gateway.config.GerbangProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * The sandbox OPD services of the standalone default, served in-process on loopback by WireMock from
 * the stubs in {@code classpath:sandbox/mappings}: a Disdukcapil resident lookup by NIK, a Bapenda
 * tax-status check, a DPMPTSP permit registry and an echo service. The data are invented.
 * <p>
 * WireMock is made and started on a thread of its own while the rest of the node starts (it loads a few
 * thousand classes of its own); {@link #start()} waits for it, so it listens before the web server starts
 * taking calls, and it is stopped after the gateway has stopped taking them.
 */
@Component
@ConditionalOnProperty(prefix = "gerbang.sandbox", name = "enabled", havingValue = "true")
class SandboxServices implements SmartLifecycle, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SandboxServices.class);

    private final CompletableFuture<WireMockServer> server = new CompletableFuture<>();
    /** Spring starts only what is not running: this says whether start() has run, not whether WireMock listens. */
    private volatile boolean started;

    SandboxServices(GerbangProperties properties) {
        this(properties, java.util.List::of);
    }

    @org.springframework.beans.factory.annotation.Autowired
    SandboxServices(GerbangProperties properties, id.gerbang.gateway.credentials.AssertionKeyStore keys) {
        this(properties, keys::all);
    }

    private SandboxServices(GerbangProperties properties,
            java.util.function.Supplier<java.util.List<com.nimbusds.jose.jwk.JWK>> assertionKeys) {
        int port = properties.sandbox().port();
        Thread starter = new Thread(() -> {
            try {
                WireMockServer started = listen(port, assertionKeys);
                server.complete(started);
            } catch (Throwable e) {
                server.completeExceptionally(e);
            }
        }, "gerbang-sandbox-start");
        starter.setDaemon(true);
        starter.start();
    }

    private static WireMockServer listen(int port,
            java.util.function.Supplier<java.util.List<com.nimbusds.jose.jwk.JWK>> assertionKeys) throws IOException {
        WireMockServer wireMock = new WireMockServer(WireMockConfiguration.options()
                .bindAddress("127.0.0.1")
                .port(port)
                .disableRequestJournal()
                .containerThreads(16)
                .globalTemplating(false)
                .extensions(new WithoutStubHeaders(), new AssertionCheck(assertionKeys)));
        Resource[] stubs = new PathMatchingResourcePatternResolver().getResources("classpath:sandbox/mappings/*.json");
        Arrays.sort(stubs, Comparator.comparing(Resource::getFilename));
        for (Resource stub : stubs) {
            wireMock.addStubMapping(StubMapping.buildFrom(stub.getContentAsString(StandardCharsets.UTF_8)));
        }
        wireMock.start();
        return wireMock;
    }

    /** Waits until WireMock listens; a sandbox that cannot start stops the node. */
    @Override
    public void start() {
        log.info("Sandbox OPD services listen on http://127.0.0.1:{}", port());
        started = true;
    }

    /** The port the sandbox listens on, once it does. */
    int port() {
        return running().port();
    }

    private WireMockServer running() {
        try {
            return server.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the sandbox OPD services started", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw new IllegalStateException("the sandbox OPD services did not start", e.getCause());
        }
    }

    @Override
    public void stop() {
        running().stop();
        started = false;
    }

    /** A node whose start failed elsewhere, before {@link #start()}, still closes the sandbox's port. */
    @Override
    public void destroy() {
        server.thenAccept(WireMockServer::stop).exceptionally(e -> null).join();
    }

    @Override
    public boolean isRunning() {
        return started;
    }

    /** Before the web server starts taking calls, after it has stopped. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1000;
    }

    /**
     * WireMock names the stub that answered in {@code Matched-Stub-Id} and {@code Matched-Stub-Name}; a
     * sandbox OPD service answers as a real one would, without them.
     */
    static final class WithoutStubHeaders implements ResponseTransformerV2 {

        @Override
        public Response transform(Response response, ServeEvent serveEvent) {
            HttpHeaders kept = new HttpHeaders(response.getHeaders().all().stream()
                    .filter(h -> !h.keyEquals("Matched-Stub-Id") && !h.keyEquals("Matched-Stub-Name"))
                    .toList());
            return Response.Builder.like(response).but().headers(kept).build();
        }

        @Override
        public boolean applyGlobally() {
            return true;
        }

        @Override
        public String getName() {
            return "without-stub-headers";
        }
    }

    /**
     * The sandbox SIMPUS checks Gerbang's caller assertion as an OPD application would
     * (docs/upstream-auth.md): the signature against the gateway's published keys, ES256, the audience
     * (its own OPD, {@code dinkes}) and the expiry; it answers 401 without a good one.
     */
    static final class AssertionCheck implements ResponseTransformerV2 {

        private final java.util.function.Supplier<java.util.List<com.nimbusds.jose.jwk.JWK>> keys;

        AssertionCheck(java.util.function.Supplier<java.util.List<com.nimbusds.jose.jwk.JWK>> keys) {
            this.keys = keys;
        }

        @Override
        public Response transform(Response response, ServeEvent serveEvent) {
            String assertion = serveEvent.getRequest().getHeader("X-Gerbang-Assertion");
            try {
                com.nimbusds.jwt.SignedJWT jwt = com.nimbusds.jwt.SignedJWT.parse(assertion);
                com.nimbusds.jose.jwk.JWK key = keys.get().stream()
                        .filter(k -> k.getKeyID().equals(jwt.getHeader().getKeyID())).findFirst().orElse(null);
                var claims = jwt.getJWTClaimsSet();
                if (key == null || !com.nimbusds.jose.JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm())
                        || !jwt.verify(new com.nimbusds.jose.crypto.ECDSAVerifier(key.toECKey()))
                        || !claims.getAudience().contains("dinkes")
                        || claims.getExpirationTime().toInstant().isBefore(java.time.Instant.now().minusSeconds(5))) {
                    return refused(response);
                }
                java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
                body.put("diverifikasi", true);
                body.put("klien", claims.getSubject());
                body.put("opd", claims.getStringClaim("opd"));
                body.put("pengguna", claims.getStringClaim("uid"));
                body.put("rute", claims.getStringClaim("route"));
                body.put("cid", claims.getStringClaim("cid"));
                body.put("kunjungan", java.util.List.of(java.util.Map.of("puskesmas", "Pangkalan Kerinci",
                        "tanggal", "2026-11-28", "poli", "Umum")));
                return Response.Builder.like(response).but()
                        .body(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(body)).build();
            } catch (Exception e) {
                return refused(response);
            }
        }

        private static Response refused(Response response) {
            return Response.Builder.like(response).but().status(401)
                    .body("{\"pesan\":\"X-Gerbang-Assertion tidak ada atau tidak sah\"}".getBytes(StandardCharsets.UTF_8)).build();
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return "gerbang-assertion-check";
        }
    }
}
