package org.ovaflow.ingest.onboard;

import org.ovaflow.core.event.ObjectRef;

/**
 * What became of one catalog item: the object in the incoming bucket (DOWNLOADED, ALREADY_PRESENT) or a
 * one-line error (FAILED, and then nothing of it is in the bucket).
 */
public record DownloadResult(CatalogItem item, Status status, ObjectRef object, long bytes, String error) {

    public enum Status { DOWNLOADED, ALREADY_PRESENT, FAILED }

    static DownloadResult failed(CatalogItem item, long bytes, String error) {
        return new DownloadResult(item, Status.FAILED, null, bytes, error);
    }

    public boolean failed() {
        return status == Status.FAILED;
    }
}
