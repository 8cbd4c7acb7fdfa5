package org.ovaflow.transform.transcode;

import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.transform.disk.ImageSource;

import java.io.InputStream;

/**
 * One file of an OVA in the store, read in place by ranged GETs at the offsets the checksum stage's tar index
 * recorded, each pinned to the OVA's etag: nothing is extracted or copied first.
 */
final class OvaEntrySource implements ImageSource {

    private final ObjectStore store;
    private final ObjectRef ova;
    private final TarEntry entry;

    OvaEntrySource(ObjectStore store, ObjectRef ova, TarEntry entry) {
        this.store = store;
        this.ova = ova;
        this.entry = entry;
    }

    @Override
    public long size() {
        return entry.size();
    }

    @Override
    public String name() {
        return entry.name();
    }

    @Override
    public InputStream open(long offset, long length) {
        long within = Math.max(0, Math.min(length, entry.size() - offset));
        return store.readRange(ova, entry.offset() + offset, within);
    }
}
