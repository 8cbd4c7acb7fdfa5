package org.ovaflow.core.store;

import java.time.Instant;

/** What the store says of one object: enough to pin it (etag, version id) and to size reads. */
public record ObjectInfo(String bucket, String key, String etag, long size, String versionId, Instant lastModified) {
}
