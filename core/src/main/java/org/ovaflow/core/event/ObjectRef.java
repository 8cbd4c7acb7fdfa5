package org.ovaflow.core.event;

/** Where an object lives in the store, pinned to one content by its etag (and version id when the store has one). */
public record ObjectRef(String bucket, String key, String etag, long size, String versionId) {

    public ObjectRef {
        requireText(bucket, "bucket");
        requireText(key, "key");
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("object reference without " + what);
        }
    }

    /** The object's file name: the last segment of its key. */
    public String fileName() {
        int slash = key.lastIndexOf('/');
        return slash < 0 ? key : key.substring(slash + 1);
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + key;
    }
}
