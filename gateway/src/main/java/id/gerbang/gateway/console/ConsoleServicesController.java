package id.gerbang.gateway.console;

import id.gerbang.gateway.context.CorrelationIds;
import com.fasterxml.jackson.databind.JsonNode;
import id.gerbang.gateway.credentials.CredentialsSummary;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.policy.UpstreamsHealth;
import id.gerbang.gateway.registry.RegistryStore;
import id.gerbang.gateway.registry.RegistryStore.Outcome;
import id.gerbang.gateway.registry.RegistryStore.Precondition;
import id.gerbang.gateway.registry.RouteChanges;
import id.gerbang.gateway.registry.RouteRegistry;
import id.gerbang.gateway.registry.SplpOpenApi;
import id.gerbang.gateway.registry.SplpProperties;
import id.gerbang.routes.Route;
import id.gerbang.gateway.trail.Sha256;
import id.gerbang.gateway.trail.TrailUnavailableException;
import id.gerbang.routes.InvalidRouteException;
import id.gerbang.routes.RouteDefinition;
import id.gerbang.routes.RouteDefinitionReader;
import id.gerbang.routes.SecretNames;
import id.gerbang.routes.Violation;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The administrator's pages over the route registry: services with owner, methods, mediation, upstream
 * credentials (their kind, and each secret by name with whether this node has it: never a value), access
 * and recent health; a service's versions with a readable diff; publishing or changing a service by pasting or
 * uploading its YAML, with each problem shown beside its line; rolling back to an earlier version. Every
 * change goes through {@link RouteChanges} like the admin API's, and is on the trail with the person's
 * name ({@code source: console}).
 */
@Controller
class ConsoleServicesController {

    static final int MAX_YAML = 256 * 1024;

    private final RegistryStore store;
    private final RouteChanges changes;
    private final RouteDefinitionReader reader;
    private final IntegrationStats stats;
    private final org.springframework.beans.factory.ObjectProvider<UpstreamsHealth> circuits;
    private final ConsoleMessages messages;
    private final RouteRegistry registry;
    private final SplpProperties splp;
    private final SecretNames secrets;

    ConsoleServicesController(RegistryStore store, RouteChanges changes, RouteDefinitionReader reader,
            IntegrationStats stats, org.springframework.beans.factory.ObjectProvider<UpstreamsHealth> circuits,
            ConsoleMessages messages, RouteRegistry registry, SplpProperties splp, SecretNames secrets) {
        this.registry = registry;
        this.splp = splp;
        this.store = store;
        this.changes = changes;
        this.reader = reader;
        this.stats = stats;
        this.circuits = circuits;
        this.messages = messages;
        this.secrets = secrets;
    }

    @GetMapping("/console/services")
    String list(Model model) throws SQLException {
        Instant now = Instant.now();
        Map<String, IntegrationStats.Service> health = stats.services(now.minus(Duration.ofDays(1)), now.plusSeconds(60))
                .stream().collect(Collectors.toMap(IntegrationStats.Service::routeId, Function.identity()));
        List<RegistryStore.Stored> services = store.current();
        model.addAttribute("services", services);
        model.addAttribute("health", health);
        // each route's credentials by kind and secret name, never a value (docs/console.md)
        Map<String, CredentialsSummary> credentials = new java.util.HashMap<>();
        for (RegistryStore.Stored s : services) {
            CredentialsSummary c = CredentialsSummary.of(s.definition().upstream(), secrets);
            if (c != null) {
                credentials.put(s.id(), c);
            }
        }
        model.addAttribute("credentials", credentials);
        Map<String, String> circuit = new java.util.HashMap<>();
        UpstreamsHealth upstreams = circuits.getIfAvailable();
        if (upstreams != null) {
            for (RegistryStore.Stored s : store.current()) {
                if (upstreams.getContributor(s.id()) instanceof org.springframework.boot.actuate.health.HealthIndicator h) {
                    circuit.put(s.id(), h.health().getStatus().getCode());
                }
            }
        }
        model.addAttribute("circuit", circuit);
        return "console/services";
    }

    @GetMapping("/console/services/{id}")
    String service(@PathVariable String id, @RequestParam(required = false) Long a, @RequestParam(required = false) Long b,
            Model model, HttpServletResponse response) throws SQLException {
        List<RegistryStore.Version> history = store.history(id);
        if (history.isEmpty()) {
            response.setStatus(404);
            model.addAttribute("missing", id);
            return "console/forbidden";
        }
        Optional<RegistryStore.Stored> current = store.get(id);
        model.addAttribute("id", id);
        model.addAttribute("current", current.orElse(null));
        model.addAttribute("credentials", current.map(s -> CredentialsSummary.of(s.definition().upstream(), secrets)).orElse(null));
        model.addAttribute("yaml", current.map(s -> reader.toYaml(s.definition())).orElse(null));
        model.addAttribute("history", history);
        model.addAttribute("served", registry.table().byId(id) != null);
        long last = history.get(history.size() - 1).version();
        long to = b != null ? b : last;
        long from = a != null ? a : Math.max(1, to - 1);
        model.addAttribute("a", from);
        model.addAttribute("b", to);
        RouteDefinition before = definitionAt(history, from);
        RouteDefinition after = definitionAt(history, to);
        List<String[]> diff = new ArrayList<>();
        for (JsonNode d : RouteChanges.diff(before, after)) {
            diff.add(new String[] {d.path("field").asText(), text(d.get("from")), text(d.get("to"))});
        }
        model.addAttribute("diff", diff);
        return "console/service";
    }

