package org.ovaflow.core.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Map;

/**
 * An object of unknown length written as a stream: a multipart upload whose parts go up as they fill, up to
 * {@link ObjectStore.UploadSettings#parallelParts()} of them at once on the HTTP client's threads while the next
 * one fills, so the writer does not wait for the network part after part, and a store that spends CPU on every
 * byte (s3proxy's MD5 of each part) works on several parts at once. Parts are
 * {@link ObjectStore.UploadSettings#partSize()} for the first thousand and double every thousand after (capped at
 * 64 times), since S3 allows 10,000 parts an upload: 160 GiB of object in 16 MiB parts, 4.8 TiB in all. Up to
 * {@code parallelParts + 1} parts are held in memory: the ones going up, the one filling. {@link #close()} without
 * {@link #complete()} aborts the upload: no object, half or whole, appears.
 */
public final class StreamingUpload extends OutputStream {

    static final int PARTS_PER_SIZE = 1000;
    static final int MAX_DOUBLINGS = 6;

    private final ObjectStore.Upload upload;
    private final long basePartSize;
    private final int parallelParts;
    private byte[] part;
    /** The parts going up, oldest first, with the buffer each holds until it is up. */
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    /** Buffers of parts that are up, to fill again. */
    private final ArrayDeque<byte[]> spare = new ArrayDeque<>();
    private int filled;
    private int partNumber = 1;
    private long written;
    private ObjectInfo result;
    private boolean closed;

    private record InFlight(ObjectStore.SentPart part, byte[] buffer) {
    }

    public StreamingUpload(ObjectStore store, String bucket, String key, String contentType) {
        this(store, bucket, key, contentType, Map.of());
    }

    /** An upload of an object with user metadata ({@code x-amz-meta-*}). */
    public StreamingUpload(ObjectStore store, String bucket, String key, String contentType,
                           Map<String, String> userMetadata) {
        this.basePartSize = store.uploadSettings().partSize();
        this.parallelParts = store.uploadSettings().parallelParts();
        this.upload = store.startUpload(bucket, key, contentType, userMetadata);
        this.part = new byte[partSize(1)];
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] data, int offset, int length) throws IOException {
        checkOpen();
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

    /**
     * Reads {@code in} straight into the parts (no copy in between) until its end, or until {@code limit} bytes
     * when it is not -1; returns the bytes read. {@code in} is not closed.
     */
    public long readFrom(InputStream in, long limit) throws IOException {
        checkOpen();
        long read = 0;
        while (limit < 0 || read < limit) {
            int want = (int) Math.min(part.length - filled, limit < 0 ? Long.MAX_VALUE : limit - read);
            int n = in.readNBytes(part, filled, want);
            filled += n;
            read += n;
            written += n;
            if (filled == part.length) {
                sendPart();
            }
            if (n < want) {
                break;
            }
        }
        return read;
    }

    private void checkOpen() throws IOException {
        if (result != null || closed) {
            throw new IOException("the upload is complete or closed");
        }
    }

    /** Sends the full part, once fewer than parallelParts are going up (waiting for the oldest to be up). */
    private void sendPart() {
        if (inFlight.size() >= parallelParts) {
            awaitOldest();
        }
        int number = partNumber++;
        inFlight.add(new InFlight(upload.send(number, part, filled), part));
        int size = partSize(partNumber);
        byte[] next = spare.poll();
        while (next != null && next.length != size) {
            next = spare.poll(); // the parts grew: the smaller buffers are dropped
        }
        part = next != null ? next : new byte[size];
        filled = 0;
    }

    /** Waits for the oldest part going up; its failure (the store's) is thrown here, to the writer. */
    private void awaitOldest() {
        InFlight oldest = inFlight.poll();
        oldest.part().await();
        spare.add(oldest.buffer());
    }

    /** The size of part {@code number}. */
    int partSize(int number) {
        return partSize(basePartSize, number);
    }

    static int partSize(long basePartSize, int number) {
        int doublings = Math.min(MAX_DOUBLINGS, (number - 1) / PARTS_PER_SIZE);
        return (int) Math.min(Integer.MAX_VALUE - 8, basePartSize << doublings);
    }

    /** Bytes written so far. */
    public long written() {
        return written;
    }

    /** Sends what is left as the last part and makes the object. */
    public ObjectInfo complete() throws IOException {
        if (closed) {
            throw new IOException("the upload is closed");
        }
        if (result == null) {
            if (filled > 0 || partNumber == 1) {
                int number = partNumber++;
                inFlight.add(new InFlight(upload.send(number, part, filled), part));
                filled = 0;
            }
            while (!inFlight.isEmpty()) {
                awaitOldest();
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
            // the parts going up still read their buffers; the abort comes after them, so that none outlives it
            while (!inFlight.isEmpty()) {
                try {
                    awaitOldest();
                } catch (RuntimeException e) {
                    // the upload is aborted below either way
                }
            }
        } finally {
            part = null;
            spare.clear();
            upload.close();
        }
    }
}
