package org.ovaflow.validate.ovf;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts bytes as the XML parser pulls them and fails once more than the limit has been read, so the
 * bound holds whatever size a tar header or caller claimed.
 */
final class SizeLimitedInputStream extends FilterInputStream {

    /** Thrown from read() when the limit is crossed; recognised by the parser even if the XML parser wraps it. */
    static final class LimitExceededException extends IOException {
        LimitExceededException(long maxBytes) {
            super("more than " + maxBytes + " bytes");
        }
    }

    private final long maxBytes;
    private long bytesRead;
    private boolean limitExceeded;

    SizeLimitedInputStream(InputStream in, long maxBytes) {
        super(in);
        this.maxBytes = maxBytes;
    }

    boolean limitExceeded() {
        return limitExceeded;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        // Never ask for more than one byte past the limit: that byte is enough to prove the excess.
        long allowance = maxBytes - bytesRead + 1;
        int n = super.read(buffer, offset, (int) Math.min(length, allowance));
        if (n > 0) {
            count(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(Math.min(n, maxBytes - bytesRead + 1));
        count(skipped);
        return skipped;
    }

    /** The caller owns the underlying stream (often a tar entry); the XML parser closing it must not end the archive. */
    @Override
    public void close() {
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void count(long n) throws LimitExceededException {
        bytesRead += n;
        if (bytesRead > maxBytes) {
            limitExceeded = true;
            throw new LimitExceededException(maxBytes);
        }
    }
}
