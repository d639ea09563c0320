package id.gerbang.it.support;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** Base of every end-to-end test: the shared gateway, and a WireMock upstream emptied before each test. */
public abstract class GatewayTest {

    protected static Gateway gw;
    protected static WireMockServer wm;

    @BeforeAll
    static void gateway() {
        gw = Gateway.get();
        wm = gw.upstream();
    }

    @BeforeEach
    void resetUpstream() {
        wm.resetAll();
    }

    /** Every request the upstream received since the test began, oldest first. */
    protected static List<LoggedRequest> received() {
        List<LoggedRequest> all = new java.util.ArrayList<>(wm.getAllServeEvents().stream().map(ServeEvent::getRequest).toList());
        java.util.Collections.reverse(all); // WireMock lists newest first
        return all;
    }

    /**
     * Asserts that the upstream records no request during {@code window}. Only for a call whose upstream
     * connection the gateway may have opened and then abandoned: WireMock records such a request when it
     * notices the broken connection, which can be after the gateway has answered the caller, so an
     * immediate look could miss it (and it would then show up in the next test).
     */
    protected static void assertUpstreamRecordsNothingWithin(java.time.Duration window) {
        org.awaitility.Awaitility.await("the upstream records no request").during(window)
                .atMost(window.plusSeconds(5)).pollInterval(java.time.Duration.ofMillis(50))
                .untilAsserted(() -> org.assertj.core.api.Assertions.assertThat(received())
                        .as("requests the upstream received").isEmpty());
    }

    /** The one request the upstream received. */
    protected static LoggedRequest receivedOnce() {
        List<LoggedRequest> all = received();
        org.assertj.core.api.Assertions.assertThat(all).as("requests the upstream received").hasSize(1);
        return all.get(0);
    }
}
