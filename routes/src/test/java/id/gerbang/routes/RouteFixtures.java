package id.gerbang.routes;

import java.util.List;

/** The example route of docs/routes.md ("A definition"), as YAML and as the record it reads to, shared by the tests. */
final class RouteFixtures {

    static final String PENDUDUK_YAML = """
            id: disdukcapil-penduduk
            owner: disdukcapil
            name: Data penduduk by NIK
            description: Lookup of a resident record
            path: /disdukcapil/penduduk
            methods: [GET, POST]
            upstream:
              url: http://127.0.0.1:8080/simduk/api/v1
              timeoutMs: 5000
            access:
              clients: [dinkes-simpus, {id: bapenda-sipd, methods: [GET]}]
              opds: [dpmptsp]
            rateLimit: { requests: 50, perSeconds: 1 }
            maxConcurrent: 100
            retries: 2
            circuitBreaker: { failureRatePercent: 50, minimumCalls: 20, openSeconds: 30 }
            maxBodyBytes: 1048576
            audit:
              maskJsonFields: [nik, nama, nama_lengkap]
              maskQueryParams: [nik]
              maskPatterns: [nik, npwp, email, phone]
            """;

    private RouteFixtures() {}

    static RouteDefinition penduduk() {
        return new RouteDefinition(
                "disdukcapil-penduduk",
                "disdukcapil",
                "Data penduduk by NIK",
                "Lookup of a resident record",
                "/disdukcapil/penduduk",
                List.of("GET", "POST"),
                new RouteDefinition.Upstream("http://127.0.0.1:8080/simduk/api/v1", 5000),
                new RouteDefinition.Access(
                        List.of(RouteDefinition.Grant.of("dinkes-simpus"), RouteDefinition.Grant.of("bapenda-sipd", List.of("GET"))),
                        List.of(RouteDefinition.Grant.of("dpmptsp"))),
                new RouteDefinition.RateLimit(50, 1),
                100,
                2,
                new RouteDefinition.CircuitBreaker(50, 20, 30),
                1_048_576L,
                new RouteDefinition.Audit(List.of("nik", "nama", "nama_lengkap"), List.of("nik"),
                        List.of("nik", "npwp", "email", "phone")));
    }

    /** A minimal valid route at {@code path}, with an upstream on the loopback. */
    static RouteDefinition minimal(String id, String path) {
        return new RouteDefinition(id, "diskominfo", null, null, path, null,
                new RouteDefinition.Upstream("http://127.0.0.1:9000", null), null, null, null, null, null, null, null);
    }

    static UpstreamPolicy loopbackPolicy() {
        return new UpstreamPolicy(List.of("127.0.0.0/8"));
    }
}
