package id.gerbang.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.RequestDispatcher;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class ErrorEndpointTest {

    @Test
    void aMethodNotAllowedKeepsTheAllowSpringMvcSet() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/error");
        request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 405);
        MockHttpServletResponse response = new MockHttpServletResponse();
        response.setHeader("Allow", "GET,HEAD");

        new ErrorEndpoint().error(request, response);

        assertThat(response.getStatus()).isEqualTo(405);
        assertThat(response.getHeader("X-Gerbang-Error")).isEqualTo("METHOD_NOT_ALLOWED");
        assertThat(response.getHeader("Allow")).isEqualTo("GET, HEAD");
    }

    @Test
    void aPathThatExistsNowhereIsRouteNotFound() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/error");
        request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 404);
        MockHttpServletResponse response = new MockHttpServletResponse();

        new ErrorEndpoint().error(request, response);

        assertThat(response.getStatus()).isEqualTo(404);
        assertThat(response.getHeader("X-Gerbang-Error")).isEqualTo("ROUTE_NOT_FOUND");
        assertThat(response.getHeader("Allow")).isNull();
    }
}
