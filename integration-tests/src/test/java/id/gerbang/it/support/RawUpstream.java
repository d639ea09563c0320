package id.gerbang.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An upstream that answers every request with bytes a test chooses, exactly as given (WireMock cannot send
 * a malformed answer), and keeps each request head it received, byte for byte. One answer per connection.
 */
public final class RawUpstream implements AutoCloseable {

    private final ServerSocket server;
    private final List<byte[]> heads = Collections.synchronizedList(new ArrayList<>());
    private volatile byte[] answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
            .getBytes(StandardCharsets.ISO_8859_1);

    public RawUpstream() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "raw-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /**
     * What the next requests get, as raw bytes (ISO-8859-1 text). An HTTP answer without a Connection header
     * gets {@code Connection: close}: this upstream closes every connection after one answer, and says so,
     * so that the gateway never reuses a connection it closed.
     */
    public void answer(String raw) {
        int lineEnd = raw.indexOf("\r\n");
        if (raw.startsWith("HTTP/") && lineEnd > 0 && !raw.toLowerCase(java.util.Locale.ROOT).contains("\r\nconnection:")) {
            raw = raw.substring(0, lineEnd + 2) + "Connection: close\r\n" + raw.substring(lineEnd + 2);
        }
        answer = raw.getBytes(StandardCharsets.ISO_8859_1);
        heads.clear();
    }

    /** The request heads received since the last {@link #answer}; bytes outside printable ASCII as {@code \xNN}. */
    public List<String> heads() {
        synchronized (heads) {
            return heads.stream().map(RawUpstream::escape).toList();
        }
    }

    private static String escape(byte[] bytes) {
        StringBuilder b = new StringBuilder(bytes.length);
        for (byte x : bytes) {
            int c = x & 0xFF;
            if (c == '\r' || c == '\n' || (c >= 0x20 && c < 0x7f)) {
                b.append((char) c);
            } else {
                b.append(String.format("\\x%02X", c));
            }
        }
        return b.toString();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "raw-upstream-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int state = 0; // matched bytes of CRLFCRLF
            int b;
            while (state < 4 && (b = in.read()) >= 0) {
                head.write(b);
                state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1
                        : b == '\r' ? 1 : 0;
            }
            heads.add(head.toByteArray());
            s.getOutputStream().write(answer);
            s.getOutputStream().flush();
        } catch (IOException ignored) {
            // the gateway hung up
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
