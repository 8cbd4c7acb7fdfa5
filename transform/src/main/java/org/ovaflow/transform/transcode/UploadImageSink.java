package org.ovaflow.transform.transcode;

import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.disk.ImageSink;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A disk image written straight into the store as a multipart upload of {@link #PART_SIZE} parts: the most
 * it buffers is one part, plus, for formats that fill in their head at the end (qcow2, dynamic VHD, VMDK), the
 * first part, held back and uploaded last. Its sha256 is computed on the way up; when the head was patched
 * after it went through the digest, the finished object is read back once to hash its final bytes.
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
    private final boolean holdsHead;
    private final MessageDigest sha256 = digest("SHA-256");
    /** Kept only for outputs whose manifest is SHA1 (older vSphere); null otherwise. */
    private final MessageDigest sha1;
    private byte[] head;
    private byte[] part = new byte[PART_SIZE];
    private int partLength;
    private int partNumber = 1;
    private long position;
    private boolean patched;
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
        this.sha1 = withSha1 ? digest("SHA-1") : null;
    }

    @Override
    public void write(byte[] bytes, int from, int length) {
        sha256.update(bytes, from, length);
        if (sha1 != null) {
            sha1.update(bytes, from, length);
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
    public void writeZeros(long count) {
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
        patched = true;
    }

    private void sendPart() {
        if (partNumber == 1 && holdsHead) {
            head = part;
            part = new byte[PART_SIZE];
        } else {
            multipart().part(partNumber, part, partLength);
        }
        partNumber++;
        partLength = 0;
    }

    private ObjectStore.Upload multipart() {
        if (upload == null) {
            upload = store.startUpload(bucket, key, contentType);
        }
        return upload;
    }

    @Override
    public void finish() throws IOException {
        if (partNumber == 1) {
            finishInOnePut();
            return;
        }
        if (partLength > 0) {
            multipart().part(partNumber, part, partLength);
        }
        if (head != null) {
            multipart().part(1, head, head.length);
        }
        part = null;
        head = null;
        result = multipart().complete();
        finished = true;
        if (patched) {
            readBackDigests();
        } else {
            keepDigests(sha256, sha1);
        }
    }

    /** The whole image is in the first part, patched or not: its digests from the bytes as they are now. */
    private void finishInOnePut() {
        if (patched) {
            sha256.reset();
            sha256.update(part, 0, partLength);
            if (sha1 != null) {
                sha1.reset();
                sha1.update(part, 0, partLength);
            }
        }
        result = store.write(bucket, key, part, partLength, contentType);
        part = null;
        finished = true;
        keepDigests(sha256, sha1);
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
        MessageDigest readBackSha1 = sha1 == null ? null : digest("SHA-1");
        InputStream stored = new DigestInputStream(store.read(result.bucket(), result.key()), readBack);
        try (InputStream in = readBackSha1 == null ? stored : new DigestInputStream(stored, readBackSha1)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        keepDigests(readBack, readBackSha1);
    }

    @Override
    public void close() {
        if (!finished) {
            part = null;
            head = null;
            if (upload != null) {
                upload.close();
            }
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException(algorithm + " missing from the JDK", e));
        }
    }
}
