package org.ovaflow.validate.checksum;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A thread that updates digests with the buffers handed to it, in the order they were handed, and the bounded
 * pool those buffers come from: the reading thread reads on while the bytes it read are hashed, and memory stays
 * at {@code buffers} × {@value #BUFFER_SIZE} bytes whatever the size of what is read. One reading thread.
 */
final class DigestThread implements AutoCloseable {

    static final int BUFFER_SIZE = 1 << 20;

    /** A buffer of the pool; back in the pool once everyone holding it let it go. */
    final class Buffer {
        final byte[] bytes = new byte[BUFFER_SIZE];
        private final AtomicInteger holders = new AtomicInteger();

        void release() {
            if (holders.decrementAndGet() == 0) {
                free.add(this);
            }
        }

        /** Holds the buffer once more, for another reader (an {@link EntryTap}): the release it must run. */
        Runnable lend() {
            holders.incrementAndGet();
            return this::release;
        }
    }

    private final int buffers;
    private final BlockingQueue<Buffer> free;
    private final ExecutorService thread;
    private int allocated;
    private Future<?> last;

    DigestThread(String name, int buffers) {
        this.buffers = buffers;
        this.free = new ArrayBlockingQueue<>(buffers);
        this.thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** A free buffer, held by the caller until it releases it; waits while all are in use. */
    Buffer take() throws InterruptedIOException {
        Buffer buffer = free.poll();
        if (buffer == null && allocated < buffers) {
            allocated++; // allocated as needed: a small OVA never needs them all
            buffer = new Buffer();
        }
        try {
            buffer = buffer != null ? buffer : free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a buffer");
        }
        buffer.holders.set(1);
        return buffer;
    }

    /** Updates {@code digests} with the first {@code length} bytes of {@code buffer}, holding it until done. */
    void digest(Buffer buffer, int length, Collection<MessageDigest> digests) {
        buffer.holders.incrementAndGet();
        last = thread.submit(() -> {
            for (MessageDigest digest : digests) {
                digest.update(buffer.bytes, 0, length);
            }
            buffer.release();
        });
    }

    /** Runs {@code task} on the thread after every digest handed so far: to finish a digest in order. */
    void then(Runnable task) {
        last = thread.submit(task);
    }

    /** Waits until everything handed so far is done. */
    void finish() throws IOException {
        if (last == null) {
            return;
        }
        try {
            last.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the digests");
        } catch (ExecutionException e) {
            throw new IllegalStateException("the digest thread failed", e.getCause());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
