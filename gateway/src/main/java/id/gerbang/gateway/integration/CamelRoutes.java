package id.gerbang.gateway.integration;

import id.gerbang.routes.Route;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;

/**
 * Turns a {@link Route} into a Camel route: {@code direct:gerbang-<id>-v<version>} followed by the
 * route's steps. Each version gets its own endpoint, so a new version is built and started beside the
 * old one, the route table is switched over, and the old one is stopped once its calls have finished:
 * no request ever sees a half-built route. Nothing from a definition is evaluated: the id is the only
 * definition value in the endpoint name, and the validator has restricted it to {@link id.gerbang.routes.RouteValidator#ROUTE_ID}.
 *
 * <p>This package is the integration bus: every Camel route builder of the gateway lives here, and
 * nowhere else ({@code ArchitectureTest}), so mediation and composition steps have one home; see
 * docs/architecture.md.
 */
public final class CamelRoutes {

    private CamelRoutes() {}

    public static String endpointUri(Route route) {
        return "direct:" + camelRouteId(route);
    }

    public static String camelRouteId(Route route) {
        return "gerbang-" + route.id() + "-v" + route.version();
    }

    /**
     * Adds and starts the Camel route of {@code route}, whose forwarding step is {@code forward}; a route
     * with {@code mediation} has a step before it (the caller's JSON as the upstream's XML) and one after it
     * (the upstream's XML as JSON), both {@link Mediation}. A mock route ({@code mock: true}) has one step
     * instead, which answers from its OpenAPI document ({@link MockAnswers}); it is given no {@code forward}.
     *
     * @param forward the forwarding step; {@code null} for a mock route
     */
    public static void add(CamelContext camel, Route route, Processor forward) throws Exception {
        if (route.mock()) {
            MockAnswers mock = MockAnswers.of(route);
            camel.addRoutes(new RouteBuilder(camel) {
                @Override
                public void configure() {
                    errorHandler(noErrorHandler());
                    from(endpointUri(route))
                            .routeId(camelRouteId(route))
                            .routeDescription(route.owner() + ": " + route.path() + " (mock)")
                            .process(mock).id("mock-" + camelRouteId(route));
                }
            });
            return;
        }
        camel.addRoutes(new RouteBuilder(camel) {
            @Override
            public void configure() {
                // a failed step leaves its exception on the exchange for the pipeline, which answers and
                // records it; Camel's default handler would log every upstream failure and fault at ERROR
                errorHandler(noErrorHandler());
                Mediation mediation = Mediation.of(route);
                var steps = from(endpointUri(route))
                        .routeId(camelRouteId(route))
                        .routeDescription(route.owner() + ": " + route.path());
                if (mediation != null) {
                    steps.process(mediation::toUpstream).id(mediation.kind() + "-request-" + camelRouteId(route));
                }
                steps.process(forward).id("forward-" + camelRouteId(route));
                if (mediation != null) {
                    steps.process(mediation::fromUpstream).id(mediation.kind() + "-answer-" + camelRouteId(route));
                }
            }
        });
    }

    /** Stops (letting in-flight exchanges finish) and removes the Camel route of {@code route}. */
    public static void remove(CamelContext camel, Route route) throws Exception {
        String id = camelRouteId(route);
        camel.getRouteController().stopRoute(id);
        if (!camel.removeRoute(id)) {
            throw new IllegalStateException("Camel did not remove route " + id);
        }
    }
}
