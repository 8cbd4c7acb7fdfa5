package org.ovaflow.transform.transcode;

import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.store.StreamedPut;
import org.ovaflow.disk.ImageSink;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;

/**
 * A disk image written straight into the store as a multipart upload of {@link #PART_SIZE} parts, up to the
 * store's {@code parallel-parts} of them going up at once while the conversion goes on (waiting for each part
 * left the converting threads idle for as long as the store took to take it): it buffers the parts in flight and
 * the one filling, plus, for formats that fill in their head at the end (qcow2, dynamic VHD, VMDK), the first
 * part, held back and uploaded last. The sha256 of an image written front to back is computed on the way up; a
 * held head is only final at the end, and a SHA-256 cannot take it after the bytes that follow it, so such an
 * image is hashed once, by reading the finished object back (and not also on the way up). Unless the writer
 * {@link #announceLength announces} its length first (a qcow2 planned from its source's tables): then nothing is
 * held, the image is hashed on the way up, and to a store on loopback it goes in one streamed PUT instead of parts.
 *
 * <p>An image that fits in one part never starts a multipart upload: it goes up in one PUT, hashed in memory
 * after its last patch. One request instead of four (start, part, complete, read back) for the small disks
 * that are most of a busy pipeline's imports.
 */
final class UploadImageSink implements ImageSink {

    /** 8 MiB: above S3's 5 MiB minimum, small enough that several conversions fit in a modest heap. */
    static final int PART_SIZE = 8 * 1024 * 1024;

    private static final byte[] ZEROS = new byte[64 * 1024];

    private final ObjectStore store;
    private final String bucket;
    private final String key;
    private final String contentType;
    /** Started with the first part that is not the last: null while the image fits in one part. */
    private ObjectStore.Upload upload;
    /** The one PUT of an image whose length was announced, when the store takes it so; null otherwise. */
    private StreamedPut streamed;
    /** The length announced, -1 when none was. */
    private long announced = -1;
    private boolean holdsHead;
    /** Parts sent and not yet known to be stored, oldest first, with the buffer each is sent from. */
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    private final int parallelParts;
    /** The digests on the way up: null when the head is held (the object is then hashed as stored). */
    private MessageDigest sha256;
    /** Kept only for outputs whose manifest is SHA1 (older vSphere); null otherwise. */
    private MessageDigest sha1;
    private final boolean withSha1;
    private byte[] head;
    private byte[] part = new byte[PART_SIZE];
    private int partLength;
    private int partNumber = 1;
    private long position;
    private boolean finished;
    private ObjectInfo result;
    private String digest;
    private String sha1Digest;

    /**
     * @param holdsHead whether the writer will {@link #patch} its first bytes (the first part is then held)
     * @param withSha1  whether a SHA-1 is computed too
     */
    UploadImageSink(ObjectStore store, String bucket, String key, String contentType, boolean holdsHead,
                    boolean withSha1) {
        this.store = store;
        this.bucket = bucket;
        this.key = key;
        this.contentType = contentType;
        this.holdsHead = holdsHead;
        this.withSha1 = withSha1;
        this.parallelParts = store.uploadSettings().parallelParts();
        this.sha256 = holdsHead ? null : digest("SHA-256");
        this.sha1 = withSha1 && !holdsHead ? digest("SHA-1") : null;
    }

    /**
     * The writer planned its image (a qcow2 from a VMDK's grain tables): nothing will be patched, so the bytes are
     * hashed on the way up, and no read-back follows; to a store that takes it, the image goes in one streamed PUT,
     * which spares the store the joining of parts (s3proxy writes every byte of a multipart object twice).
     */
    @Override
    public void announceLength(long length) {
        if (position != 0) {
            throw new IllegalStateException("the length is announced before the first byte, not after " + position);
        }
        announced = length;
        holdsHead = false;
        sha256 = digest("SHA-256");
        sha1 = withSha1 ? digest("SHA-1") : null;
        if (store.putsInOneRequest(length)) {
            streamed = store.startPut(bucket, key, length, contentType);
            part = null;
        }
    }

    @Override
    public void write(byte[] bytes, int from, int length) throws IOException {
        if (sha256 != null) {
            sha256.update(bytes, from, length);
        }
        if (sha1 != null) {
            sha1.update(bytes, from, length);
        }
        if (streamed != null) {
            streamed.write(bytes, from, length);
            position += length;
            return;
        }
        int at = from;
        int left = length;
        while (left > 0) {
            int run = Math.min(left, PART_SIZE - partLength);
            System.arraycopy(bytes, at, part, partLength, run);
            partLength += run;
            at += run;
            left -= run;
            position += run;
            if (partLength == PART_SIZE) {
                sendPart();
            }
        }
    }

