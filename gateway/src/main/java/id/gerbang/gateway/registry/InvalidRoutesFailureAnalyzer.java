package id.gerbang.gateway.registry;

import id.gerbang.routes.InvalidRouteException;
import id.gerbang.routes.Violation;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * When route definitions are invalid at start-up the node refuses to start rather than serve a
 * half-valid registry; this turns the failure into a list an operator can act on, one line per problem.
 */
class InvalidRoutesFailureAnalyzer extends AbstractFailureAnalyzer<InvalidRouteException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidRouteException cause) {
        StringBuilder description = new StringBuilder("The route definitions cannot be served:\n");
        for (Violation v : cause.violations()) {
            description.append("    - ").append(v.field().isEmpty() ? "(file)" : v.field()).append(": ")
                    .append(v.message()).append('\n');
        }
        return new FailureAnalysis(description.toString(),
                "Correct the definitions listed above (docs/routes.md describes every field), then start again. "
                        + "Nothing was served: Gerbang starts with every route valid or not at all.",
                cause);
    }
}