    /** The service as SPLP's API manager imports it (docs/splp.md), the same document as the catalogue's. */
    @GetMapping("/console/services/{id}/splp-openapi.json")
    void splpOpenApi(@PathVariable String id, HttpServletRequest request, HttpServletResponse response) throws IOException {
        Route route = registry.table().byId(id);
        if (route == null) {
            response.sendError(404);
            return;
        }
        byte[] body = new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(SplpOpenApi.of(route, splp, request));
        response.setContentType("application/json");
        response.setHeader("Content-Disposition", "attachment; filename=\"" + id + "-splp-openapi.json\"");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private static RouteDefinition definitionAt(List<RegistryStore.Version> history, long version) {
        return history.stream().filter(v -> v.version() == version).findFirst().map(RegistryStore.Version::definition).orElse(null);
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "—" : n.isTextual() ? n.asText() : n.toString();
    }

    @GetMapping("/console/services/new")
    String create(Model model) {
        model.addAttribute("editing", null);
        model.addAttribute("yaml", """
                id: contoh-layanan
                owner: diskominfo
                name: Contoh layanan
                path: /contoh/layanan
                methods: [GET]
                upstream:
                  url: http://127.0.0.1:18080/echo
                access:
                  opds: [dinkes]
                """);
        return "console/edit";
    }

    @GetMapping("/console/services/{id}/edit")
    String edit(@PathVariable String id, Model model, HttpServletResponse response) throws SQLException {
        Optional<RegistryStore.Stored> s = store.get(id);
        if (s.isEmpty()) {
            response.setStatus(404);
            return "console/forbidden";
        }
        model.addAttribute("editing", id);
        model.addAttribute("version", s.get().version());
        model.addAttribute("yaml", reader.toYaml(s.get().definition()));
        return "console/edit";
    }

    /** Publishes or changes a service from pasted or uploaded YAML; {@code version} is the one being changed. */
    @PostMapping("/console/services/save")
    String save(@RequestParam(required = false) String yaml, @RequestParam(required = false) MultipartFile file,
            @RequestParam(required = false) String editing, @RequestParam(required = false) Long version, Model model,
            HttpServletRequest request, HttpServletResponse response, Authentication auth,
            RedirectAttributes redirect) throws Exception {
        String text = yaml == null ? "" : yaml;
        if (file != null && !file.isEmpty()) {
            if (file.getSize() > MAX_YAML) {
                return refused(model, response, editing, version, text, List.of(problem("", "edit.fileTooLarge")));
            }
            text = new String(file.getBytes(), StandardCharsets.UTF_8);
        }
        if (text.length() > MAX_YAML) {
            return refused(model, response, editing, version, text, List.of(problem("", "edit.tooLarge")));
        }
        RouteDefinition d;
        try {
            List<RouteDefinition> all = reader.readYaml(text, "yaml");
            if (all.size() != 1) {
                return refused(model, response, editing, version, text,
                        List.of(problem("", "edit.oneRoute", all.size())));
            }
            d = all.get(0);
        } catch (InvalidRouteException e) {
            return refused(model, response, editing, version, text, problems(e.violations()));
        }
        if (editing != null && !editing.equals(d.id())) {
            return refused(model, response, editing, version, text,
                    List.of(problem("id", "edit.idFixed", editing)));
        }
        Precondition precondition = editing == null ? new Precondition(null, true) : new Precondition(version, false);
        Change change = new Change(request, auth, d.id(), text);
        Outcome outcome = change.put(d, precondition);
        int status = outcome == null ? 503 : outcome instanceof Outcome.Unchanged ? 200
                : outcome instanceof Outcome.Invalid ? 400 : 412;
        if (outcome == null || !change.record(outcome, status)) {
            response.setStatus(503);
            return "console/unavailable";
        }
        if (outcome instanceof Outcome.Changed c) {
            redirect.addFlashAttribute("saved", c.version().version());
            return "redirect:/console/services/" + d.id();
        }
        if (outcome instanceof Outcome.Unchanged u) {
            redirect.addFlashAttribute("unchanged", u.current().version());
            return "redirect:/console/services/" + d.id();
        }
        if (outcome instanceof Outcome.Invalid i) {
            return refused(model, response, editing, version, text, problems(i.violations()));
        }
        Outcome.PreconditionFailed p = (Outcome.PreconditionFailed) outcome;
        model.addAttribute("stale", p.current() == null ? 0 : p.current().version());
        return refused(model, response, editing, version, text,
                p.current() != null && editing == null
                        ? List.of(problem("id", "edit.idExists")) : List.of());
    }

    @PostMapping("/console/services/{id}/rollback")
    String rollback(@PathVariable String id, @RequestParam long version, HttpServletRequest request,
            HttpServletResponse response, Authentication auth, RedirectAttributes redirect) throws Exception {
        Optional<RegistryStore.Stored> current = store.get(id);
        RouteDefinition old = definitionAt(store.history(id), version);
        if (old == null || current.isEmpty()) {
            response.setStatus(404);
            return "console/forbidden";
        }
        Change change = new Change(request, auth, id, reader.toYaml(old));
        Outcome outcome = change.put(old, new Precondition(current.get().version(), false));
        int status = outcome == null ? 503 : outcome instanceof Outcome.Unchanged ? 200
                : outcome instanceof Outcome.Invalid ? 400 : 412;
        if (outcome == null || !change.record(outcome, status)) {
            response.setStatus(503);
            return "console/unavailable";
        }
        if (outcome instanceof Outcome.Changed c) {
            redirect.addFlashAttribute("saved", c.version().version());
        } else if (outcome instanceof Outcome.Invalid i) {
            redirect.addFlashAttribute("rollbackRefused", problems(i.violations()).stream().map(Problem::toString)
                    .collect(Collectors.joining("; ")));
        } else if (outcome instanceof Outcome.PreconditionFailed) {
            redirect.addFlashAttribute("rollbackRefused", messages.text("service.changedMeanwhile"));
        }
        return "redirect:/console/services/" + id;
    }

    /** A person's change, as its trail record shows it. */
    private final class Change {
        final RouteChanges.Actor actor;
        final RouteChanges.Request request;
        final String routeId;

        Change(HttpServletRequest http, Authentication auth, String routeId, String body) {
            ConsoleUser user = ConsoleUser.of(auth);
            this.actor = new RouteChanges.Actor(user.name(), user.name(), user.opd(), user.name());
            this.routeId = routeId;
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            MessageDigest sha = Sha256.newDigest();
            sha.update(bytes);
            this.request = new RouteChanges.Request(Instant.now(), System.nanoTime(),
                    CorrelationIds.of(http), http.getMethod(), http.getRequestURI(),
                    bytes.length, Sha256.hex(sha));
        }

        /** The change made (recorded before its commit) or refused; {@code null} when the trail could not take it. */
        Outcome put(RouteDefinition d, Precondition precondition) throws Exception {
            try {
                return changes.put(d, precondition, actor, "console", request);
            } catch (TrailUnavailableException e) {
                return null; // nothing was changed
            }
        }

        /** Records an outcome other than a change made (that one is already on the trail). */
        boolean record(Outcome outcome, int status) {
            if (outcome instanceof Outcome.Changed) {
                return true;
            }
            try {
                changes.record(outcome, routeId, actor, "console", request, status,
                        status >= 400 ? ErrorCode.forStatus(status) : null);
                return true;
            } catch (TrailUnavailableException e) {
                return false;
            }
        }
    }

    /** What is wrong with a definition, in the page's language; {@code field} empty when it is the whole text. */
    private record Problem(String field, String text) {
        @Override
        public String toString() {
            return field.isEmpty() ? text : field + ": " + text;
        }
    }

    private Problem problem(String field, String code, Object... args) {
        return new Problem(field, messages.text(code, args));
    }

    private List<Problem> problems(List<Violation> violations) {
        return violations.stream().map(v -> new Problem(v.field(), messages.problem(v))).toList();
    }

    /**
     * The form again with its problems, each beside the line of its field: {@code upstream.url} is found as
     * the {@code url:} line under {@code upstream:}; a problem without a line is listed above the text.
     */
    private String refused(Model model, HttpServletResponse response, String editing, Long version, String text,
            List<Problem> violations) {
        response.setStatus(violations.isEmpty() ? 412 : 400);
        model.addAttribute("editing", editing);
        model.addAttribute("version", version);
        model.addAttribute("yaml", text);
        String[] lines = text.split("\n", -1);
        List<List<String>> problems = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            problems.add(new ArrayList<>());
        }
        List<String> general = new ArrayList<>();
        for (Problem v : violations) {
            int line = YamlLines.find(lines, v.field());
            (line < 0 ? general : problems.get(line)).add(v.toString());
        }
        model.addAttribute("lines", lines);
        model.addAttribute("problems", problems);
        model.addAttribute("general", general);
        model.addAttribute("count", violations.size());
        return "console/edit";
    }
}
