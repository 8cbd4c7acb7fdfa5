package org.ovaflow.core.store;

import org.ovaflow.core.event.ObjectRef;

import java.time.Instant;

/** What the store says of one object: enough to pin it (etag, version id) and to size reads. */
public record ObjectInfo(String bucket, String key, String etag, long size, String versionId, Instant lastModified) {

    /** The object as events name it, pinned to this version of it. */
    public ObjectRef ref() {
        return new ObjectRef(bucket, key, etag, size, versionId);
    }
}
