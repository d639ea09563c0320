package id.gerbang.security;

import static id.gerbang.security.AccessPolicy.Decision.ALLOWED;
import static id.gerbang.security.AccessPolicy.Decision.DENIED;
import static id.gerbang.security.AccessPolicy.Decision.METHOD_NOT_ALLOWED;
import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import id.gerbang.routes.RouteDefinition.Access;
import id.gerbang.routes.RouteDefinition.Grant;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {

    private static final Instant EXP = Instant.parse("2030-01-01T00:00:00Z");

    private static Caller caller(String clientId, String opd) {
        return new Caller(clientId, opd, Set.of(), EXP);
    }

    private static Route route(List<String> methods, Access access) {
        return Route.from(new RouteDefinition(
                "disdukcapil-penduduk", "disdukcapil", "Data penduduk", null, "/disdukcapil/penduduk",
                methods, new RouteDefinition.Upstream("http://10.10.2.15:8080/simduk/api/v1", null),
                access, null, null, null, null, null, null), 1);
    }

    private static Access clients(Grant... grants) {
        return new Access(List.of(grants), null);
    }

    private static Access opds(Grant... grants) {
        return new Access(null, List.of(grants));
    }

    @Test
    void allowsAClientNamedInTheClientGrants() {
        Route route = route(List.of("GET"), clients(Grant.of("dinkes-simpus")));

        assertThat(AccessPolicy.decide(caller("dinkes-simpus", "dinkes"), route, "GET")).isEqualTo(ALLOWED);
    }

    @Test
    void allowsEveryClientOfAnOpdNamedInTheOpdGrants() {
        Route route = route(List.of("GET"), opds(Grant.of("dpmptsp")));

        assertThat(AccessPolicy.decide(caller("dpmptsp-sicantik", "dpmptsp"), route, "GET")).isEqualTo(ALLOWED);
        assertThat(AccessPolicy.decide(caller("dpmptsp-other-app", "dpmptsp"), route, "GET")).isEqualTo(ALLOWED);
    }

    @Test
    void deniesACallerNamedNeitherByClientNorByOpd() {
        Route route = route(List.of("GET"),
                new Access(List.of(Grant.of("dinkes-simpus")), List.of(Grant.of("dpmptsp"))));

        assertThat(AccessPolicy.decide(caller("bapenda-pajak", "bapenda"), route, "GET")).isEqualTo(DENIED);
    }

    @Test
    void anEmptyAccessListDeniesEverybody() {
        Route route = route(List.of("GET"), new Access(List.of(), List.of()));

        assertThat(AccessPolicy.decide(caller("dinkes-simpus", "dinkes"), route, "GET")).isEqualTo(DENIED);
        assertThat(AccessPolicy.decide(caller("disdukcapil-siak", "disdukcapil"), route, "GET")).isEqualTo(DENIED);
    }

    @Test
    void anAbsentAccessListDeniesEverybodyEvenTheOwner() {
        Route route = route(List.of("GET"), null);

        assertThat(AccessPolicy.decide(caller("dinkes-simpus", "dinkes"), route, "GET")).isEqualTo(DENIED);
        assertThat(AccessPolicy.decide(caller("disdukcapil-siak", "disdukcapil"), route, "GET")).isEqualTo(DENIED);
    }

    @Test
    void anAccessListWithNullListsDeniesEverybody() {
        Route route = route(List.of("GET"), new Access(null, null));

        assertThat(AccessPolicy.decide(caller("dinkes-simpus", "dinkes"), route, "GET")).isEqualTo(DENIED);
    }

    @Test
    void aMethodTheRouteDoesNotOfferIsMethodNotAllowedEvenForAGrantedClient() {
        Route route = route(List.of("GET"), clients(Grant.of("dinkes-simpus")));

        assertThat(AccessPolicy.decide(caller("dinkes-simpus", "dinkes"), route, "POST"))
                .isEqualTo(METHOD_NOT_ALLOWED);
        assertThat(AccessPolicy.decide(caller("dinkes-simpus", "dinkes"), route, "DELETE"))
                .isEqualTo(METHOD_NOT_ALLOWED);
    }

    @Test
    void aMethodTheRouteDoesNotOfferIsMethodNotAllowedForAnUngrantedCallerToo() {
        Route route = route(List.of("GET"), clients(Grant.of("dinkes-simpus")));

        assertThat(AccessPolicy.decide(caller("bapenda-pajak", "bapenda"), route, "PUT"))
                .isEqualTo(METHOD_NOT_ALLOWED);
    }

    @Test
    void aRouteWithoutMethodsOffersOnlyGet() {
        Route route = route(null, clients(Grant.of("dinkes-simpus")));

        assertThat(AccessPolicy.decide(caller("dinkes-simpus", "dinkes"), route, "GET")).isEqualTo(ALLOWED);
        assertThat(AccessPolicy.decide(caller("dinkes-simpus", "dinkes"), route, "POST"))
                .isEqualTo(METHOD_NOT_ALLOWED);
    }

    @Test
    void aGrantWithMethodsGetAllowsGetAndDeniesPostOnARouteOfferingBoth() {
        Route route = route(List.of("GET", "POST"), clients(Grant.of("dinkes-simpus", List.of("GET"))));

        assertThat(AccessPolicy.decide(caller("dinkes-simpus", "dinkes"), route, "GET")).isEqualTo(ALLOWED);
        assertThat(AccessPolicy.decide(caller("dinkes-simpus", "dinkes"), route, "POST")).isEqualTo(DENIED);
    }

    @Test
    void anOpdGrantWithMethodsGetAllowsGetAndDeniesPost() {
        Route route = route(List.of("GET", "POST"), opds(Grant.of("dpmptsp", List.of("GET"))));

        assertThat(AccessPolicy.decide(caller("dpmptsp-sicantik", "dpmptsp"), route, "GET")).isEqualTo(ALLOWED);
        assertThat(AccessPolicy.decide(caller("dpmptsp-sicantik", "dpmptsp"), route, "POST")).isEqualTo(DENIED);
    }

    @Test
    void aClientGrantWithoutMethodsWidensAnOpdGrantLimitedToGet() {
        Route route = route(List.of("GET", "POST"), new Access(
                List.of(Grant.of("dpmptsp-sicantik")),
                List.of(Grant.of("dpmptsp", List.of("GET")))));

        // the client named without methods may use every method of the route
        assertThat(AccessPolicy.decide(caller("dpmptsp-sicantik", "dpmptsp"), route, "POST")).isEqualTo(ALLOWED);
        assertThat(AccessPolicy.decide(caller("dpmptsp-sicantik", "dpmptsp"), route, "GET")).isEqualTo(ALLOWED);
        // another client of the same OPD only gets what the OPD grant gives
        assertThat(AccessPolicy.decide(caller("dpmptsp-other-app", "dpmptsp"), route, "GET")).isEqualTo(ALLOWED);
        assertThat(AccessPolicy.decide(caller("dpmptsp-other-app", "dpmptsp"), route, "POST")).isEqualTo(DENIED);
    }

    @Test
    void aClientGrantAndAnOpdGrantWithDifferentMethodsAddUp() {
        Route route = route(List.of("GET", "POST", "DELETE"), new Access(
                List.of(Grant.of("dpmptsp-sicantik", List.of("GET"))),
                List.of(Grant.of("dpmptsp", List.of("POST")))));

        Caller sicantik = caller("dpmptsp-sicantik", "dpmptsp");
        assertThat(AccessPolicy.decide(sicantik, route, "GET")).isEqualTo(ALLOWED);
        assertThat(AccessPolicy.decide(sicantik, route, "POST")).isEqualTo(ALLOWED);
        assertThat(AccessPolicy.decide(sicantik, route, "DELETE")).isEqualTo(DENIED);
    }

    @Test
    void grantMethodsWrittenInLowerCaseMatchTheUpperCaseRequestMethod() {
        Route route = route(List.of("get", "post"), clients(Grant.of("dinkes-simpus", List.of("post"))));

        assertThat(AccessPolicy.decide(caller("dinkes-simpus", "dinkes"), route, "POST")).isEqualTo(ALLOWED);
        assertThat(AccessPolicy.decide(caller("dinkes-simpus", "dinkes"), route, "GET")).isEqualTo(DENIED);
    }

    @Test
    void aCallerWithoutOpdIsNotMatchedByOpdGrants() {
        Route route = route(List.of("GET"), opds(Grant.of("dpmptsp")));

        assertThat(AccessPolicy.decide(caller("dpmptsp-sicantik", null), route, "GET")).isEqualTo(DENIED);
    }

    @Test
    void aCallerWithoutOpdIsStillAllowedByItsClientGrant() {
        Route route = route(List.of("GET"),
                new Access(List.of(Grant.of("dinkes-simpus")), List.of(Grant.of("dpmptsp"))));

        assertThat(AccessPolicy.decide(caller("dinkes-simpus", null), route, "GET")).isEqualTo(ALLOWED);
    }

    @Test
    void aClientIdEqualToAGrantedOpdCodeIsNotMatchedByTheOpdGrant() {
        Route route = route(List.of("GET"), opds(Grant.of("dpmptsp")));

        // client ids and OPD codes are separate name spaces
        assertThat(AccessPolicy.decide(caller("dpmptsp", "bapenda"), route, "GET")).isEqualTo(DENIED);
    }

    @Test
    void anOpdCodeEqualToAGrantedClientIdIsNotMatchedByTheClientGrant() {
        Route route = route(List.of("GET"), clients(Grant.of("dinkes")));

        assertThat(AccessPolicy.decide(caller("dinkes-simpus", "dinkes"), route, "GET")).isEqualTo(DENIED);
    }

    @Test
    void grantsMatchWholeIdsCaseSensitively() {
        Route route = route(List.of("GET"),
                new Access(List.of(Grant.of("dinkes-simpus")), List.of(Grant.of("dpmptsp"))));

        assertThat(AccessPolicy.decide(caller("dinkes-simpus-2", "dinkes"), route, "GET")).isEqualTo(DENIED);
        assertThat(AccessPolicy.decide(caller("Dinkes-Simpus", "dinkes"), route, "GET")).isEqualTo(DENIED);
        assertThat(AccessPolicy.decide(caller("x", "DPMPTSP"), route, "GET")).isEqualTo(DENIED);
    }

    /**
     * The pipeline passes {@code request.getMethod()} as received. Methods are case-sensitive (RFC 9110
     * section 9.1), so {@code get} is not {@code GET}: a route's methods are stored upper-case, and a
     * lower-case method is not one the route offers, even for a granted client.
     */
    @Test
    void aLowerCaseRequestMethodIsNotAMethodTheRouteOffers() {
        Route route = route(List.of("GET", "POST"), clients(Grant.of("dinkes-simpus")));

        assertThat(route.methods()).containsExactlyInAnyOrder("GET", "POST");
        assertThat(AccessPolicy.decide(caller("dinkes-simpus", "dinkes"), route, "get"))
                .isEqualTo(METHOD_NOT_ALLOWED);
        assertThat(AccessPolicy.decide(caller("dinkes-simpus", "dinkes"), route, "Post"))
                .isEqualTo(METHOD_NOT_ALLOWED);
    }
}
