package id.gerbang.gateway.console;

import id.gerbang.gateway.context.CorrelationIds;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import id.gerbang.gateway.trail.AuditTrail;
import id.gerbang.gateway.trail.Masking;
import id.gerbang.gateway.trail.TrailEntry;
import id.gerbang.gateway.trail.TrailUnavailableException;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;

/**
 * Records each look at the trail made through the console (kind {@code trail-read}, {@code via: console}):
 * searches, records, exports, verifications, and the map and report computed from it. Recorded before
 * anything is shown; when the trail cannot take the record, nothing is.
 */
@Component
class ConsoleReadings {

    private static final Logger log = LoggerFactory.getLogger(ConsoleReadings.class);

    private final AuditTrail trail;

    ConsoleReadings(AuditTrail trail) {
        this.trail = trail;
    }

    static ObjectNode detail(String action) {
        return JsonNodeFactory.instance.objectNode().put("action", action).put("via", "console");
    }

    /** {@code false} when the trail cannot take the record: then show nothing of the trail. */
    boolean recorded(HttpServletRequest request, Authentication auth, ObjectNode detail) {
        ConsoleUser user = ConsoleUser.of(auth);
        Instant now = Instant.now();
        try {
            trail.record(TrailEntry.trailRead(now).respondedAt(now)
                    .correlationId(CorrelationIds.of(request))
                    .caller(user.name(), user.opd(), user.name())
                    .request(request.getMethod(), Masking.DEFAULT.path(request.getRequestURI()),
                            Masking.DEFAULT.query(request.getQueryString()))
                    .answer(200, null, null)
                    .durations(0L, null)
                    .requestBody(0L, null)
                    .detail(Masking.DEFAULT.shapes(detail.toString()))
                    .build());
            return true;
        } catch (TrailUnavailableException e) {
            log.warn("Console reading not recorded: {}", e.getMessage());
            return false;
        }
    }
}
