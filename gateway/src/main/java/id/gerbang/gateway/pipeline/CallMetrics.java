package id.gerbang.gateway.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * Metrics of {@code /api} calls, one observation per call, as it is recorded on the trail:
 * {@code gerbang_requests_total{route,client,status,code}} (code: the gateway's error code, {@code none}
 * for the upstream's own answers) and {@code gerbang_request_duration_seconds{route}}, a histogram for
 * percentiles. Route and client ids are bounded by the registry and the issuer's clients; calls without
 * a route or a valid token count as {@code none}. The histogram is per route only: per route and client it
 * would multiply dozens of buckets by every pair.
 */
@Component
public class CallMetrics {

    private static final String NONE = "none";

    private record Key(String route, String client, int status, String code) {}

    private final MeterRegistry meters;
    private final Map<Key, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public CallMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    void record(String route, String client, int status, String code, long nanos) {
        Key key = new Key(route == null ? NONE : route, client == null ? NONE : client, status, code == null ? NONE : code);
        counters.computeIfAbsent(key, k -> Counter.builder("gerbang.requests")
                .description("/api calls by route, client, status and gateway error code")
                .tags("route", k.route(), "client", k.client(), "status", Integer.toString(k.status()), "code", k.code())
                .register(meters)).increment();
        timers.computeIfAbsent(key.route(), r -> Timer.builder("gerbang.request.duration")
                .description("time in the gateway, request to record, by route")
                .tag("route", r)
                .publishPercentileHistogram()
                .register(meters)).record(nanos, TimeUnit.NANOSECONDS);
    }
}
