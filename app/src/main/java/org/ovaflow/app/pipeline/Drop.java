package org.ovaflow.app.pipeline;

import org.ovaflow.core.event.ImportId;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Drops a file into the incoming bucket as a user would, and names the import it becomes: the importId is
 * derived from the object as the store lists it (bucket, key, etag), exactly as ingest will derive it.
 */
public record Drop(Path file, ObjectRef object, String importId) {

    public static Drop of(ObjectStore store, String bucket, Path file) throws IOException {
        String key = file.getFileName().toString();
        try (InputStream data = Files.newInputStream(file)) {
            store.write(bucket, key, data, Files.size(file), "application/x-tar");
        }
        ObjectInfo stored = store.stat(bucket, key)
                .orElseThrow(() -> new IOException(key + " vanished from " + bucket + " right after its upload"));
        ObjectRef object = new ObjectRef(bucket, key, stored.etag(), stored.size(), stored.versionId());
        return new Drop(file, object, ImportId.of(object));
    }
}
