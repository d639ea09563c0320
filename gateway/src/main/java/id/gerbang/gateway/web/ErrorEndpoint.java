package id.gerbang.gateway.web;

import id.gerbang.gateway.context.CorrelationIds;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import id.gerbang.gateway.errors.Problems;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * Errors Spring answers outside the pipeline (an unknown path, a wrong method or media type on the
 * token endpoint, an unexpected fault) in the gateway's problem format instead of Spring Boot's own.
 */
@Controller
class ErrorEndpoint implements ErrorController {

    @RequestMapping("/error")
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        ErrorCode code = ErrorCode.forStatus(status instanceof Integer s ? s : 500);
        String allow = response.getHeader("Allow"); // set by Spring MVC for a method a handler does not serve
        if (code == ErrorCode.METHOD_NOT_ALLOWED && allow != null) {
            Problems.write(response, GatewayException.methodNotAllowed(code.title(), List.of(allow.split("\\s*,\\s*"))),
                    CorrelationIds.of(request));
            return;
        }
        Problems.write(response, code, code == ErrorCode.INTERNAL_ERROR ? "internal error" : code.title(),
                CorrelationIds.of(request));
    }
}
