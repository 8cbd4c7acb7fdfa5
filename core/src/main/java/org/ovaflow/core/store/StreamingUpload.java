package org.ovaflow.core.store;

import org.ovaflow.core.thread.DaemonThreads;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An object of unknown length written as a stream: a multipart upload whose parts go up as they fill, each on a
 * thread of its own while the next one fills, so the writer does not wait for the network part after part.
 * Parts are {@link ObjectStore#PART_SIZE} for the first thousand and double every thousand after (capped at 64
 * times), since S3 allows 10,000 parts an upload: 16 GiB of object in 16 MiB parts, 4.8 TiB in all. Two parts
 * are held in memory: the one filling, the one going up. {@link #close()} without {@link #complete()} aborts the
 * upload: no object, half or whole, appears.
 */
public final class StreamingUpload extends OutputStream {

    static final int PARTS_PER_SIZE = 1000;
    static final int MAX_DOUBLINGS = 6;

    private final ObjectStore.Upload upload;
    private final ExecutorService sender;
    private byte[] part = new byte[(int) ObjectStore.PART_SIZE];
    /** The buffer of the part in flight, filled again once that part is up. */
    private byte[] spare;
    private Future<?> inFlight;
    private int filled;
    private int partNumber = 1;
    private long written;
    private ObjectInfo result;
    private boolean closed;

    public StreamingUpload(ObjectStore store, String bucket, String key, String contentType) {
        this.upload = store.startUpload(bucket, key, contentType);
        this.sender = Executors.newSingleThreadExecutor(DaemonThreads.named("ovaflow-upload " + key));
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] data, int offset, int length) throws IOException {
        if (result != null || closed) {
            throw new IOException("the upload is complete or closed");
        }
        while (length > 0) {
            int n = Math.min(length, part.length - filled);
            System.arraycopy(data, offset, part, filled, n);
            filled += n;
            offset += n;
            length -= n;
            written += n;
            if (filled == part.length) {
                sendPart();
            }
        }
    }

    /** Hands the full part to the sender, once the part before it is up (its buffer is then free again). */
    private void sendPart() throws IOException {
        awaitInFlight();
        byte[] full = part;
        int length = filled;
        int number = partNumber++;
        inFlight = sender.submit(() -> upload.part(number, full, length));
        int size = partSize(partNumber);
        part = spare != null && spare.length == size ? spare : new byte[size];
        spare = full;
        filled = 0;
    }

    /** Waits for the part in flight; its failure (the store's) is thrown here, to the writer. */
    private void awaitInFlight() throws IOException {
        if (inFlight == null) {
            return;
        }
        try {
            inFlight.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while a part was uploaded");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IOException("uploading a part failed", e.getCause());
        } finally {
            inFlight = null;
        }
    }

    /** The size of part {@code number}. */
    static int partSize(int number) {
        int doublings = Math.min(MAX_DOUBLINGS, (number - 1) / PARTS_PER_SIZE);
        return (int) (ObjectStore.PART_SIZE << doublings);
    }

    /** Bytes written so far. */
    public long written() {
        return written;
    }

    /** Sends what is left as the last part and makes the object. */
    public ObjectInfo complete() throws IOException {
        if (result == null) {
            awaitInFlight();
            if (filled > 0 || partNumber == 1) {
                upload.part(partNumber++, part, filled);
                filled = 0;
            }
            result = upload.complete();
        }
        return result;
    }

    /** Aborts the upload unless it was completed. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            awaitInFlight();
        } catch (IOException | RuntimeException e) {
            // the upload is aborted below either way
        } finally {
            sender.shutdownNow();
            part = null;
            spare = null;
            upload.close();
        }
    }
}
