package id.gerbang.gateway.trail;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.stereotype.Component;

/**
 * The trail until a durable store is configured: one line per call on the logger {@code gerbang.trail}
 * at DEBUG (paths and queries may carry personal data, which only the durable store masks, so nothing
 * is written at the default level). Not an audit trail: no durability, no chain.
 */
@Component
@ConditionalOnMissingBean(value = AuditTrail.class, ignored = LoggingAuditTrail.class)
class LoggingAuditTrail implements AuditTrail {

    private static final Logger log = LoggerFactory.getLogger("gerbang.trail");

    @Override
    public void record(CallRecord r) {
        if (log.isDebugEnabled()) {
            log.debug("{} {} {} client={} route={} status={} error={} {}ms",
                    r.correlationId(), r.method(), r.path(), r.clientId(), r.routeId(), r.status(), r.errorCode(),
                    r.durationMs());
        }
    }
}
