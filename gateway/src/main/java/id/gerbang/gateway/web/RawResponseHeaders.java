package id.gerbang.gateway.web;

import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextResponse;

/**
 * Sets a response header exactly as given. The servlet layer routes {@code Content-Type} through Jetty's
 * media-type handling, which respells known types ({@code application/json; charset=utf-8} becomes
 * {@code application/json;charset=utf-8}); an upstream's answer must pass through unchanged, so that
 * header goes to the response beneath the servlet layer.
 */
public final class RawResponseHeaders {

    private RawResponseHeaders() {}

    public static void add(HttpServletResponse response, String name, String value) {
        if (name.equalsIgnoreCase("Content-Type")) {
            ServletContextResponse jetty = ServletContextResponse.getServletContextResponse(response);
            if (jetty != null) {
                jetty.getWrapped().getHeaders().add(name, value);
                return;
            }
        }
        response.addHeader(name, value);
    }
}
