package org.ovaflow.disk;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs CPU-bound steps (inflating or deflating grains and clusters) on all cores while their results are
 * taken in the order they were submitted, at most {@code maxInFlight} at a time, so memory stays bounded
 * by that many buffers whatever the image's size.
 */
public final class OrderedTasks<T> implements AutoCloseable {

    /** Shared by every conversion of the process: one thread a core, daemon so it never holds the JVM. */
    private static final ExecutorService CODEC_THREADS = Executors.newFixedThreadPool(
            Runtime.getRuntime().availableProcessors(), runnable -> {
                Thread thread = new Thread(runnable, "ovaflow-codec");
                thread.setDaemon(true);
                return thread;
            });

    private final ArrayDeque<Future<T>> inFlight = new ArrayDeque<>();
    private final int maxInFlight;

    public OrderedTasks(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    /** A sensible bound: enough to keep every core busy while one result is being consumed. */
    public static int defaultInFlight() {
        return 2 * Runtime.getRuntime().availableProcessors() + 2;
    }

    public boolean isFull() {
        return inFlight.size() >= maxInFlight;
    }

    public boolean isEmpty() {
        return inFlight.isEmpty();
    }

    public void submit(Callable<T> task) {
        if (isFull()) {
            throw new IllegalStateException("take a result before submitting more than " + maxInFlight);
        }
        inFlight.add(CODEC_THREADS.submit(task));
    }

    /** The oldest result, waiting for it; its task's IOException is rethrown as it was. */
    public T take() throws IOException {
        Future<T> next = inFlight.remove();
        try {
            return next.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a codec task");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            } else if (cause instanceof RuntimeException runtime) {
                throw runtime;
            } else if (cause instanceof Error error) {
                throw error;
            }
            throw new IOException(cause);
        }
    }

    /** Cancels what is still running (a failed or abandoned conversion). */
    @Override
    public void close() {
        inFlight.forEach(f -> f.cancel(true));
        inFlight.clear();
    }
}
