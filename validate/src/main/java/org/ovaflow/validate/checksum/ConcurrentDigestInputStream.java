package org.ovaflow.validate.checksum;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.List;

/**
 * A stream that digests everything read through it on a thread of its own ({@link DigestThread}), so hashing the
 * whole OVA costs no time on the thread that walks the tar: with two digests over every byte, a two-core machine
 * does them side by side instead of one after the other. Bytes are read ahead into the thread's buffers, which
 * the reader and the digest share. Not thread-safe: one reader.
 */
final class ConcurrentDigestInputStream extends InputStream {

    static final int BUFFER_SIZE = DigestThread.BUFFER_SIZE;
    static final int BUFFERS = 4;

    private final InputStream in;
    private final MessageDigest digest;
    private final DigestThread hasher = new DigestThread("ovaflow-digest", BUFFERS);
    private DigestThread.Buffer current;
    private int length;
    private int position;
    private boolean eof;

    ConcurrentDigestInputStream(InputStream in, MessageDigest digest) {
        this.in = in;
        this.digest = digest;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if ((current == null || position == length) && !fill()) {
            return -1;
        }
        int n = Math.min(len, length - position);
        System.arraycopy(current.bytes, position, b, off, n);
        position += n;
        return n;
    }

    private boolean fill() throws IOException {
        if (current != null) {
            current.release();
            current = null;
        }
        if (eof) {
            return false;
        }
        DigestThread.Buffer buffer = hasher.take();
        int n = in.readNBytes(buffer.bytes, 0, BUFFER_SIZE);
        eof = n < BUFFER_SIZE;
        if (n <= 0) {
            buffer.release();
            return false;
        }
        hasher.digest(buffer, n, List.of(digest));
        current = buffer;
        length = n;
        position = 0;
        return true;
    }

    /** The digest of every byte read so far; waits for the digest thread to catch up. */
    byte[] digest() throws IOException {
        hasher.finish();
        return digest.digest();
    }

    @Override
    public void close() throws IOException {
        hasher.close();
        in.close();
    }
}
