package id.gerbang.it.deploy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.RawHttp;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Every metric that the Grafana dashboard ({@code deploy/grafana/}) and the Prometheus alert rules
 * ({@code deploy/prometheus/}) name is exported by a running node: the packaged jar, with a remote issuer (as
 * in production, so that the issuer's metric exists), after calls that make the lazily registered series
 * appear (a 429, a parser refusal). Metrics that come from elsewhere are allowed by name only, in
 * {@link #FROM_ELSEWHERE}.
 */
class DashboardMetricsIT {

    private static final Path DEPLOY = Paths.get(System.getProperty("gerbang.deploy", "../deploy")).toAbsolutePath().normalize();

    /** Metrics that no Gerbang node exports: Prometheus's own per target, and node_exporter's. */
    static final Set<String> FROM_ELSEWHERE = Set.of(
            "up",                          // Prometheus: 1 when the target's last scrape worked
            "node_filesystem_avail_bytes", // node_exporter
            "node_filesystem_size_bytes"); // node_exporter

    private static final Set<String> PROMQL_WORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan", "Inf", "NaN");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_VALUES_METRIC = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*[{,]");

    private static Gateway node;

    @BeforeAll
    static void startANodeWithARemoteIssuer() throws Exception {
        Gateway issuer = Gateway.get(); // a node with the built-in issuer stands in for Keycloak
        node = Gateway.start("metrics", List.of("--gerbang.issuer.enabled=false",
                "--spring.security.oauth2.resourceserver.jwt.issuer-uri=" + issuer.issuerUrl()));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void everyMetricADashboardPanelOrAlertRuleNamesIsExportedByARunningNode() throws Exception {
        Map<String, Set<String>> named = new LinkedHashMap<>();
        dashboardExpressions().forEach((where, expr) -> named.put(where, metricNames(expr)));
        ruleExpressions().forEach((where, expr) -> named.put(where, metricNames(expr)));
        assertThat(named).as("expressions read from deploy/").hasSizeGreaterThan(30);

        makeCallsThatRegisterTheLazySeries();
        String scrape = scrape();
        Set<String> exported = exportedNames(scrape);

        List<String> missing = new ArrayList<>();
        named.forEach((where, names) -> {
            assertThat(names).as("metric names in " + where).isNotEmpty();
            for (String name : names) {
                if (!exported.contains(name) && !FROM_ELSEWHERE.contains(name)) {
                    missing.add(name + " (" + where + ")");
                }
            }
        });
        assertThat(missing).as("metrics named in deploy/ that the node does not export").isEmpty();
        assertThat(scrape).as("the node reaches its issuer").contains("gerbang_issuer_reachable 1.0");
    }

    @Test
    void metricNamesAreTakenFromExpressionsWithoutFunctionsLabelsRangesOrVariables() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (instance, le) (rate(a_seconds_bucket{code=\"x_y\", "
                + "route=~\"$route\"}[$__rate_interval]))) > 1 and on (route) b_total / ignoring(x) c offset 5m"))
                .containsExactlyInAnyOrder("a_seconds_bucket", "b_total", "c");
        assertThat(metricNames("max_over_time(gerbang_circuit_state{state=\"closed\"}[10m]) == 0"))
                .containsExactly("gerbang_circuit_state");
        assertThat(metricNames("label_values(up{job=\"gerbang\"}, instance)")).containsExactly("up");
        assertThat(metricNames("predict_linear(node_x[6h], 24 * 3600) < 0")).containsExactly("node_x");
    }

    // ------------------------------------------------------------------------------------------ the node

    private static void makeCallsThatRegisterTheLazySeries() throws Exception {
        Gateway issuer = Gateway.get();
        node.upstream().stubFor(get(urlPathMatching("/.*")).willReturn(aResponse().withStatus(200).withBody("{}")));
        String dinkes = issuer.token("dinkes-simpus");
        // forwarded calls (their answer does not matter here: a cold upstream on a busy machine may time out)
        call("/api/it/echo/metrics", dinkes);
        call("/api/it/breaker/metrics", dinkes);
        assertThat(call("/api/it/restricted/metrics", dinkes).statusCode()).isEqualTo(403);

        // a route with a budget of one call a day: the second call is refused (gerbang_rate_limited_total)
        String route = """
                id: it-metrics-limited
                owner: diskominfo
                path: /it/metrics-limited
                methods: [GET]
                upstream: {url: "http://127.0.0.1:%d/limited"}
                access: {opds: [dinkes]}
                rateLimit: {requests: 1, perSeconds: 86400}
                """.formatted(node.upstream().port());
        HttpResponse<String> put = node.send(node.request("/admin/routes/it-metrics-limited")
                .header("Authorization", "Bearer " + issuer.token("gerbang-admin"))
                .header("Content-Type", "application/yaml")
                .PUT(HttpRequest.BodyPublishers.ofString(route)).build());
        assertThat(put.statusCode()).as(put.body()).isIn(200, 201);
        call("/api/it/metrics-limited", dinkes); // spends the budget, whatever the upstream answers
        assertThat(call("/api/it/metrics-limited", dinkes).statusCode()).isEqualTo(429);

        // a head with a bare LF (gerbang_http_parser_refusals_total)
        RawHttp.Response refused = RawHttp.send(node.port(), "GET /api/it/echo/x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "X-Bare: lf\nX-Other: smuggled\r\n\r\n");
        assertThat(refused.status()).isEqualTo(400);
    }

    private static HttpResponse<String> call(String path, String token) throws Exception {
        return node.send(node.request(path).header("Authorization", "Bearer " + token).GET().build());
    }

    private static String scrape() throws Exception {
        HttpResponse<String> r = node.send(node.request("/actuator/prometheus").GET().build());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The name of every sample ({@code x_bucket}, {@code x_count} and {@code x_sum} of a histogram included). */
    static Set<String> exportedNames(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            Matcher m = IDENTIFIER.matcher(line);
            if (!line.startsWith("#") && m.lookingAt()) {
                names.add(m.group());
            }
        }
        return names;
    }

    // ------------------------------------------------------------------------------------------ deploy/

    /** Every panel's query and every template variable's query of every dashboard, by where it is. */
    private static Map<String, String> dashboardExpressions() throws IOException {
        Map<String, String> found = new LinkedHashMap<>();
        List<Path> dashboards = files(DEPLOY.resolve("grafana"), ".json");
        assertThat(dashboards).as("dashboards in deploy/grafana").isNotEmpty();
        for (Path file : dashboards) {
            JsonNode dashboard = Gateway.json(Files.readString(file));
            List<JsonNode> panels = new ArrayList<>();
            dashboard.path("panels").forEach(p -> {
                panels.add(p);
                p.path("panels").forEach(panels::add); // panels inside a collapsed row
            });
            for (JsonNode panel : panels) {
                if (panel.path("type").asText().equals("row")) {
                    continue;
                }
                String title = panel.path("title").asText();
                assertThat(panel.path("targets")).as("queries of panel " + title).isNotEmpty();
                panel.path("targets").forEach(t -> found.put(file.getFileName() + ": panel \"" + title + "\" "
                        + t.path("refId").asText(), t.path("expr").asText()));
            }
            dashboard.path("templating").path("list").forEach(v -> {
                if (v.path("type").asText().equals("query")) {
                    found.put(file.getFileName() + ": variable $" + v.path("name").asText(), v.path("definition").asText());
                }
            });
        }
        return found;
    }

    /** Every alert rule's expression, by where it is; every rule has a severity and a summary. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> ruleExpressions() throws IOException {
        Map<String, String> found = new LinkedHashMap<>();
        List<Path> ruleFiles = files(DEPLOY.resolve("prometheus"), "-alerts.yml");
        assertThat(ruleFiles).as("rule files in deploy/prometheus").isNotEmpty();
        for (Path file : ruleFiles) {
            Map<String, Object> doc = new Yaml().load(Files.readString(file));
            for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                    String name = String.valueOf(rule.get("alert"));
                    assertThat((Map<String, Object>) rule.get("labels")).as(name).containsKey("severity");
                    assertThat((Map<String, Object>) rule.get("annotations")).as(name).containsKey("summary");
                    found.put(file.getFileName() + ": alert " + name, String.valueOf(rule.get("expr")));
                }
            }
        }
        return found;
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    // ------------------------------------------------------------------------------------------ PromQL

    /**
     * The metric names a PromQL expression (or a Grafana {@code label_values(...)} query) reads: identifiers
     * that are not functions or aggregations (followed by "("), keywords, label names (in braces, in
     * {@code by}/{@code without}/{@code on}/{@code ignoring}/{@code group_*} lists), durations or Grafana
     * variables.
     */
    static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher labelValues = LABEL_VALUES_METRIC.matcher(expr);
        if (expr.trim().startsWith("label_values(")) {
            if (labelValues.find()) {
                names.add(labelValues.group(1));
            }
            return names;
        }
        String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^\\]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\$\\{?\\w+}?", " ");
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String id = m.group();
            if (m.start() > 0 && (Character.isDigit(s.charAt(m.start() - 1)) || s.charAt(m.start() - 1) == '.')) {
                continue; // a number's exponent or unit
            }
            int next = m.end();
            while (next < s.length() && Character.isWhitespace(s.charAt(next))) {
                next++;
            }
            if ((next < s.length() && s.charAt(next) == '(') || PROMQL_WORDS.contains(id)) {
                continue;
            }
            names.add(id);
        }
        return names;
    }
}
