package id.gerbang.gateway.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;

/**
 * The composition step of the integration bus: one Camel route, {@value #ENDPOINT}, that takes the list of a
 * composite call's parts, runs each through {@code part} in parallel on {@code executor} (Camel's splitter,
 * the list form of its multicast), and merges what they answer with one aggregation strategy,
 * {@link #MERGE}, into a {@link Merged}: each part's answer under its name, in the definition's order.
 * What a part is and how it is called (its route's access check, rate limit, policy and record) is the
 * pipeline's; this route only fans out and merges.
 */
public final class Composition {

    public static final String ENDPOINT = "direct:gerbang-compose";
    static final String ROUTE_ID = "gerbang-compose";

    /**
     * What one part contributed: its JSON answer, or, when it failed, its problem summary ({@code status},
     * {@code code} when the gateway refused it, {@code detail}, the part's own {@code correlationId}).
     */
    public record PartAnswer(int index, String name, JsonNode json, boolean failed) {}

    /** The merged answer: each part under its name; {@code failed} the parts that failed, in order. */
    public record Merged(ObjectNode json, List<PartAnswer> failed) {}

    /** Collects the parts' answers as they come; {@link #merged} puts them in the definition's order. */
    static final AggregationStrategy MERGE = (collected, next) -> {
        if (collected == null) {
            List<PartAnswer> answers = new ArrayList<>();
            answers.add(next.getMessage().getBody(PartAnswer.class));
            next.getMessage().setBody(answers);
            return next;
        }
        @SuppressWarnings("unchecked")
        List<PartAnswer> answers = collected.getMessage().getBody(List.class);
        answers.add(next.getMessage().getBody(PartAnswer.class));
        return collected;
    };

    private Composition() {}

    /** Adds and starts the composition route: each element of the list in the body through {@code part}. */
    public static void add(CamelContext camel, Processor part, ExecutorService executor) throws Exception {
        camel.addRoutes(new RouteBuilder(camel) {
            @Override
            public void configure() {
                errorHandler(noErrorHandler()); // the part step answers every failure itself
                from(ENDPOINT).routeId(ROUTE_ID).routeDescription("composite calls: parts in parallel, merged")
                        .split(body(), MERGE).parallelProcessing().executorService(executor)
                            .process(part).id("compose-part")
                        .end()
                        .process(Composition::merged).id("compose-merge");
            }
        });
    }

    /** The collected answers as one {@link Merged}, in the definition's order, with {@code incomplete} when any failed. */
    static void merged(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<PartAnswer> answers = new ArrayList<>(exchange.getMessage().getBody(List.class));
        answers.sort(Comparator.comparingInt(PartAnswer::index));
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        List<PartAnswer> failed = new ArrayList<>();
        for (PartAnswer a : answers) {
            json.set(a.name(), a.json());
            if (a.failed()) {
                failed.add(a);
            }
        }
        if (!failed.isEmpty()) {
            json.set("incomplete", JsonNodeFactory.instance.arrayNode().addAll(
                    failed.stream().map(a -> (JsonNode) JsonNodeFactory.instance.textNode(a.name())).toList()));
        }
        exchange.getMessage().setBody(new Merged(json, List.copyOf(failed)));
    }
}
