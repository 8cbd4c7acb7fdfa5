package org.ovaflow.transform.transcode;

import org.ovaflow.core.event.TarEntry;
import org.ovaflow.disk.ImageSource;

import java.io.InputStream;

/**
 * One file of an OVA in the store, read in place at the offsets the checksum stage's tar index recorded (by
 * ranged GETs pinned to the OVA's etag, see {@link OvaBytes}): nothing is extracted or copied first.
 */
final class OvaEntrySource implements ImageSource {

    private final OvaBytes ova;
    private final TarEntry entry;

    OvaEntrySource(OvaBytes ova, TarEntry entry) {
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
        return ova.range(entry.offset() + offset, within);
    }
}
