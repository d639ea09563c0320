package id.gerbang.gateway.proxy;

import java.io.IOException;
import java.io.InputStream;

/**
 * The caller's body as relayed to the upstream: fails with {@link PayloadTooLargeException} as soon as
 * more than {@code limit} bytes arrive (a chunked body has no length to check up front), and turns a
 * failure to read from the caller into {@link CallerBodyException}. Counts the bytes for the trail.
 */
public final class BoundedBody extends InputStream {

    private final InputStream in;
    private final long limit;
    private long count;

    public BoundedBody(InputStream in, long limit) {
        this.in = in;
        this.limit = limit;
    }

    public long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n;
        try {
            n = in.read(buf, off, len);
        } catch (IOException e) {
            throw new CallerBodyException("cannot read the request body: " + e.getMessage(), e);
        }
        if (n > 0) {
            count += n;
            if (count > limit) {
                throw new PayloadTooLargeException(limit);
            }
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
