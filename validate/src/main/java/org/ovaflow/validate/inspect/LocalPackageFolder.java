package org.ovaflow.validate.inspect;

import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.validate.checksum.PackageSources;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The folder of a local unpacked package, seen as {@link PackageSources} sees a bucket: object keys are the files'
 * paths. Only regular files of that folder (or below it) are there: a symbolic link, or a name that resolves
 * outside the folder, is as good as missing, so inspect reads nothing but the package.
 */
final class LocalPackageFolder implements PackageSources.Store {

    private final Path folder;

    LocalPackageFolder(Path folder) throws IOException {
        this.folder = folder.toRealPath();
    }

    @Override
    public PackageSources.Objects objects() {
        return object -> Files.newInputStream(inside(object.key()).orElseThrow(() ->
                new IOException(object.key() + " is not a file of " + folder)), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public Optional<ObjectInfo> stat(String bucket, String key) {
        return inside(key).map(file -> {
            try {
                long size = Files.size(file);
                return new ObjectInfo(bucket, key, etag(file), size, null,
                        Files.getLastModifiedTime(file).toInstant());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        });
    }

    /** A file has no etag: its size and modification time stand in, as they identify a version of it. */
    static String etag(Path file) throws IOException {
        return Files.size(file) + "-" + Files.getLastModifiedTime(file).toMillis();
    }

    static ObjectRef ref(Path file) throws IOException {
        return new ObjectRef(OvaInspector.LOCAL, file.toString(), etag(file), Files.size(file), null);
    }

    /** The package's file {@code name} (a path below the folder), refused when it is not one of its regular files. */
    Path file(String name) throws IOException {
        return inside(folder.resolve(name).toString()).orElseThrow(() ->
                new IOException(name + " is not a file of " + folder));
    }

    private Optional<Path> inside(String key) {
        Path file = Path.of(key).toAbsolutePath().normalize();
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            return file.toRealPath().startsWith(folder) ? Optional.of(file) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
