package id.gerbang.gateway.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The composition route of the bus: the parts run at the same time, and their answers merge in the definition's order. */
class CompositionRouteTest {

    private final CamelContext camel = new DefaultCamelContext();
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        camel.stop();
        pool.shutdownNow();
    }

    private Composition.Merged send(List<String> parts) {
        ProducerTemplate template = camel.createProducerTemplate();
        Exchange exchange = camel.getEndpoint(Composition.ENDPOINT).createExchange();
        exchange.getMessage().setBody(parts);
        template.send(Composition.ENDPOINT, exchange);
        assertThat(exchange.getException()).isNull();
        return exchange.getMessage().getBody(Composition.Merged.class);
    }

    @Test
    void everyPartIsInFlightAtOnce() throws Exception {
        CountDownLatch allStarted = new CountDownLatch(3);
        Composition.add(camel, exchange -> {
            String name = exchange.getMessage().getBody(String.class);
            allStarted.countDown();
            // parts run one after another would never see the other two start
            boolean together = allStarted.await(30, TimeUnit.SECONDS);
            exchange.getMessage().setBody(new Composition.PartAnswer(index(name), name,
                    JsonNodeFactory.instance.booleanNode(together), false));
        }, pool);
        camel.start();

        Composition.Merged merged = send(List.of("a", "b", "c"));

        assertThat(merged.json().toString()).isEqualTo("{\"a\":true,\"b\":true,\"c\":true}");
        assertThat(merged.failed()).isEmpty();
    }

    @Test
    void answersMergeInTheDefinitionsOrderWithTheFailedOnesNamedIncomplete() throws Exception {
        CountDownLatch lastFirst = new CountDownLatch(1);
        Composition.add(camel, exchange -> {
            String name = exchange.getMessage().getBody(String.class);
            if (name.equals("c")) {
                lastFirst.countDown();
            } else {
                lastFirst.await(30, TimeUnit.SECONDS); // "c" finishes before the others
            }
            boolean failed = name.equals("b") || name.equals("c");
            exchange.getMessage().setBody(new Composition.PartAnswer(index(name), name,
                    failed ? JsonNodeFactory.instance.objectNode().put("status", 504) : JsonNodeFactory.instance.textNode(name),
                    failed));
        }, pool);
        camel.start();

        Composition.Merged merged = send(List.of("a", "b", "c"));

        assertThat(merged.json().toString())
                .isEqualTo("{\"a\":\"a\",\"b\":{\"status\":504},\"c\":{\"status\":504},\"incomplete\":[\"b\",\"c\"]}");
        assertThat(merged.failed()).extracting(Composition.PartAnswer::name).containsExactly("b", "c");
    }

    private static int index(String name) {
        return name.charAt(0) - 'a';
    }
}
