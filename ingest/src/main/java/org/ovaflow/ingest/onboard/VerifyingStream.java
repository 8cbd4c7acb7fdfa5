package org.ovaflow.ingest.onboard;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The source's bytes on their way into the store: counted, SHA-256 digested and reported to the listener.
 * It fails the read itself (so the store abandons the upload before it completes) as soon as the source gives
 * more bytes than announced, and at the end when it gave fewer or a different digest.
 */
public final class VerifyingStream extends FilterInputStream {

    private static final long REPORT_EVERY = 256 * 1024;

    /** Why the stream failed a read; the store may wrap the IOException, the reason stays here. */
    static final class VerificationException extends IOException {
        VerificationException(String message) {
            super(message);
        }
    }

    private final long expected;
    private final String expectedSha256;
    private final Runnable onProgress;
    private final MessageDigest sha256;
    private long count;
    private long reported;
    private volatile String failure;
    private volatile IOException sourceFailure;
    private String digest;
    private boolean ended;

    public VerifyingStream(InputStream source, long expected, String expectedSha256, Runnable onProgress) {
        super(source);
        this.expected = expected;
        this.expectedSha256 = expectedSha256;
        this.onProgress = onProgress;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    public long count() {
        return count;
    }

    /** The verification failure, or null. */
    public String failure() {
        return failure;
    }

    /** A read of the source itself failed (connection lost, body cut short), or null. */
    public IOException sourceFailure() {
        return sourceFailure;
    }

    /** Whether the source was read to its end and every check passed there: the whole body, as announced. */
    public boolean verified() {
        return ended && failure == null;
    }

    /** The digest of everything read, once the source ended. */
    String sha256() {
        if (digest == null) {
            digest = HexFormat.of().formatHex(sha256.digest());
        }
        return digest;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (failure != null) {
            throw new VerificationException(failure);
        }
        if (ended) {
            return -1;
        }
        int n;
        try {
            n = in.read(buffer, offset, length);
        } catch (IOException e) {
            sourceFailure = e;
            throw e;
        }
        if (n < 0) {
            ended = true;
            onProgress.run();
            verifyEnd();
            return -1;
        }
        count += n;
        if (expected >= 0 && count > expected) {
            fail("longer than announced: more than " + expected + " bytes");
        }
        sha256.update(buffer, offset, n);
        if (count - reported >= REPORT_EVERY) {
            reported = count;
            onProgress.run();
        }
        return n;
    }

    private void verifyEnd() throws IOException {
        if (expected >= 0 && count < expected) {
            fail("shorter than announced: " + count + " of " + expected + " bytes");
        }
        if (expectedSha256 != null) {
            String actual = sha256();
            if (!actual.equals(expectedSha256)) {
                fail("sha256 mismatch: catalog says " + expectedSha256 + ", content is " + actual);
            }
        }
    }

    private void fail(String message) throws VerificationException {
        failure = message;
        throw new VerificationException(message);
    }

    @Override
    public long skip(long n) throws IOException {
        // every byte must pass through the digest
        byte[] buffer = new byte[(int) Math.min(n, 8192)];
        int read = read(buffer, 0, buffer.length);
        return Math.max(read, 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int limit) {
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }
}
