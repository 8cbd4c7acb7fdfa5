package org.ovaflow.core.store;

import io.minio.Http;
import io.minio.MinioAsyncClient;
import io.minio.PutObjectAPIArgs;
import okhttp3.MediaType;
import okhttp3.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One PUT of an object whose length is known before its bytes are: the caller writes the bytes as it makes them and
 * they go to the store as the body of a single request, sent by the HTTP client's thread while the next ones are
 * made. What a disk image whose layout is planned before it is written needs: to a store on loopback, one PUT costs
 * the store one write of every byte where a multipart upload costs two (s3proxy joins the parts into a new file).
 *
 * <p>The body goes unsigned ({@code UNSIGNED-PAYLOAD}) and without a checksum header, which would have to precede
 * the bytes: so {@link ObjectStore#putsInOneRequest} offers it only to a store on this machine's loopback. At most
 * {@value #CHUNKS} chunks of {@value #CHUNK_SIZE} bytes are held. {@link #close()} before {@link #complete()}
 * abandons the request mid-body: the store never makes an object of a body that ended short of its length.
 */
public final class StreamedPut extends OutputStream {

    static final int CHUNK_SIZE = 1 << 20;
    static final int CHUNKS = 4;
    private static final Chunk ABANDONED = new Chunk(new byte[0], 0);

    private final String what;
    private final String bucket;
    private final String key;
    private final long size;
    private final BlockingQueue<Chunk> sending = new ArrayBlockingQueue<>(CHUNKS);
    private final BlockingQueue<byte[]> sent = new ArrayBlockingQueue<>(CHUNKS + 1);
    private final AtomicBoolean bodyTaken = new AtomicBoolean();
    private final CompletableFuture<String> etag;
    private int allocated;
    private byte[] filling;
    private int filled;
    private long written;
    private boolean ended;

    private record Chunk(byte[] bytes, int length) {
    }

    StreamedPut(Client client, String bucket, String key, long size, String contentType) {
        this.what = "write s3://" + bucket + "/" + key;
        this.bucket = bucket;
        this.key = key;
        this.size = size;
        this.etag = client.put(bucket, key, contentType, new Body());
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int from, int length) throws IOException {
        if (ended) {
            throw new IOException(what + ": written after it ended");
        }
        if (written + length > size) {
            throw new IOException(what + ": " + (written + length) + " bytes written, " + size + " were announced");
        }
        int at = from;
        int left = length;
        while (left > 0) {
            if (filling == null) {
                filling = freeChunk();
                filled = 0;
            }
            int run = Math.min(left, filling.length - filled);
            System.arraycopy(bytes, at, filling, filled, run);
            filled += run;
            at += run;
            left -= run;
            written += run;
            if (filled == filling.length) {
                hand(new Chunk(filling, filled));
                filling = null;
            }
        }
    }

    /** Ends the body, which must be whole, and waits for the store's answer: the object stored. */
    public ObjectInfo complete() throws IOException {
        if (written != size) {
            throw new IOException(what + ": " + written + " of the " + size + " bytes announced were written");
        }
        if (filling != null && filled > 0) {
            hand(new Chunk(filling, filled));
            filling = null;
        }
        ended = true;
        return new ObjectInfo(bucket, key, answer(), size, null, null);
    }

    /** Abandons the request unless it completed, and waits for it to end: no object is made of it. */
    @Override
    public void close() {
        if (ended) {
            return;
        }
        ended = true;
        sending.clear();
        sending.offer(ABANDONED);
        try {
            answer();
        } catch (IOException | ObjectStoreException expected) {
            // the request was meant to fail
        }
    }

    private String answer() throws IOException {
        try {
            return etag.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(what + ": interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof ObjectStoreException failure ? failure
                    : new ObjectStoreException(what + " failed: " + cause, cause);
        }
    }

    /** A chunk to fill: a new one while fewer than the most are held, else one the body has sent. */
    private byte[] freeChunk() throws IOException {
        byte[] spare = sent.poll();
        if (spare != null) {
            return spare;
        }
        if (allocated < CHUNKS + 1) {
            allocated++;
            return new byte[CHUNK_SIZE];
        }
        while (true) {
            failIfEnded();
            try {
                spare = sent.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(what + ": interrupted");
            }
            if (spare != null) {
                return spare;
            }
        }
    }

    private void hand(Chunk chunk) throws IOException {
        while (true) {
            failIfEnded();
            try {
                if (sending.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(what + ": interrupted");
            }
        }
    }

    /** The request ended before its body was whole: the store refused it, or the connection broke. */
    private void failIfEnded() throws IOException {
        if (etag.isDone()) {
            answer();
            throw new IOException(what + ": the store answered before the body was whole");
        }
    }

    /**
     * The request's body: the chunks as the writer hands them, to the announced length, read once. A MinIO
     * {@code ByteBuffer}, as the client signs only bodies of its own kinds: this one says its length before its
     * bytes exist and reads them from the writer.
     */
    private final class Body extends io.minio.ByteBuffer {

        Body() {
            super(0);
        }

        @Override
        public long length() {
            return size;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public InputStream inputStream() {
            if (!bodyTaken.compareAndSet(false, true)) {
                throw new IllegalStateException(what + ": the body was sent once already and cannot be sent again");
            }
            return new InputStream() {
                private Chunk chunk;
                private int at;
                private long left = size;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] into, int from, int length) throws IOException {
                    if (left == 0) {
                        return -1;
                    }
                    if (chunk == null) {
                        chunk = take();
                        at = 0;
                    }
                    int run = Math.min(length, chunk.length() - at);
                    System.arraycopy(chunk.bytes(), at, into, from, run);
                    at += run;
                    left -= run;
                    if (at == chunk.length()) {
                        sent.offer(chunk.bytes());
                        chunk = null;
                    }
                    return run;
                }

                private Chunk take() throws IOException {
                    try {
                        Chunk next = sending.take();
                        if (next == ABANDONED) {
                            throw new IOException(what + ": abandoned by its writer after " + (size - left) + " bytes");
                        }
                        return next;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException(what + ": interrupted");
                    }
                }
            };
        }
    }

    /** MinIO's client, for a PUT whose body is ours (signing, sending and errors stay the client's). */
    static final class Client extends MinioAsyncClient {

        Client(MinioAsyncClient client) {
            super(client);
        }

        /** Completes with the object's etag, unquoted. */
        CompletableFuture<String> put(String bucket, String key, String contentType, io.minio.ByteBuffer body) {
            try {
                PutObjectAPIArgs args = PutObjectAPIArgs.builder().bucket(bucket).object(key).data(new byte[0], 0)
                        .build();
                Http.Headers headers = new Http.Headers("Content-Type", contentType);
                return executePutAsync(args, headers, null, new Http.Body(body, MediaType.parse(contentType),
                        ObjectStore.UNSIGNED_PAYLOAD, null)).thenApply(Client::etag);
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        private static String etag(Response response) {
            try (response) {
                String etag = response.header("ETag");
                return etag == null ? null : etag.replace("\"", "");
            }
        }
    }
}
