package org.ovaflow.publish.catalog;

import com.fasterxml.jackson.core.type.TypeReference;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.store.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The files of the entry a replacement supersedes: noted beside the replacement's staged files before its commit
 * ({@value PublishStage#REPLACED_JSON}), removed once the index no longer names them.
 */
final class ReplacedEntry {

    private final ObjectStore store;
    private final CatalogWrites writes;
    private final String catalogBucket;

    ReplacedEntry(ObjectStore store, CatalogWrites writes, String catalogBucket) {
        this.store = store;
        this.writes = writes;
        this.catalogBucket = catalogBucket;
    }

    /** Notes the keys of {@code replaced}'s files, so that a retry after a crash still knows which to remove. */
    void note(ImportEvent event, ApplianceRecord replaced) {
        Optional<ObjectRef> note = noteOf(event);
        if (note.isPresent()) {
            List<String> keys = replaced.artifacts().stream().map(ApplianceRecord.Artifact::key).toList();
            writes.write(note.get().bucket(), note.get().key(), EventCodec.toJson(keys), "application/json");
        }
    }

    /** Removes the files of the entry this import replaced that {@code current} does not use. */
    void removeUnused(ImportEvent event, ApplianceRecord current) {
        Optional<ObjectRef> note = noteOf(event);
        if (note.isEmpty() || !store.exists(note.get().bucket(), note.get().key())) {
            return;
        }
        List<String> keys;
        try (InputStream json = store.read(note.get().bucket(), note.get().key())) {
            keys = EventCodec.JSON.readValue(json, new TypeReference<List<String>>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + note.get(), e);
        }
        Set<String> used = new HashSet<>();
        current.artifacts().forEach(a -> used.add(a.key()));
        for (String key : keys) {
            if (!used.contains(key)) {
                writes.remove(catalogBucket, key);
            }
        }
        if (note.get().bucket().equals(catalogBucket)) {
            // beside files transcode wrote into the entry's import folder: nothing clears it with staging
            writes.remove(catalogBucket, note.get().key());
        }
    }

    /**
     * Where this import's replacement note lives: beside its files, in its staging folder or in the import's own
     * folder of its catalog entry (not named by any appliance.json, and removed once the replaced files are).
     */
    static Optional<ObjectRef> noteOf(ImportEvent event) {
        return event.artifacts().stream().filter(a -> a.key().endsWith("/" + a.name())).findFirst()
                .map(a -> new ObjectRef(a.bucket(), a.key().substring(0, a.key().length() - a.name().length())
                        + PublishStage.REPLACED_JSON, null, 0, null));
    }
}
