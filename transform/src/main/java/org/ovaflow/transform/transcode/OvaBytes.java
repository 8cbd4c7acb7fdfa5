package org.ovaflow.transform.transcode;

import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.store.ObjectStore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The OVA an import is made of, as the transcode stage reads it: ranges of the object in the store, each a GET
 * pinned to the OVA's etag. An OVA of at most {@link #WHOLE_READ_LIMIT} bytes is read whole with one GET, at its
 * first range, and its ranges served from that: staging a small package's files and converting its disks would
 * otherwise make a GET for each file and each disk, requests that cost the store and the client more than the
 * bytes they carry. The limit is one upload part, the most a transcode already holds for a disk it converts.
 */
final class OvaBytes {

    static final int WHOLE_READ_LIMIT = 8 * 1024 * 1024;

    private final ObjectStore store;
    private final ObjectRef ova;
    private final boolean small;
    private boolean read;
    private byte[] whole;

    private OvaBytes(ObjectStore store, ObjectRef ova) {
        this.store = store;
        this.ova = ova;
        // an event from before ingest recorded the size says 0: read by ranges
        this.small = ova.etag() != null && ova.size() > 0 && ova.size() <= WHOLE_READ_LIMIT;
    }

    static OvaBytes of(ObjectStore store, ObjectRef ova) {
        return new OvaBytes(store, ova);
    }

    /** The OVA in the store. */
    ObjectRef ref() {
        return ova;
    }

    /** Whether the OVA is read whole with one GET (its ranges then cost no request). */
    boolean readWhole() {
        return small;
    }

    /** {@code length} bytes from {@code offset}; fewer when the OVA ends first. */
    InputStream range(long offset, long length) {
        byte[] bytes = small ? whole() : null;
        if (bytes == null) {
            return store.readRange(ova, offset, length);
        }
        int from = (int) Math.min(offset, bytes.length);
        int to = (int) Math.min(bytes.length, from + Math.max(0, length));
        return new ByteArrayInputStream(bytes, from, to - from);
    }

    /** The whole OVA, or null when it is not the size the event says: then it is read by ranges. */
    private synchronized byte[] whole() {
        if (!read) {
            // pinned to the etag like a ranged read, and never more than a byte past the size the event gives
            try (InputStream in = store.read(ova)) {
                byte[] bytes = in.readNBytes((int) ova.size() + 1);
                whole = bytes.length == ova.size() ? bytes : null;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + ova, e);
            }
            read = true;
        }
        return whole;
    }
}
