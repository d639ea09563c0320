package id.gerbang.gateway.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.proxy.ForwardRequest;
import id.gerbang.gateway.proxy.ForwardResponse;
import id.gerbang.gateway.proxy.UpstreamClient;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import id.gerbang.routes.RouteDefinitionReader;
import id.gerbang.routes.RouteValidator;
import id.gerbang.routes.UpstreamPolicy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * Swapping what a node serves: a call that found a route keeps it, Camel route and all, until it is done,
 * even when the route is replaced or deleted meanwhile; later calls see only the new snapshot.
 */
class RouteRegistryTest {

    static WireMockServer upstream;
    static UpstreamClient client;
    CamelContext camel;
    ProducerTemplate template;
    RouteRegistry registry;
    /** The thread each Camel route was stopped on, by Camel route id. */
    final Map<String, String> stoppedOn = new ConcurrentHashMap<>();
    /** When set, stopping a Camel route waits for it. */
    volatile CountDownLatch holdStopping;

    @BeforeAll
    static void startUpstream() {
        upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        upstream.start();
        upstream.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{}")));
        client = new UpstreamClient(Binder.get(new org.springframework.core.env.StandardEnvironment())
                .bindOrCreate("gerbang", GerbangProperties.class));
    }

    @AfterAll
    static void stopUpstream() throws Exception {
        client.destroy();
        upstream.stop();
    }

