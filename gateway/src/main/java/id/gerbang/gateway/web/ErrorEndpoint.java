package id.gerbang.gateway.web;

import id.gerbang.gateway.context.CorrelationIds;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.Problems;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
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
        Problems.write(response, code, code == ErrorCode.INTERNAL_ERROR ? "internal error" : code.title(),
                CorrelationIds.of(request));
    }
}
