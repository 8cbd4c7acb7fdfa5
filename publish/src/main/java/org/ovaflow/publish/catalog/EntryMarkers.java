package org.ovaflow.publish.catalog;

import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;

import static org.ovaflow.publish.catalog.CatalogIndex.ENTRIES;
import static org.ovaflow.publish.catalog.CatalogIndex.unquoted;

/**
 * The entries' markers under {@value CatalogIndex#ENTRIES}: copies of their appliance.json that the index is built
 * from, put by the writer of an entry and mended from the entries once a process.
 */
final class EntryMarkers {

    private final ObjectStore store;
    private final CatalogWrites writes;
    private final String bucket;

    EntryMarkers(ObjectStore store, CatalogWrites writes, String bucket) {
        this.store = store;
        this.writes = writes;
        this.bucket = bucket;
    }

    /** The key of the marker of the entry in {@code folder} ({@code <vendor>/<product>/<version>/}). */
    static String markerOf(String folder) {
        return ENTRIES + folder + PublishStage.APPLIANCE_JSON;
    }

    /** Puts the marker of the entry in {@code folder}, {@code json} being its appliance.json: the etag written. */
    String put(String folder, byte[] json) {
        return writes.write(bucket, markerOf(folder), json, "application/json");
    }

    /** The record the marker of the entry in {@code folder} holds, empty when it has none. */
    Optional<ApplianceRecord> read(String folder) {
        try (InputStream json = store.read(bucket, markerOf(folder))) {
            return Optional.of(EventCodec.JSON.readValue(json, ApplianceRecord.class));
        } catch (ObjectGoneException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read s3://" + bucket + "/" + markerOf(folder), e);
        }
    }

    /**
     * The marked entries whose folder starts with {@code prefix} ({@code <vendor>/}, or "" for all): the folder of
     * each ({@code <vendor>/<product>/<version>/}) and its marker's etag.
     */
    SortedMap<String, String> list(String prefix) {
        SortedMap<String, String> entries = new TreeMap<>();
        for (ObjectInfo marker : store.list(bucket, ENTRIES + prefix)) {
            String folder = markedFolder(marker.key());
            if (folder != null) {
                entries.put(folder, unquoted(marker.etag()));
            }
        }
        return entries;
    }

    /**
     * Gives every entry its marker as its appliance.json now is, and removes the markers of entries that are gone:
     * after a crash between an appliance.json and its marker, for catalogs written before markers, for entries
     * written or removed by hand. One listing of the whole catalog, once per process. A marker is stale when its
     * etag differs and it is not newer than the appliance.json (stores whose etags are not the content's MD5 give a
     * copy another etag than its source).
     */
    void reconcile() {
        Map<String, ObjectInfo> entries = new TreeMap<>();
        Map<String, ObjectInfo> markers = new TreeMap<>();
        // a marker sorts before its entry ('.' before any slug) and is written after it: a listing that sees a
        // marker sees its entry, unless the entry was removed
        for (ObjectInfo object : store.list(bucket, "")) {
            String marked = markedFolder(object.key());
            if (marked != null) {
                markers.put(marked, object);
            } else if (CatalogReader.isEntry(object.key())) {
                entries.put(folderOf(object.key()), object);
            }
        }
        entries.forEach((folder, entry) -> {
            ObjectInfo marker = markers.get(folder);
            if (marker == null || !unquoted(marker.etag()).equals(unquoted(entry.etag()))
                    && !newer(marker, entry)) {
                try {
                    writes.copy(bucket, entry.key(), entry.size(), unquoted(entry.etag()), bucket, markerOf(folder));
                } catch (ObjectGoneException e) {
                    // rewritten or removed since the listing: its writer marks it, or the marker is an orphan
                }
            }
        });
        markers.keySet().stream().filter(Predicate.not(entries::containsKey))
                .forEach(folder -> writes.remove(bucket, markerOf(folder)));
    }

    private static boolean newer(ObjectInfo object, ObjectInfo than) {
        return object.lastModified() != null && than.lastModified() != null
                && object.lastModified().isAfter(than.lastModified());
    }

    /** The folder of the entry whose marker is at {@code key}, or null when that is no marker's key. */
    private static String markedFolder(String key) {
        if (!key.startsWith(ENTRIES)) {
            return null;
        }
        String entryKey = key.substring(ENTRIES.length());
        return CatalogReader.isEntry(entryKey) ? folderOf(entryKey) : null;
    }

    /** {@code <vendor>/<product>/<version>/} of the key of an appliance.json. */
    private static String folderOf(String entryKey) {
        return entryKey.substring(0, entryKey.length() - PublishStage.APPLIANCE_JSON.length());
    }
}