    @BeforeEach
    void startCamel() {
        camel = new DefaultCamelContext();
        camel.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) throws Exception {
                if (event instanceof CamelEvent.RouteStoppingEvent stopping) {
                    stoppedOn.put(stopping.getRoute().getRouteId(), Thread.currentThread().getName());
                    CountDownLatch hold = holdStopping;
                    if (hold != null) {
                        hold.await();
                    }
                }
            }
        });
        camel.start();
        template = camel.createProducerTemplate();
        registry = new RouteRegistry(camel, id.gerbang.gateway.proxy.UpstreamForwarders.plain(client), new RouteValidator(new UpstreamPolicy(List.of("127.0.0.0/8"))));
    }

    @AfterEach
    void stopCamel() {
        registry.close();
        camel.stop();
    }

    private static Route route(String id, String path, String base, long version) {
        RouteDefinition d = new RouteDefinitionReader().readYaml("""
                id: %s
                owner: dinkes
                path: %s
                upstream: {url: "%s"}
                """.formatted(id, path, upstream.baseUrl() + base), "test").get(0);
        return Route.from(d, version);
    }

    private int call(RouteRegistry.Lease lease) throws Exception {
        Exchange exchange = lease.endpoint().createExchange();
        exchange.getMessage().setBody(new ForwardRequest("GET", lease.rest(), null, List.of(), null, 0));
        template.send(lease.endpoint(), exchange);
        assertThat(exchange.getException()).isNull();
        try (ForwardResponse answer = exchange.getMessage().getBody(ForwardResponse.class)) {
            return answer.response().getCode();
        }
    }

    @Test
    void aCallThatFoundARouteFinishesOnItAfterTheRouteIsReplaced() throws Exception {
        registry.serve(List.of(route("dinkes-pasien", "/dinkes/pasien", "/v1", 1)));
        RouteRegistry.Lease inFlight = registry.acquire("/dinkes/pasien/42");

        registry.serve(List.of(route("dinkes-pasien", "/dinkes/pasien", "/v2", 2)));

        assertThat(camel.getRoute("gerbang-dinkes-pasien-v1")).as("kept for the call in flight").isNotNull();
        assertThat(call(inFlight)).isEqualTo(200);
        try (RouteRegistry.Lease next = registry.acquire("/dinkes/pasien/42")) {
            assertThat(next.route().version()).isEqualTo(2);
        }
        inFlight.close();
        await().untilAsserted(() -> assertThat(camel.getRoute("gerbang-dinkes-pasien-v1"))
                .as("removed once its last call is done").isNull());
        assertThat(camel.getRoute("gerbang-dinkes-pasien-v2")).isNotNull();
    }

    @Test
    void aCallThatFoundARouteFinishesOnItAfterTheRouteIsDeleted() throws Exception {
        registry.serve(List.of(route("dinkes-pasien", "/dinkes/pasien", "/v1", 1)));
        RouteRegistry.Lease inFlight = registry.acquire("/dinkes/pasien");

        registry.serve(List.of());

        assertThat(registry.acquire("/dinkes/pasien")).as("new calls find nothing").isNull();
        assertThat(call(inFlight)).isEqualTo(200);
        inFlight.close();
        await().untilAsserted(() -> assertThat(camel.getRoutes()).isEmpty());
    }

    @Test
    void anIdleRouteIsRemovedAtOnceAndAnUnchangedOneIsKeptAsItIs() throws Exception {
        Route kept = route("dinkes-pasien", "/dinkes/pasien", "/v1", 1);
        registry.serve(List.of(kept, route("dinkes-obat", "/dinkes/obat", "/v1", 4)));

        registry.serve(List.of(route("dinkes-pasien", "/dinkes/pasien", "/v1", 1)));

        await().untilAsserted(() -> assertThat(camel.getRoute("gerbang-dinkes-obat-v4")).isNull());
        assertThat(registry.table().byId("dinkes-pasien")).isSameAs(kept);
    }

    @Test
    void aDefinitionThisNodeMayNotServeIsLeftOutAndTheOthersAreServed() throws Exception {
        RouteDefinition outside = new RouteDefinitionReader().readYaml("""
                id: dinkes-luar
                owner: dinkes
                path: /dinkes/luar
                upstream: {url: "http://10.20.30.40/api"}
                """, "test").get(0);

        registry.serve(List.of(Route.from(outside, 1), route("dinkes-pasien", "/dinkes/pasien", "/v1", 1)));

        assertThat(registry.table().routes()).extracting(Route::id).containsExactly("dinkes-pasien");
    }

    @Test
    void aLeaseClosedTwiceReleasesOnce() throws Exception {
        registry.serve(List.of(route("dinkes-pasien", "/dinkes/pasien", "/v1", 1)));
        RouteRegistry.Lease first = registry.acquire("/dinkes/pasien");
        RouteRegistry.Lease second = registry.acquire("/dinkes/pasien");

        first.close();
        first.close();
        registry.serve(List.of());

        assertThat(camel.getRoute("gerbang-dinkes-pasien-v1")).as("the second call still holds it").isNotNull();
        second.close();
        await().untilAsserted(() -> assertThat(camel.getRoute("gerbang-dinkes-pasien-v1")).isNull());
    }

    @Test
    void aChangeWhoseCamelRouteCannotStartChangesNothing() throws Exception {
        Route pasien = route("dinkes-pasien", "/dinkes/pasien", "/v1", 1);
        registry.serve(List.of(pasien));
        // something else consumes the endpoint the new dinkes-obat route needs: that route cannot start
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:gerbang-dinkes-obat-v1").routeId("squatter").log("taken");
            }
        });
        List<Route> change = List.of(route("dinkes-lab", "/dinkes/lab", "/v1", 1),
                route("dinkes-pasien", "/dinkes/pasien", "/v2", 2), route("dinkes-obat", "/dinkes/obat", "/v1", 1));

        assertThatThrownBy(() -> registry.serve(change)).isNotNull();

        assertThat(camel.getRoutes()).extracting(org.apache.camel.Route::getRouteId)
                .as("the routes added before the failing one are removed again")
                .containsExactlyInAnyOrder("gerbang-dinkes-pasien-v1", "squatter");
        assertThat(registry.table().routes()).containsExactly(pasien);
        try (RouteRegistry.Lease lease = registry.acquire("/dinkes/pasien/1")) {
            assertThat(lease.route()).isSameAs(pasien);
            assertThat(call(lease)).isEqualTo(200);
        }
        assertThat(registry.acquire("/dinkes/lab")).isNull();

        camel.getRouteController().stopRoute("squatter");
        assertThat(camel.removeRoute("squatter")).isTrue();
        registry.serve(change);
        assertThat(registry.table().routes()).extracting(Route::id).as("the same change, tried again, is served")
                .containsExactlyInAnyOrder("dinkes-lab", "dinkes-pasien", "dinkes-obat");
    }

    @Test
    void aRetiredRouteIsRemovedOnItsOwnThreadNotOnTheLastCallersThread() throws Exception {
        registry.serve(List.of(route("dinkes-pasien", "/dinkes/pasien", "/v1", 1)));
        RouteRegistry.Lease inFlight = registry.acquire("/dinkes/pasien");
        registry.serve(List.of(route("dinkes-pasien", "/dinkes/pasien", "/v2", 2)));
        holdStopping = new CountDownLatch(1);
        try {
            CompletableFuture<Void> lastCallDone = new CompletableFuture<>();
            Thread caller = new Thread(() -> {
                inFlight.close();
                lastCallDone.complete(null);
            }, "caller");
            caller.start();

            await().untilAsserted(() -> assertThat(lastCallDone).as("the caller goes on while the removal is held")
                    .isDone());
            assertThat(camel.getRoute("gerbang-dinkes-pasien-v1")).isNotNull();
        } finally {
            holdStopping.countDown();
        }
        await().untilAsserted(() -> assertThat(camel.getRoute("gerbang-dinkes-pasien-v1")).isNull());
        assertThat(stoppedOn).containsEntry("gerbang-dinkes-pasien-v1", RouteRegistry.REMOVAL_THREAD);
    }
}
