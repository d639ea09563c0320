package id.gerbang.gateway.sandbox;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import id.gerbang.gateway.config.GerbangProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;
import org.springframework.context.SmartLifecycle;

/**
 * The sandbox OPD services of the standalone default, served in-process on loopback by WireMock from
 * the stubs in {@code classpath:sandbox/mappings}: a Disdukcapil resident lookup by NIK, a Bapenda
 * tax-status check, a DPMPTSP permit registry and an echo service. The data are invented.
 * Started before the routes are served and stopped after the gateway stops taking calls.
 */
@Component
@ConditionalOnProperty(prefix = "gerbang.sandbox", name = "enabled", havingValue = "true")
class SandboxServices implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SandboxServices.class);

    private final WireMockServer server;

    SandboxServices(GerbangProperties properties) throws IOException {
        this.server = new WireMockServer(WireMockConfiguration.options()
                .bindAddress("127.0.0.1")
                .port(properties.sandbox().port())
                .disableRequestJournal()
                .containerThreads(16)
                .globalTemplating(false));
        Resource[] stubs = new PathMatchingResourcePatternResolver().getResources("classpath:sandbox/mappings/*.json");
        Arrays.sort(stubs, Comparator.comparing(Resource::getFilename));
        for (Resource stub : stubs) {
            server.addStubMapping(StubMapping.buildFrom(stub.getContentAsString(StandardCharsets.UTF_8)));
        }
    }

    @Override
    public void start() {
        server.start();
        log.info("Sandbox OPD services listen on http://127.0.0.1:{}", server.port());
    }

    @Override
    public void stop() {
        server.stop();
    }

    @Override
    public boolean isRunning() {
        return server.isRunning();
    }

    /** Before the web server starts taking calls, after it has stopped. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1000;
    }
}
