package org.ovaflow.app.pipeline;

import org.ovaflow.core.event.ImportId;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.ova.OvaArchive;
import org.ovaflow.core.ova.PackageForm;
import org.ovaflow.core.ova.UnpackedPackage;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Drops a file into the incoming bucket as a user would, and names the import it becomes: the importId is
 * derived from the object as the store lists it (bucket, key, etag), exactly as ingest will derive it.
 */
public record Drop(Path file, ObjectRef object, String importId) {

    public static Drop of(ObjectStore store, String bucket, Path file) throws IOException {
        if (PackageForm.of(file.getFileName().toString()) == PackageForm.UNPACKED) {
            return ofUnpacked(store, bucket, file);
        }
        return upload(store, bucket, file, file.getFileName().toString());
    }

    /**
     * An unpacked package, by its descriptor: the files of its folder that make the package (its .mf and .cert,
     * the files References name), then the descriptor last, all under {@code <name>/}, where the files of two
     * packages named alike cannot mix. A file of the folder reached through a symbolic link, or outside the
     * folder, is not uploaded: the import then names it missing.
     */
    private static Drop ofUnpacked(ObjectStore store, String bucket, Path descriptor) throws IOException {
        String name = descriptor.getFileName().toString();
        Path folder = descriptor.toAbsolutePath().getParent().toRealPath();
        String prefix = PackageForm.stem(name) + "/";
        byte[] xml;
        try (InputStream in = Files.newInputStream(descriptor)) {
            xml = in.readNBytes(UnpackedPackage.MAX_DESCRIPTOR_BYTES + 1);
        }
        List<String> files = new ArrayList<>(UnpackedPackage.companions(name));
        if (xml.length <= UnpackedPackage.MAX_DESCRIPTOR_BYTES) {
            try {
                files.addAll(UnpackedPackage.referencedFiles(xml, OvaArchive.MAX_ENTRIES));
            } catch (IOException e) {
                // not a readable descriptor: dropped alone, for the pipeline to reject with its reason
            }
        }
        for (String href : files) {
            for (String file : UnpackedPackage.spellings(href)) {
                Path local = folder.resolve(file).normalize();
                if (!file.equals(name) && local.startsWith(folder)
                        && Files.isRegularFile(local, LinkOption.NOFOLLOW_LINKS) && local.toRealPath().startsWith(folder)) {
                    upload(store, bucket, local, prefix + file);
                    break;
                }
            }
        }
        return upload(store, bucket, descriptor, prefix + name);
    }

    private static Drop upload(ObjectStore store, String bucket, Path file, String key) throws IOException {
        store.write(bucket, key, file, "application/x-tar");
        ObjectInfo stored = store.stat(bucket, key)
                .orElseThrow(() -> new IOException(key + " vanished from " + bucket + " right after its upload"));
        ObjectRef object = new ObjectRef(bucket, key, stored.etag(), stored.size(), stored.versionId());
        return new Drop(file, object, ImportId.of(object));
    }
}
