package org.ovaflow.validate.checksum;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stream that digests everything read through it on a thread of its own, so hashing the whole OVA costs no
 * time on the thread that walks the tar and hashes each entry: with two digests over every byte, a two-core
 * machine does them side by side instead of one after the other.
 *
 * <p>Bytes are read ahead into a few {@value #BUFFER_SIZE}-byte buffers that the digest thread and the reader
 * share, each handed back to the pool when both are done with it: memory stays bounded to
 * {@value #BUFFERS} buffers whatever the size of the stream. Not thread-safe: one reader.
 */
final class ConcurrentDigestInputStream extends InputStream {

    static final int BUFFER_SIZE = 1 << 20;
    static final int BUFFERS = 4;

    private final InputStream in;
    private final MessageDigest digest;
    private final ExecutorService hasher = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "ovaflow-digest");
        thread.setDaemon(true);
        return thread;
    });
    private final BlockingQueue<Chunk> free = new ArrayBlockingQueue<>(BUFFERS);
    private Chunk current;
    private int position;
    private Future<?> lastDigested;
    private boolean eof;

    /** A buffer and how many of the reader and the digest thread still use it. */
    private final class Chunk {
        final byte[] bytes = new byte[BUFFER_SIZE];
        final AtomicInteger users = new AtomicInteger();
        int length;

        void release() {
            if (users.decrementAndGet() == 0) {
                free.add(this);
            }
        }
    }

    ConcurrentDigestInputStream(InputStream in, MessageDigest digest) {
        this.in = in;
        this.digest = digest;
        for (int i = 0; i < BUFFERS; i++) {
            free.add(new Chunk());
        }
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
        if ((current == null || position == current.length) && !fill()) {
            return -1;
        }
        int n = Math.min(len, current.length - position);
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
        Chunk chunk;
        try {
            chunk = free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading ahead");
        }
        int length = in.readNBytes(chunk.bytes, 0, BUFFER_SIZE);
        if (length <= 0) {
            eof = true;
            free.add(chunk);
            return false;
        }
        eof = length < BUFFER_SIZE;
        chunk.length = length;
        chunk.users.set(2);
        lastDigested = hasher.submit(() -> {
            digest.update(chunk.bytes, 0, chunk.length);
            chunk.release();
        });
        current = chunk;
        position = 0;
        return true;
    }

    /** The digest of every byte read so far; waits for the digest thread to catch up. */
    byte[] digest() throws IOException {
        try {
            if (lastDigested != null) {
                lastDigested.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the digest");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("digest thread failed", e.getCause());
        }
        return digest.digest();
    }

    @Override
    public void close() throws IOException {
        hasher.shutdownNow();
        try {
            hasher.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        in.close();
    }
}
