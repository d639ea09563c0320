package id.gerbang.gateway.proxy;

import id.gerbang.gateway.trail.CallRecord;
import id.gerbang.gateway.trail.Sha256;
import java.io.IOException;
import java.io.InputStream;

/**
 * The caller's body as relayed to the upstream: fails with {@link PayloadTooLargeException} as soon as
 * more than {@code limit} bytes arrive (a chunked body has no length to check up front), and turns a
 * failure to read from the caller into {@link CallerBodyException}. Counts and digests the bytes for the trail.
 */
public final class BoundedBody extends InputStream implements CallRecord.Body {

    private final InputStream in;
    private final long limit;
    private final java.security.MessageDigest sha256 = Sha256.newDigest();
    private long count;
    private IOException failure;

    public BoundedBody(InputStream in, long limit) {
        this.in = in;
        this.limit = limit;
    }

    public long count() {
        return count;
    }

    /** SHA-256 of the bytes read so far, as lower-case hex. */
    public String sha256() {
        return Sha256.hex(sha256);
    }

    /**
     * Why relaying the body failed ({@link PayloadTooLargeException} or {@link CallerBodyException}), or
     * {@code null}: the HTTP client may report an aborted upload as its own failure, so the cause is
     * kept here too.
     */
    public IOException failure() {
        return failure;
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
        } catch (IOException | RuntimeException e) {
            // the web server fails a read with an unchecked exception too: a body arriving slower than its
            // minimum data rate, or framing its parser refused half way
            failure = new CallerBodyException("cannot read the request body: " + e.getMessage(), e);
            throw failure;
        }
        if (n > 0) {
            sha256.update(buf, off, n);
            count += n;
            if (count > limit) {
                failure = new PayloadTooLargeException(limit);
                throw failure;
            }
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
