package org.ovaflow.ingest;

import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ProductOverrides;
import org.ovaflow.core.store.ObjectStore;

/**
 * Reads the vendor, product and version an uploader stored with an object (user metadata, written by
 * {@code ovaflow onboard} from a vendor catalog) into its arrival. Neither a bucket listing nor AWS's S3
 * notifications carry user metadata, so such an arrival costs one HEAD request; MinIO's notifications and
 * {@code ovaflow import}'s state it, and their arrivals need none (S3EventNotification reads it).
 */
public final class UploaderOverrides {

    private final ObjectStore store;

    public UploaderOverrides(ObjectStore store) {
        this.store = store;
    }

    /** The arrival with the object's overrides, or as it is when the object states none or is gone already. */
    public ImportEvent apply(ImportEvent arrival) {
        return store.describe(arrival.source().bucket(), arrival.source().key())
                .map(object -> ProductOverrides.fromMetadata(object.userMetadata()))
                .map(arrival::withOverrides)
                .orElse(arrival);
    }
}
