package org.ovaflow.validate.checksum;

import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.ova.PackageForm;
import org.ovaflow.core.ova.UnpackedPackage;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Opens the plain tar of a package that is not a plain OVA: a gzip or xz stream inflated on the fly, or the
 * objects of an unpacked package laid out as one tar ({@link UnpackedTarStream}). Everything is bounded: the
 * inflated bytes by {@link Limits#maxPackageBytes()} (a compression bomb is a rejection, not a full disk), an
 * unpacked package by its number of files and their total size, its descriptor by 16 MiB.
 */
public final class PackageSources {

    /** xz's decoder memory is chosen by whoever compressed: xz -9 needs 65 MiB, more is an attack. */
    static final int XZ_MEMORY_LIMIT_KIB = 96 * 1024;

    /**
     * @param maxPackageBytes the largest plain tar a compressed OVA may inflate to, or an unpacked package's files
     *                        may add up to ({@code ovaflow.validate.max-package-size})
     * @param maxFiles        the most files an unpacked package's References may name
     *                        ({@code ovaflow.validate.max-package-files})
     */
    public record Limits(long maxPackageBytes, int maxFiles) {
        public static final Limits DEFAULTS = new Limits(4L << 40, 1000);
    }

    /** Opens an object's data; the checksum stage passes the store, {@code inspect} a folder. */
    @FunctionalInterface
    public interface Objects {
        InputStream read(ObjectRef object) throws IOException;
    }

    private final Limits limits;

    public PackageSources(Limits limits) {
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * The plain tar of a compressed OVA: its name is the object's without {@code .gz}/{@code .xz}. Reading it
     * throws {@link PackageSourceException} ({@code package.compression}) for a corrupt or truncated stream and
     * one that inflates past the limit, and whatever {@code compressed} throws as it is (the store failing).
     */
    public PlainTar inflate(String fileName, InputStream compressed) {
        PackageForm form = PackageForm.of(fileName);
        if (form != PackageForm.OVA_GZIP && form != PackageForm.OVA_XZ) {
            throw new IllegalArgumentException(fileName + " is not a compressed OVA");
        }
        SourceFailures failures = new SourceFailures();
        InputStream raw = failures.watch(compressed);
        String format = form == PackageForm.OVA_GZIP ? "gzip" : "xz";
        InputStream plain = failures.inflated(() -> form == PackageForm.OVA_GZIP
                // concatenated members are one gzip file (pigz, cat a.gz b.gz)
                ? new GzipCompressorInputStream(raw, true)
                : new XZCompressorInputStream(raw, true, XZ_MEMORY_LIMIT_KIB), fileName, format,
                limits.maxPackageBytes());
        return new PlainTar(PackageForm.stem(fileName) + ".ova", plain, failures, List.of());
    }

    /**
     * The plain tar of the unpacked package whose descriptor is {@code descriptor}: the descriptor, its
     * {@code .mf} and {@code .cert} when they are there, and every file its References name inside the package
     * that is there, each pinned to the etag it has now. A referenced file that is missing is left out, for the
     * schema stage to name ({@code ovf.file-present}); one outside the package is never read
     * ({@code ovf.href-remote}).
     *
     * @throws PackageSourceException {@code package.file-count} or {@code package.size} when over the limits
     */
    public PlainTar unpacked(ObjectRef descriptor, Store store) throws IOException {
        String folder = UnpackedPackage.folderOf(descriptor.key());
        String name = descriptor.fileName();
        SourceFailures failures = new SourceFailures();
        byte[] xml;
        try (InputStream in = failures.watch(store.objects().read(descriptor))) {
            xml = in.readNBytes(UnpackedPackage.MAX_DESCRIPTOR_BYTES + 1);
        }
        List<UnpackedTarStream.Member> members = new ArrayList<>();
        List<ObjectRef> others = new ArrayList<>();
        long total;
        if (xml.length <= UnpackedPackage.MAX_DESCRIPTOR_BYTES) {
            byte[] read = xml;
            members.add(new UnpackedTarStream.Member(name, xml.length, () -> new ByteArrayInputStream(read)));
            total = xml.length;
        } else {
            // too large to be a descriptor: passed on whole for the schema stage to reject (ovf.descriptor)
            ObjectInfo whole = store.stat(descriptor).orElseThrow(() -> new IOException(descriptor + " is gone"));
            members.add(new UnpackedTarStream.Member(name, whole.size(),
                    () -> failures.watchOpen(() -> store.objects().read(descriptor))));
            total = whole.size();
        }
        List<String> names = new ArrayList<>(UnpackedPackage.companions(name));
        if (xml.length <= UnpackedPackage.MAX_DESCRIPTOR_BYTES) {
            try {
                List<String> referenced = UnpackedPackage.referencedFiles(xml, limits.maxFiles());
                if (referenced.size() > limits.maxFiles()) {
                    throw new PackageSourceException("package.file-count", name, "its References name more than "
                            + limits.maxFiles() + " files (ovaflow.validate.max-package-files)", null);
                }
                names.addAll(referenced);
            } catch (PackageSourceException e) {
                throw e;
            } catch (IOException e) {
                // a descriptor that is not XML: the package is what is there, the schema stage says what is wrong
            }
        }
        for (String href : names) {
            Optional<ObjectInfo> found = Optional.empty();
            String file = href;
            for (String spelling : UnpackedPackage.spellings(href)) {
                found = store.stat(descriptor.bucket(), folder + spelling);
                if (found.isPresent()) {
                    // archived under the object's own name: the schema stage matches the href to it
                    file = spelling;
                    break;
                }
            }
            String key = folder + file;
            if (found.isEmpty() || file.equals(name) || others.stream().anyMatch(o -> o.key().equals(key))) {
                continue;
            }
            ObjectInfo info = found.get();
            ObjectRef member = info.ref();
            others.add(member);
            members.add(new UnpackedTarStream.Member(file, info.size(),
                    () -> failures.watchOpen(() -> store.objects().read(member))));
            total += info.size();
        }
        if (total > limits.maxPackageBytes()) {
            throw new PackageSourceException("package.size", name, "its files add up to " + total
                    + " bytes, more than " + limits.maxPackageBytes() + " (ovaflow.validate.max-package-size)", null,
                    others);
        }
        return new PlainTar(PackageForm.stem(name) + ".ova", new UnpackedTarStream(members), failures, others);
    }

    /** What {@link #unpacked} needs of a store: the pipeline's object store, or a local folder for inspect. */
    public interface Store {
        Objects objects();

        Optional<ObjectInfo> stat(String bucket, String key);

        default Optional<ObjectInfo> stat(ObjectRef object) {
            return stat(object.bucket(), object.key());
        }

        /** The pipeline's store: reads pinned to the etag, so a file replaced meanwhile is gone, not another input. */
        static Store of(ObjectStore store) {
            return new Store() {
                @Override
                public Objects objects() {
                    return store::read;
                }

                @Override
                public Optional<ObjectInfo> stat(String bucket, String key) {
                    return store.stat(bucket, key);
                }
            };
        }
    }

    /**
     * A package's plain tar as a stream, with what went wrong while it was read: a named rejection of the
     * source ({@link #rejection()}), or the store failing ({@link #storeFailure()}), which the verifier's own
     * verdict (a truncated tar, say) must not hide.
     *
     * @param name    the plain OVA's file name
     * @param members an unpacked package's objects besides its descriptor
     */
    public record PlainTar(String name, InputStream stream, SourceFailures failures, List<ObjectRef> members)
            implements AutoCloseable {

        public PackageSourceException rejection() {
            return failures.rejection();
        }

        public Exception storeFailure() {
            return failures.storeFailure();
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }
}
