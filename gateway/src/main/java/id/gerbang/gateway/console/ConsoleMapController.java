package id.gerbang.gateway.console;

import id.gerbang.gateway.registry.RouteRegistry;
import id.gerbang.gateway.trail.TrailJson;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The integration map (which OPD calls which, traffic over time, the busiest and most failing
 * services) and the period report for SPBE and smart-city evaluators, printable and as CSV. Aggregates
 * only, no record of the trail itself: for auditors and administrators alike.
 */
@Controller
class ConsoleMapController {

    private final IntegrationStats stats;
    private final RouteRegistry registry;
    private final ConsoleReadings readings;
    private final Wib wib;
    private final ConsoleMessages messages;

    ConsoleMapController(IntegrationStats stats, RouteRegistry registry, ConsoleReadings readings, Wib wib,
            ConsoleMessages messages) {
        this.stats = stats;
        this.registry = registry;
        this.readings = readings;
        this.wib = wib;
        this.messages = messages;
    }

    /** The map and the report are computed from the trail: looking at them is a reading of it. */
    private boolean recorded(String action, Period p, jakarta.servlet.http.HttpServletRequest request,
            org.springframework.security.core.Authentication auth) {
        return readings.recorded(request, auth, ConsoleReadings.detail(action)
                .put("from", p.from().toString()).put("to", p.to().toString()));
    }

    /**
     * The chosen period, {@code from} inclusive, {@code to} exclusive: the form's values, else the last 7 days
     * (map) or the current half-year (report), up to {@code now} to the second, so that a page made at
     * {@code now} never covers a time after it, and its form and CSV link give the same period again.
     */
    record Period(Instant from, Instant to, String fromInput, String toInput) {

        static Period of(String from, String to, boolean halfYear, Instant now, Wib wib) {
            Instant f = wib.parse(from);
            Instant t = Objects.requireNonNullElse(wib.parse(to), now.truncatedTo(ChronoUnit.SECONDS));
            if (f == null) {
                ZonedDateTime local = t.atZone(wib.zone());
                f = halfYear ? halfYearStart(local, wib.zone()) : t.minus(Duration.ofDays(7));
            }
            if (!f.isBefore(t)) {
                throw InvalidInput.fromBeforeTo();
            }
            return new Period(f, t, wib.input(f), wib.input(t));
        }

        private static Instant halfYearStart(ZonedDateTime local, ZoneId zone) {
            return LocalDate.of(local.getYear(), local.getMonthValue() <= 6 ? 1 : 7, 1).atStartOfDay(zone).toInstant();
        }
    }

    /** The period asked for, else the default one, with the problem said in the page's language. */
    private Period period(String from, String to, boolean halfYear, Instant now, Model model) {
        try {
            return Period.of(from, to, halfYear, now, wib);
        } catch (InvalidInput e) {
            model.addAttribute("error", messages.text(e));
            return Period.of(null, null, halfYear, now, wib);
        }
    }

    @GetMapping("/console/map")
    String map(@RequestParam(required = false) String from, @RequestParam(required = false) String to, Model model,
            jakarta.servlet.http.HttpServletRequest request, HttpServletResponse response,
            org.springframework.security.core.Authentication auth) throws SQLException {
        Period p = period(from, to, false, Instant.now(), model);
        model.addAttribute("period", p);
        if (!recorded("map", p, request, auth)) {
            response.setStatus(503);
            return "console/unavailable";
        }
        List<IntegrationStats.Pair> pairs = stats.pairs(p.from(), p.to());
        TreeSet<String> callers = new TreeSet<>();
        TreeSet<String> providers = new TreeSet<>();
        Map<String, IntegrationStats.Pair> cells = new LinkedHashMap<>();
        String noOpd = messages.text("map.noOpd");
        for (IntegrationStats.Pair pair : pairs) {
            String caller = pair.from() == null ? noOpd : pair.from();
            callers.add(caller);
            providers.add(pair.to());
            cells.put(caller + "→" + pair.to(), pair);
        }
        model.addAttribute("callers", callers);
        model.addAttribute("providers", providers);
        model.addAttribute("cells", cells);
        model.addAttribute("pairs", pairs);
        List<IntegrationStats.Service> services = stats.services(p.from(), p.to());
        model.addAttribute("busiest", services.stream().limit(10).toList());
        model.addAttribute("failing", services.stream().filter(s -> s.failed() > 0)
                .sorted(Comparator.comparingDouble(IntegrationStats.Service::failureRate).reversed()
                        .thenComparing(Comparator.comparingLong(IntegrationStats.Service::failed).reversed()))
                .limit(10).toList());
        model.addAttribute("traffic", traffic(p, noOpd));
        return "console/map";
    }

