package id.gerbang.gateway.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The only bodies read before anyone is authenticated: the built-in issuer's token requests (a client
 * authenticates with a form) and its login form. Everywhere else a body is read after the caller's token
 * or session is checked. Here a slow sender could hold a request thread with no credentials at all, so
 * these reads are bounded: at most {@code gerbang.http.pre-auth-body-readers} at once (more are refused
 * with 503 and {@code Retry-After: 1} without reading), no body over
 * {@code gerbang.http.pre-auth-body-max-bytes} (413 without reading), and, like every body, at least
 * {@code gerbang.http.min-request-data-rate}. Answers are OAuth2 errors, as the endpoints' own.
 */
@Configuration(proxyBeanMethods = false)
class PreAuthBodies {

    static final String[] PATHS = {"/oauth2/token", "/oauth2/authorize"};

    @Bean
    FilterRegistrationBean<Limit> preAuthBodyLimit(HttpFrontProperties front) {
        FilterRegistrationBean<Limit> registration = new FilterRegistrationBean<>(
                new Limit(front.preAuthBodyReaders(), front.preAuthBodyMaxBytes()));
        registration.addUrlPatterns(PATHS);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1); // right after the gateway filter
        registration.setName("gerbangPreAuthBodyLimit");
        return registration;
    }

    static final class Limit extends OncePerRequestFilter {

        private final Semaphore readers;
        private final long maxBytes;

        Limit(int readers, long maxBytes) {
            this.readers = new Semaphore(readers);
            this.maxBytes = maxBytes;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            long length = request.getContentLengthLong();
            if (length == 0 || (length < 0 && request.getHeader("Transfer-Encoding") == null)) {
                chain.doFilter(request, response);
                return;
            }
            if (length > maxBytes) {
                refuse(response, 413, "invalid_request", "a body of at most " + maxBytes + " bytes is accepted here");
                return;
            }
            if (!readers.tryAcquire()) {
                response.setHeader("Retry-After", "1");
                refuse(response, 503, "temporarily_unavailable", "too many requests at once; try again");
                return;
            }
            try {
                chain.doFilter(new BoundedLength(request, maxBytes), response);
            } finally {
                readers.release();
            }
        }

        private static void refuse(HttpServletResponse response, int status, String error, String description)
                throws IOException {
            byte[] body = ("{\"error\":\"" + error + "\",\"error_description\":\"" + description + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            response.setStatus(status);
            response.setHeader("Connection", "close"); // the body is not read: the connection cannot carry another request
            response.setHeader("Cache-Control", "no-store");
            response.setContentType("application/json");
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }
    }

    /** A chunked body has no declared length: it is cut off past the limit as it is read. */
    private static final class BoundedLength extends jakarta.servlet.http.HttpServletRequestWrapper {

        private final long maxBytes;

        BoundedLength(HttpServletRequest request, long maxBytes) {
            super(request);
            this.maxBytes = maxBytes;
        }

        @Override
        public jakarta.servlet.ServletInputStream getInputStream() throws IOException {
            jakarta.servlet.ServletInputStream in = super.getInputStream();
            return new jakarta.servlet.ServletInputStream() {
                private long count;

                @Override
                public int read() throws IOException {
                    int b = in.read();
                    if (b >= 0) {
                        count(1);
                    }
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int n = in.read(buf, off, len);
                    if (n > 0) {
                        count(n);
                    }
                    return n;
                }

                private void count(int n) throws IOException {
                    count += n;
                    if (count > maxBytes) {
                        throw new IOException("body over " + maxBytes + " bytes");
                    }
                }

                @Override
                public boolean isFinished() {
                    return in.isFinished();
                }

                @Override
                public boolean isReady() {
                    return in.isReady();
                }

                @Override
                public void setReadListener(jakarta.servlet.ReadListener listener) {
                    in.setReadListener(listener);
                }
            };
        }
    }
}