    @Override
    public void writeZeros(long count) throws IOException {
        long left = count;
        while (left > 0) {
            int run = (int) Math.min(left, ZEROS.length);
            write(ZEROS, 0, run);
            left -= run;
        }
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public long patchableHead() {
        if (!holdsHead) {
            return 0;
        }
        return head != null ? head.length : PART_SIZE;
    }

    @Override
    public void patch(long offset, byte[] bytes, int from, int length) {
        if (offset + length > Math.min(position, patchableHead())) {
            throw new IllegalStateException("patch of [" + offset + ", " + (offset + length)
                    + ") outside the held-back head of " + Math.min(position, patchableHead()) + " bytes");
        }
        byte[] target = head != null ? head : part;
        System.arraycopy(bytes, from, target, (int) offset, length);
    }

    private void sendPart() {
        if (partNumber == 1 && holdsHead) {
            head = part;
            part = new byte[PART_SIZE];
        } else {
            inFlight.add(new InFlight(multipart().send(partNumber, part, partLength), part));
            part = freeBuffer();
        }
        partNumber++;
        partLength = 0;
    }

    /** A buffer for the next part: the oldest part's once it is stored, when as many are going up as may. */
    private byte[] freeBuffer() {
        if (inFlight.size() < parallelParts) {
            return new byte[PART_SIZE];
        }
        InFlight oldest = inFlight.poll();
        oldest.sent().await();
        return oldest.buffer();
    }

    /**
     * Waits for every part sent, failed or not, then throws the first failure unless {@code quietly} (the upload is
     * being aborted): a part still going up when the upload is aborted could outlive it in the store.
     */
    private void awaitParts(boolean quietly) {
        RuntimeException failure = null;
        while (!inFlight.isEmpty()) {
            try {
                inFlight.poll().sent().await();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null && !quietly) {
            throw failure;
        }
    }

    private ObjectStore.Upload multipart() {
        if (upload == null) {
            upload = store.startUpload(bucket, key, contentType);
        }
        return upload;
    }

    @Override
    public void finish() throws IOException {
        if (announced >= 0 && position != announced) {
            throw new IllegalStateException(key + ": " + position + " bytes written, " + announced + " announced");
        }
        if (streamed != null) {
            result = streamed.complete();
            finished = true;
            keepDigests(sha256, sha1);
            return;
        }
        if (partNumber == 1) {
            finishInOnePut();
            return;
        }
        if (partLength > 0) {
            inFlight.add(new InFlight(multipart().send(partNumber, part, partLength), part));
        }
        if (head != null) {
            inFlight.add(new InFlight(multipart().send(1, head, head.length), head));
        }
        awaitParts(false);
        part = null;
        head = null;
        result = multipart().complete();
        finished = true;
        if (holdsHead) {
            readBackDigests();
        } else {
            keepDigests(sha256, sha1);
        }
    }

    /** The whole image is in the first part, patched or not: its digests from the bytes as they are now. */
    private void finishInOnePut() {
        MessageDigest finalSha256 = sha256;
        MessageDigest finalSha1 = sha1;
        if (holdsHead) {
            finalSha256 = digest("SHA-256");
            finalSha256.update(part, 0, partLength);
            if (withSha1) {
                finalSha1 = digest("SHA-1");
                finalSha1.update(part, 0, partLength);
            }
        }
        result = store.write(bucket, key, part, partLength, contentType);
        part = null;
        finished = true;
        keepDigests(finalSha256, finalSha1);
    }

    /** The digests of the object as stored, from {@code sha256} and {@code sha1} (null unless asked for). */
    private void keepDigests(MessageDigest sha256, MessageDigest sha1) {
        digest = HexFormat.of().formatHex(sha256.digest());
        sha1Digest = sha1 == null ? null : HexFormat.of().formatHex(sha1.digest());
    }

    /** The uploaded object: bucket, key, size, etag. */
    ObjectInfo result() {
        return result;
    }

    /** The sha256 of the object as stored. */
    String sha256Hex() {
        return digest;
    }

    /** The SHA-1 of the object as stored, null unless asked for. */
    String sha1Hex() {
        return sha1Digest;
    }

    private void readBackDigests() throws IOException {
        MessageDigest readBack = digest("SHA-256");
        MessageDigest readBackSha1 = withSha1 ? digest("SHA-1") : null;
        InputStream stored = new DigestInputStream(store.read(result.bucket(), result.key()), readBack);
        try (InputStream in = readBackSha1 == null ? stored : new DigestInputStream(stored, readBackSha1)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        keepDigests(readBack, readBackSha1);
    }

    @Override
    public void close() {
        if (!finished && streamed != null) {
            streamed.close();
        } else if (!finished) {
            // the parts on their way first: one the store took after the abort would outlive the upload
            awaitParts(true);
            part = null;
            head = null;
            if (upload != null) {
                upload.close();
            }
        }
    }

    private record InFlight(ObjectStore.SentPart sent, byte[] buffer) {
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException(algorithm + " missing from the JDK", e));
        }
    }
}
