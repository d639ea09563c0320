package id.gerbang.gateway.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;

/**
 * The caller's body on its way upstream, copied as it arrives. When the caller's side fails (the body
 * grows past the route's limit, or cannot be read), the upstream connection is dropped at once rather
 * than closed normally: a normal close ends a chunked upload with its last chunk, and the upstream would
 * take a truncated body for a whole one.
 */
final class CallerBodyEntity extends AbstractHttpEntity {

    private final InputStream body;
    private final long length;
    private final int bufferSize;
    private final Runnable dropConnection;

    /** @param length the declared length, or -1 to send it chunked */
    CallerBodyEntity(InputStream body, long length, int bufferSize, Runnable dropConnection) {
        super((String) null, null, length < 0);
        this.body = body;
        this.length = length;
        this.bufferSize = bufferSize;
        this.dropConnection = dropConnection;
    }

    @Override
    public long getContentLength() {
        return length;
    }

    @Override
    public InputStream getContent() {
        return body;
    }

    @Override
    public boolean isRepeatable() {
        return false;
    }

    @Override
    public boolean isStreaming() {
        return true;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        byte[] buffer = new byte[bufferSize];
        long remaining = length;
        try {
            while (length < 0 || remaining > 0) {
                int n = body.read(buffer, 0, length < 0 ? buffer.length : (int) Math.min(buffer.length, remaining));
                if (n < 0) {
                    break;
                }
                out.write(buffer, 0, n);
                remaining -= n;
            }
        } catch (PayloadTooLargeException | CallerBodyException e) {
            dropConnection.run();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        body.close();
    }
}