    /**
     * The map as a picture (SVG, {@link IntegrationMapSvg}) for the map page, the report and a projector;
     * {@code download} gives it as a file. No script can run in it: it has none, and its policy allows none.
     */
    @GetMapping("/console/map.svg")
    void mapSvg(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
            @RequestParam(required = false) String download, jakarta.servlet.http.HttpServletRequest request,
            HttpServletResponse response, org.springframework.security.core.Authentication auth)
            throws IOException, SQLException {
        Period p;
        try {
            p = Period.of(from, to, false, Instant.now(), wib);
        } catch (InvalidInput e) {
            response.sendError(400, e.getMessage());
            return;
        }
        if (!recorded("map-svg", p, request, auth)) {
            response.sendError(503, "the request trail cannot be written, so nothing of it is shown");
            return;
        }
        List<IntegrationMapSvg.Arrow> arrows = stats.pairs(p.from(), p.to()).stream()
                .map(x -> new IntegrationMapSvg.Arrow(x.from(), x.to(), x.calls(), x.failed())).toList();
        String period = wib.format(p.from()) + " – " + wib.format(p.to());
        byte[] svg = IntegrationMapSvg.of(arrows, new IntegrationMapSvg.Words() {
            public String title() {
                return messages.text("map.svg.title", period);
            }

            public String legend() {
                return messages.text("map.svg.legend");
            }

            public String noOpd() {
                return messages.text("map.noOpd");
            }

            public String none() {
                return messages.text("common.none");
            }

            public String tooltip(String caller, String provider, long calls, long failed) {
                return messages.text("map.svg.tooltip", caller, provider, calls, failed);
            }

            public String omitted(int drawn, int all) {
                return messages.text("map.svg.omitted", drawn, all);
            }
        }).getBytes(StandardCharsets.UTF_8);
        response.setContentType("image/svg+xml;charset=UTF-8");
        response.setHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'self'");
        response.setHeader("Cache-Control", "no-store");
        if (download != null) {
            response.setHeader("Content-Disposition", "attachment; filename=\"gerbang-map-"
                    + p.fromInput().substring(0, 10) + "-" + p.toInput().substring(0, 10) + ".svg\"");
        }
        response.setContentLength(svg.length);
        response.getOutputStream().write(svg);
    }

    /** The traffic chart's data, as the text of its {@code <script type="application/json">} element. */
    private String traffic(Period p, String noOpd) throws SQLException {
        long bucket = TrafficChart.bucketSeconds(p.from(), p.to());
        long offset = wib.zone().getRules().getOffset(p.from()).getTotalSeconds();
        List<IntegrationStats.Point> points = stats.traffic(p.from(), p.to(), bucket, offset);
        return TrafficChart.json(TrafficChart.of(p.from(), p.to(), wib.zone(), points,
                new TrafficChart.Words(noOpd, messages.text("map.perHour"), messages.text("map.perDay"))));
    }

    @GetMapping("/console/report")
    String report(@RequestParam(required = false) String from, @RequestParam(required = false) String to, Model model,
            jakarta.servlet.http.HttpServletRequest request, HttpServletResponse response,
            org.springframework.security.core.Authentication auth) throws SQLException {
        Instant now = Instant.now();
        Period p = period(from, to, true, now, model);
        model.addAttribute("period", p);
        if (!recorded("report", p, request, auth)) {
            response.setStatus(503);
            return "console/unavailable";
        }
        model.addAttribute("generated", now);
        model.addAttribute("totals", stats.totals(p.from(), p.to()));
        model.addAttribute("published", registry.table().size());
        model.addAttribute("clients", stats.clients(p.from(), p.to()));
        model.addAttribute("services", services(p));
        return "console/report";
    }

    /** Every published service, and those called in the period though since retired. */
    private List<IntegrationStats.Service> services(Period p) throws SQLException {
        Map<String, IntegrationStats.Service> byId = new TreeMap<>();
        registry.table().routes().forEach(r -> byId.put(r.id(), new IntegrationStats.Service(r.id(), r.owner(), 0, 0, 0, 0)));
        stats.services(p.from(), p.to()).forEach(s -> byId.put(s.routeId(), s));
        return new ArrayList<>(byId.values());
    }

    @GetMapping("/console/report.csv")
    void reportCsv(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
            jakarta.servlet.http.HttpServletRequest request, HttpServletResponse response,
            org.springframework.security.core.Authentication auth) throws IOException, SQLException {
        Period p;
        try {
            p = Period.of(from, to, true, Instant.now(), wib);
        } catch (InvalidInput e) {
            response.sendError(400, e.getMessage());
            return;
        }
        if (!recorded("report-csv", p, request, auth)) {
            response.sendError(503, "the request trail cannot be written, so nothing of it is shown");
            return;
        }
        IntegrationStats.Totals t = stats.totals(p.from(), p.to());
        response.setContentType("text/csv; charset=utf-8; header=present");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"gerbang-report-"
                + p.fromInput().substring(0, 10) + "-" + p.toInput().substring(0, 10) + ".csv\"");
        PrintWriter w = new PrintWriter(new java.io.OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8));
        w.println("section,item,value");
        w.println("period,from," + p.from());
        w.println("period,to," + p.to());
        w.println("totals,calls," + t.calls());
        w.println("totals,failed (5xx)," + t.failed());
        w.println("totals,refused (4xx)," + t.refused());
        w.printf(java.util.Locale.ROOT, "totals,availability,%.5f%n", t.availability());
        w.println("totals,calling OPDs," + t.callingOpds());
        w.println("totals,providing OPDs," + t.providingOpds());
        w.println("totals,applications," + t.clients());
        w.println("totals,services published," + registry.table().size());
        w.println("totals,services called," + t.servicesCalled());
        for (String[] c : stats.clients(p.from(), p.to())) {
            w.println("application," + csv(c[0] + " (" + c[1] + ")") + "," + c[2]);
        }
        w.println();
        w.println("service,owner,calls,failed,refused,availability,p95_ms");
        for (IntegrationStats.Service s : services(p)) {
            w.printf(java.util.Locale.ROOT, "%s,%s,%d,%d,%d,%.5f,%.0f%n", csv(s.routeId()), csv(s.owner()), s.calls(),
                    s.failed(), s.refused(), s.availability(), s.p95Ms());
        }
        w.flush();
    }

    /** A CSV cell that cannot break the row nor be read as a formula by a spreadsheet (the trail export's rule). */
    private static String csv(String s) {
        return TrailJson.csvCell(s);
    }
}
