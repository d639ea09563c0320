package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static id.gerbang.it.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.it.support.GatewayTest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** 403 ACCESS_DENIED, 404 ROUTE_NOT_FOUND and 405 METHOD_NOT_ALLOWED, each with nothing forwarded. */
class AccessAndRoutingIT extends GatewayTest {

    @BeforeEach
    void okUpstream() {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("forwarded")));
    }

    private HttpResponse<String> call(String method, String path, String clientId) throws Exception {
        return gw.send(gw.request(path).header("Authorization", "Bearer " + gw.token(clientId))
                .method(method, method.equals("POST")
                        ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody())
                .build());
    }

    private void assertRefused(HttpResponse<String> r, int status, String code) throws Exception {
        assertProblem(r, status, code);
        assertThat(received()).as("requests the upstream received").isEmpty();
    }

    @Test
    void controlAClientOnTheAccessListIsServed() throws Exception {
        HttpResponse<String> r = call("GET", "/api/it/restricted/x", "bapenda-sipd");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(receivedOnce().getUrl()).isEqualTo("/restricted/x");
    }

    @Test
    void clientNotOnTheAccessListIsDenied() throws Exception {
        assertRefused(call("GET", "/api/it/restricted/x", "dinkes-simpus"), 403, "ACCESS_DENIED");
    }

    @Test
    void clientOfAnOpdNotOnTheAccessListIsDenied() throws Exception {
        assertRefused(call("GET", "/api/it/echo/x", "bapenda-sipd"), 403, "ACCESS_DENIED");
    }

    @Test
    void controlAMethodTheGrantListsIsServed() throws Exception {
        HttpResponse<String> r = call("GET", "/api/it/grant", "dinkes-simpus");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(received()).hasSize(1);
    }

    @Test
    void methodTheClientsGrantDoesNotListIsDenied() throws Exception {
        assertRefused(call("POST", "/api/it/grant", "dinkes-simpus"), 403, "ACCESS_DENIED");
    }

    @Test
    void unknownPathIsNotFound() throws Exception {
        assertRefused(call("GET", "/api/it/unknown", "dinkes-simpus"), 404, "ROUTE_NOT_FOUND");
    }

    @Test
    void routePathMatchesWholeSegmentsOnly() throws Exception {
        assertRefused(call("GET", "/api/it/echoes", "dinkes-simpus"), 404, "ROUTE_NOT_FOUND");
    }

    @Test
    void routePathMatchesCaseSensitively() throws Exception {
        assertRefused(call("GET", "/api/IT/echo", "dinkes-simpus"), 404, "ROUTE_NOT_FOUND");
    }

    @Test
    void methodNotAmongTheRoutesMethodsIsNotAllowed() throws Exception {
        assertRefused(call("GET", "/api/it/small", "dinkes-simpus"), 405, "METHOD_NOT_ALLOWED");
    }

    @Test
    void optionsOnARouteThatDoesNotServeItIsNotAllowed() throws Exception {
        assertRefused(call("OPTIONS", "/api/it/echo/x", "dinkes-simpus"), 405, "METHOD_NOT_ALLOWED");
    }

    @Test
    void aMethodNotAllowedNamesTheMethodsTheRouteServesInAllow() throws Exception {
        HttpResponse<String> r = call("GET", "/api/it/small", "dinkes-simpus");
        assertRefused(r, 405, "METHOD_NOT_ALLOWED");
        assertThat(r.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void aPathThatExistsNowhereIsNotFoundForACallerWithAValidToken() throws Exception {
        assertProblem(call("GET", "/nothing-here", "dinkes-simpus"), 404, "ROUTE_NOT_FOUND");
        assertProblem(call("GET", "/api/unknown", "dinkes-simpus"), 404, "ROUTE_NOT_FOUND");
    }

    @Test
    void aMethodTheCatalogueDoesNotServeIsNotAllowedAndAllowSaysWhichAre() throws Exception {
        HttpResponse<String> r = call("DELETE", "/catalog", "dinkes-simpus");
        assertProblem(r, 405, "METHOD_NOT_ALLOWED");
        assertThat(r.headers().firstValue("Allow")).hasValueSatisfying(allow -> assertThat(allow).contains("GET"));
    }
}
