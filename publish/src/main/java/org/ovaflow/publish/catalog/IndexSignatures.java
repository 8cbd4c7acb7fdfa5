package org.ovaflow.publish.catalog;

import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.publish.signing.CatalogSigner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.ovaflow.publish.catalog.CatalogIndex.PUBLIC_KEY;
import static org.ovaflow.publish.catalog.CatalogIndex.PUBLIC_KEY_TYPE;
import static org.ovaflow.publish.catalog.CatalogIndex.SIGNATURE_SUFFIX;
import static org.ovaflow.publish.catalog.CatalogIndex.SIGNATURE_TYPE;

/**
 * The detached signatures beside the index documents ({@value CatalogIndex#SIGNATURE_SUFFIX}) and the public key
 * that checks them ({@value CatalogIndex#PUBLIC_KEY}): written, verified, or removed when the index is unsigned.
 */
final class IndexSignatures {

    /** Far more than a detached signature: a larger object at a signature's key is not one of ours. */
    private static final int MAX_SIGNATURE_BYTES = 64 * 1024;

    private final ObjectStore store;
    private final CatalogWrites writes;
    private final String bucket;
    private final CatalogSigner signer;
    private final AtomicBoolean keyPublished = new AtomicBoolean();

    /** @param signer signs every index written, or null: the indexes are unsigned */
    IndexSignatures(ObjectStore store, CatalogWrites writes, String bucket, CatalogSigner signer) {
        this.store = store;
        this.writes = writes;
        this.bucket = bucket;
        this.signer = signer;
    }

    /** Whether the indexes are signed. */
    boolean signing() {
        return signer != null;
    }

    /** Signs {@code bytes} of the index at {@code key} unless its signature already verifies with our key. */
    boolean signIfNeeded(String key, byte[] bytes) {
        Optional<byte[]> signature = read(key + SIGNATURE_SUFFIX);
        if (signature.isPresent() && signer.verifies(bytes, signature.get())) {
            return false;
        }
        write(key, bytes);
        return true;
    }

    /** Signs {@code bytes}, the index at {@code key}: its signature beside it, the public key before the first. */
    void write(String key, byte[] bytes) {
        if (keyPublished.compareAndSet(false, true)) {
            // before the first signature, so that none is out without the key that checks it
            writes.write(bucket, PUBLIC_KEY, signer.armoredPublicKey(), PUBLIC_KEY_TYPE);
        }
        writes.write(bucket, key + SIGNATURE_SUFFIX, signer.sign(bytes), SIGNATURE_TYPE);
    }

    /** An unsigned writer's index no longer matches the signature beside it: gone rather than wrong. */
    void remove(String key) {
        if (store.exists(bucket, key + SIGNATURE_SUFFIX)) {
            writes.remove(bucket, key + SIGNATURE_SUFFIX);
        }
    }

    private Optional<byte[]> read(String key) {
        try (InputStream in = store.read(bucket, key)) {
            byte[] bytes = in.readNBytes(MAX_SIGNATURE_BYTES + 1);
            return bytes.length > MAX_SIGNATURE_BYTES ? Optional.empty() : Optional.of(bytes);
        } catch (ObjectGoneException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read s3://" + bucket + "/" + key, e);
        }
    }
}
