package org.ovaflow.publish.catalog;

import org.ovaflow.core.store.ObjectStore;

import java.util.Collection;

/**
 * Every write the catalog makes (publication, index, retraction), in the order it makes them: one seam through
 * which they all go, so a test can stop a publication between any two of them as a crash would. Called from
 * several threads at once: the publish stage commits the entries of a batch side by side (each entry's writes in
 * their order).
 */
public interface CatalogWrites {

    /**
     * A server-side copy of the source as it is with {@code fromEtag}, or as it is now when that is null (see
     * {@link ObjectStore#copy(String, String, long, String, String, String)}).
     */
    void copy(String fromBucket, String fromKey, long size, String fromEtag, String toBucket, String toKey);

    /**
     * A small object written whole (appliance.json, an index).
     *
     * @return the etag the store answered (null when it answered none)
     */
    String write(String bucket, String key, byte[] data, String contentType);

    /** Removes an object; one that is not there is not an error. */
    void remove(String bucket, String key);

    /** Removes objects of one bucket, as many requests as the store needs (one per key unless overridden). */
    default void removeAll(String bucket, Collection<String> keys) {
        keys.forEach(key -> remove(bucket, key));
    }

    /** The writes straight to {@code store}. */
    static CatalogWrites to(ObjectStore store) {
        return new CatalogWrites() {
            @Override
            public void copy(String fromBucket, String fromKey, long size, String fromEtag, String toBucket,
                             String toKey) {
                store.copy(fromBucket, fromKey, size, fromEtag, toBucket, toKey);
            }

            @Override
            public String write(String bucket, String key, byte[] data, String contentType) {
                return store.write(bucket, key, data, contentType).etag();
            }

            @Override
            public void remove(String bucket, String key) {
                store.remove(bucket, key);
            }

            @Override
            public void removeAll(String bucket, Collection<String> keys) {
                store.removeAll(bucket, keys);
            }
        };
    }
}
