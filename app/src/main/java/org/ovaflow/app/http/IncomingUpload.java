package org.ovaflow.app.http;

import org.ovaflow.core.event.ImportId;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * An OVA posted to {@code POST /api/imports?name=FILE.ova}, streamed into the incoming bucket as
 * {@code ovaflow import} drops it, and the import it becomes (named as ingest will name it).
 */
final class IncomingUpload {

    /** S3 allows 1024 bytes of key; a file name of 255 bytes is what every file system allows. */
    static final int MAX_NAME_BYTES = 255;
    /**
     * A plain file name of an OVA, plain or compressed: no path separators, no control characters, not hidden (no
     * "." or ".." either). An unpacked package is several objects: it cannot come as one request body.
     */
    private static final Pattern PLAIN_NAME = Pattern.compile("[^./\\\\\\p{Cntrl}][^/\\\\\\p{Cntrl}]*\\.ova(\\.gz|\\.xz)?");

    private final ObjectStore store;
    private final String incomingBucket;

    IncomingUpload(ObjectStore store, String incomingBucket) {
        this.store = store;
        this.incomingBucket = incomingBucket;
    }

    /** Why {@code name} cannot be the key of an upload, or null when it can. */
    static String invalidName(String name) {
        if (name == null || name.isEmpty()) {
            return "the query parameter 'name' (a file name ending .ova, .ova.gz or .ova.xz) is missing";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            return "the name is longer than " + MAX_NAME_BYTES + " bytes";
        }
        if (!PLAIN_NAME.matcher(name).matches()) {
            return "the name must be a plain file name ending .ova, .ova.gz or .ova.xz: no slashes, no control characters";
        }
        return null;
    }

    /**
     * Streams {@code body} into the incoming bucket under {@code name}; {@code size} -1 when unknown (chunked).
     * A large body goes up in parts, a few at once: it never holds more than {@code ovaflow.store.parallel-parts
     * + 1} parts.
     */
    String store(String name, InputStream body, long size) {
        store.write(incomingBucket, name, body, size, "application/x-tar");
        // the importId comes from the etag as the store lists it, exactly as ingest derives it (see Drop)
        ObjectInfo stored = store.stat(incomingBucket, name).orElseThrow(() -> new IllegalStateException(
                name + " vanished from " + incomingBucket + " right after its upload"));
        return ImportId.of(new ObjectRef(incomingBucket, name, stored.etag(), stored.size(), stored.versionId()));
    }
}
