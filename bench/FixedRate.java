import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed-rate HTTP/1.1 load generator for bench/compare.sh (wrk can only load at fixed concurrency).
 *
 * <p>Requests are scheduled at {@code rate} per second on {@code connections} keep-alive connections,
 * and each latency is measured from the request's <em>intended</em> send time, not from when a busy
 * connection finally got to send it, so a stall shows up in the percentiles instead of hiding as a pause
 * in the load (coordinated omission). Loopback only: the target must be on 127.0.0.0/8 or localhost.
 *
 * <pre>java bench/FixedRate.java URL RATE SECONDS [CONNECTIONS] [HEADER]...</pre>
 *
 * Prints one line: {@code rate=… sent=… errors=… p50=… p90=… p99=… p99.9=… max=…} (milliseconds), after
 * a few unrecorded seconds at the same rate that let this program's own JIT settle.
 */
public class FixedRate {

    static final int WARMUP_SECONDS = 5;

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: java FixedRate.java URL RATE SECONDS [CONNECTIONS] [HEADER]...");
            System.exit(2);
        }
        URI uri = URI.create(args[0]);
        String host = uri.getHost();
        if (!(host.equals("localhost") || host.startsWith("127."))) {
            throw new IllegalArgumentException("loopback targets only: " + host);
        }
        int port = uri.getPort() > 0 ? uri.getPort() : 80;
        double rate = Double.parseDouble(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int connections = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        StringBuilder head = new StringBuilder("GET ").append(uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(':').append(port).append("\r\n");
        for (int i = 4; i < args.length; i++) {
            head.append(args[i]).append("\r\n");
        }
        byte[] request = head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);

        Run warm = new Run(host, port, request, rate, WARMUP_SECONDS, connections);
        warm.execute();
        Run run = new Run(host, port, request, rate, seconds, connections);
        run.execute();
        long[] lat = Arrays.copyOf(run.latencies, (int) Math.min(run.recorded.get(), run.latencies.length));
        Arrays.sort(lat);
        System.out.printf("rate=%.0f sent=%d errors=%d p50=%.2f p90=%.2f p99=%.2f p99.9=%.2f max=%.2f%n",
                rate, lat.length, run.errors.get(), ms(lat, 50), ms(lat, 90), ms(lat, 99), ms(lat, 99.9),
                lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6);
    }

    static double ms(long[] sorted, double percentile) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(percentile / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    /** One timed phase: a shared schedule, one thread per connection taking the next slot. */
    static final class Run {
        final String host;
        final int port;
        final byte[] request;
        final long periodNanos;
        final long total;
        final int connections;
        final long[] latencies;
        final AtomicLong next = new AtomicLong();
        final AtomicLong recorded = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        long start;

        Run(String host, int port, byte[] request, double rate, int seconds, int connections) {
            this.host = host;
            this.port = port;
            this.request = request;
            this.periodNanos = (long) (1e9 / rate);
            this.total = (long) (rate * seconds);
            this.connections = connections;
            this.latencies = new long[(int) total];
        }

        void execute() throws InterruptedException {
            start = System.nanoTime() + 50_000_000L;
            Thread[] threads = new Thread[connections];
            for (int i = 0; i < connections; i++) {
                threads[i] = new Thread(this::work, "fixed-rate-" + i);
                threads[i].start();
            }
            for (Thread t : threads) {
                t.join();
            }
        }

        void work() {
            Connection c = null;
            long i;
            while ((i = next.getAndIncrement()) < total) {
                long intended = start + i * periodNanos;
                long wait;
                while ((wait = intended - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                try {
                    if (c == null) {
                        c = new Connection(host, port);
                    }
                    int status = c.exchange(request);
                    if (status < 200 || status > 299) {
                        errors.incrementAndGet();
                    }
                    if (!c.open) {
                        c.close();
                        c = null;
                    }
                } catch (IOException e) {
                    errors.incrementAndGet();
                    if (c != null) {
                        c.close();
                    }
                    c = null;
                }
                latencies[(int) recorded.getAndIncrement()] = System.nanoTime() - intended;
            }
            if (c != null) {
                c.close();
            }
        }
    }

    /** A keep-alive HTTP/1.1 connection that reads answers framed by Content-Length or chunked. */
    static final class Connection {
        final Socket socket;
        final OutputStream out;
        final InputStream in;
        boolean open = true;

        Connection(String host, int port) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 5_000);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        }

        int exchange(byte[] request) throws IOException {
            out.write(request);
            out.flush();
            String status = line();
            int code = Integer.parseInt(status.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            for (String h; !(h = line()).isEmpty(); ) {
                int colon = h.indexOf(':');
                String name = h.substring(0, colon).trim();
                String value = h.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("content-length")) {
                    length = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("transfer-encoding") && value.toLowerCase().contains("chunked")) {
                    chunked = true;
                } else if (name.equalsIgnoreCase("connection") && value.equalsIgnoreCase("close")) {
                    open = false;
                }
            }
            if (chunked) {
                for (long size; (size = Long.parseLong(line().split(";")[0].trim(), 16)) > 0; ) {
                    skip(size);
                    line();
                }
                while (!line().isEmpty()) {
                    // trailers
                }
            } else if (length >= 0) {
                skip(length);
            } else {
                open = false;
                while (in.read() >= 0) {
                    // body framed by the end of the connection
                }
            }
            return code;
        }

        String line() throws IOException {
            StringBuilder b = new StringBuilder();
            for (int ch; (ch = in.read()) != '\n'; ) {
                if (ch < 0) {
                    throw new IOException("connection closed");
                }
                if (ch != '\r') {
                    b.append((char) ch);
                }
            }
            return b.toString();
        }

        void skip(long n) throws IOException {
            while (n > 0) {
                long s = in.skip(n);
                if (s <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("connection closed");
                    }
                    s = 1;
                }
                n -= s;
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
