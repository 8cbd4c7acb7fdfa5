package org.ovaflow.ingest.onboard;

/** Hears how a download goes (progress bars); called on the fetching thread. */
public interface DownloadListener {

    DownloadListener NONE = new DownloadListener() {
        @Override
        public void started(CatalogItem item, long expectedBytes) {
        }

        @Override
        public void progressed(CatalogItem item, long bytesSoFar) {
        }
    };

    /** The source answered; {@code expectedBytes} is -1 when neither catalog nor source says. */
    void started(CatalogItem item, long expectedBytes);

    /** Bytes read from the source so far (called every few hundred KiB and at the end). */
    void progressed(CatalogItem item, long bytesSoFar);
}
