package id.gerbang.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, byte for byte as written: for hostile paths no client would send, for
 * malformed framing, and for headers that {@code java.net.http} refuses to set. Reads the answer until the
 * server closes the connection or a read times out, so a test can tell whether the server closed it.
 */
public final class RawHttp {

    private static final int READ_TIMEOUT_MS = 5000;

    private RawHttp() {}

    /** What came back. Header names are lower case. */
    public record Response(int status, Map<String, List<String>> headers, byte[] body, boolean closedByServer,
            String raw) {

        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        public List<String> headers(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Sends {@code request} (ISO-8859-1 text, line ends as written) and reads the answer. */
    public static Response send(int port, String request) throws IOException {
        return send(port, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    public static Response send(int port, byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(READ_TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (SocketException e) {
                // the server may answer and close before it has read everything; the answer is what counts
            }
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            boolean closed = false;
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    received.write(buf, 0, n);
                }
                closed = true;
            } catch (SocketTimeoutException e) {
                closed = false;
            } catch (SocketException e) {
                closed = true; // reset by the server: closed, too
            }
            return parse(received.toByteArray(), closed);
        }
    }

    private static Response parse(byte[] bytes, boolean closed) {
        String raw = new String(bytes, StandardCharsets.ISO_8859_1);
        int headEnd = raw.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            return new Response(-1, Map.of(), new byte[0], closed, raw);
        }
        String[] lines = raw.substring(0, headEnd).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        int status = statusLine.length > 1 && statusLine[0].startsWith("HTTP/") ? Integer.parseInt(statusLine[1]) : -1;
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(lines[i].substring(colon + 1).trim());
            }
        }
        byte[] rest = java.util.Arrays.copyOfRange(bytes, headEnd + 4, bytes.length);
        List<String> te = headers.getOrDefault("transfer-encoding", List.of());
        byte[] body = te.stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked")) ? dechunk(rest) : rest;
        List<String> cl = headers.getOrDefault("content-length", List.of());
        if (!cl.isEmpty() && body.length > Integer.parseInt(cl.get(0))) {
            body = java.util.Arrays.copyOf(body, Integer.parseInt(cl.get(0)));
        }
        return new Response(status, headers, body, closed, raw);
    }

    private static byte[] dechunk(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int p = 0;
        while (p < in.length) {
            int lineEnd = indexOfCrlf(in, p);
            if (lineEnd < 0) {
                break;
            }
            String sizeLine = new String(in, p, lineEnd - p, StandardCharsets.ISO_8859_1);
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            p = lineEnd + 2;
            if (size == 0) {
                break;
            }
            out.write(in, p, Math.min(size, in.length - p));
            p += size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
