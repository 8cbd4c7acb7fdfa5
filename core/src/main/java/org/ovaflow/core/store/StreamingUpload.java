package org.ovaflow.core.store;

import java.io.IOException;
import java.io.OutputStream;

/**
 * An object of unknown length written as a stream: a multipart upload whose parts go up as they fill. Parts are
 * {@link ObjectStore#PART_SIZE} for the first thousand and double every thousand after (capped at 64 times), since
 * S3 allows 10,000 parts an upload: 16 GiB of object in 16 MiB parts, 4.8 TiB in all. One part is held in
 * memory. {@link #close()} without {@link #complete()} aborts the upload: no object, half or whole, appears.
 */
public final class StreamingUpload extends OutputStream {

    static final int PARTS_PER_SIZE = 1000;
    static final int MAX_DOUBLINGS = 6;

    private final ObjectStore.Upload upload;
    private byte[] part = new byte[(int) ObjectStore.PART_SIZE];
    private int filled;
    private int partNumber = 1;
    private long written;
    private ObjectInfo result;

    public StreamingUpload(ObjectStore store, String bucket, String key, String contentType) {
        this.upload = store.startUpload(bucket, key, contentType);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] data, int offset, int length) throws IOException {
        if (result != null || part == null) {
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

    private void sendPart() {
        upload.part(partNumber++, part, filled);
        filled = 0;
        int size = partSize(partNumber);
        if (size != part.length) {
            part = new byte[size];
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
    public ObjectInfo complete() {
        if (result == null) {
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
        part = null;
        upload.close();
    }
}
