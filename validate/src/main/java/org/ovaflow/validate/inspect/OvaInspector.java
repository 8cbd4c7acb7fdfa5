package org.ovaflow.validate.inspect;

import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.ova.PackageForm;
import org.ovaflow.disk.FileImageSource;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.checksum.PackageSourceException;
import org.ovaflow.validate.checksum.PackageSources;
import org.ovaflow.validate.checksum.PackageVerification;
import org.ovaflow.validate.checksum.PackageVerifier;
import org.ovaflow.validate.ovf.OvfDescriptorParser;
import org.ovaflow.validate.schema.DescriptorValidation;
import org.ovaflow.validate.schema.DescriptorValidator;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The checksum and schema stages' checks on a local OVA (plain, compressed, or an unpacked package's .ovf), offline: the same {@link PackageVerifier} over one
 * streaming read of the file, then the same {@link DescriptorValidator} on the descriptor read back at the offset
 * the tar walk found. Nothing is extracted to disk.
 *
 * <p>Unlike the pipeline, which stops at the checksum stage's first rejection, the descriptor is checked whenever
 * the archive could be walked, so one run names every problem of the package.
 */
public final class OvaInspector {

    /** The bucket name local files are reported under: they have none. */
    public static final String LOCAL = "local";

    private final PackageVerifier verifier;
    private final DescriptorValidator validator;
    private final PackageSources sources;
    /**
     * The largest virtual disk the disk reads accept (the transcode stage's limit), null when the disks are not
     * read to their end: their headers are probed only.
     */
    private final Long maxVirtualSize;

    public OvaInspector(ValidationSettings settings) {
        this(settings, PackageSources.Limits.DEFAULTS, null);
    }

    /** An inspector that also reads compressed OVAs and unpacked packages within {@code limits}. */
    public OvaInspector(ValidationSettings settings, PackageSources.Limits limits) {
        this(settings, limits, null);
    }

    private OvaInspector(ValidationSettings settings, PackageSources.Limits limits, Long maxVirtualSize) {
        this.verifier = new PackageVerifier(settings);
        this.validator = new DescriptorValidator(new OvfDescriptorParser(), settings);
        this.sources = new PackageSources(limits);
        this.maxVirtualSize = maxVirtualSize;
    }

    /**
     * An inspector that also reads the package's disk images to their end with the disk library's readers, as the
     * transcode stage reads them, refusing disks larger than {@code maxVirtualSize}: in the streaming pass those
     * read forward, after it by ranges of the files the others (not for a compressed package).
     */
    public static OvaInspector readingDisks(ValidationSettings settings, long maxVirtualSize) {
        return new OvaInspector(settings, PackageSources.Limits.DEFAULTS, maxVirtualSize);
    }

    /**
     * Inspects {@code ova}; what it found is the event the schema stage would have passed on or rejected. A
     * {@code .ova.gz} or {@code .ova.xz} is inflated as it is read; a {@code .ovf} is read with the files of its
     * folder that make its package, as the checksum stage reads an unpacked package of the bucket.
     */
    public Inspection inspect(Path ova) throws IOException {
        PackageForm form = PackageForm.of(ova.getFileName().toString());
        return form.plain() ? inspectPlain(ova) : inspectNormalised(ova, form);
    }

    private Inspection inspectPlain(Path ova) throws IOException {
        try (DiskImageReads.Pass disks = maxVirtualSize != null ? DiskImageReads.start(maxVirtualSize) : null) {
            return inspectPlain(ova, disks);
        }
    }

    private Inspection inspectPlain(Path ova, DiskImageReads.Pass disks) throws IOException {
        long size = Files.size(ova);
        String name = ova.getFileName().toString();
        PackageVerification verification;
        // mapped: the bytes are copied once, from the page cache into the pass's buffers
        try (InputStream in = MappedFileStream.open(ova)) {
            verification = verifier.verify(name, in, disks);
        }
        // a file has no etag: its size and modification time stand in, as they identify a version of it
        String etag = size + "-" + Files.getLastModifiedTime(ova).toMillis();
        ImportEvent event = ImportEvent.arrived(new ObjectRef(LOCAL, ova.toString(), etag, size, null), "inspect",
                        Instant.now())
                .withTarIndex(verification.tarIndex())
                .withManifest(verification.manifest())
                .withChecks(verification.checks());
        Optional<TarEntry> descriptor = verification.tarIndex().descriptor();
        if (descriptor.isPresent()) {
            DescriptorValidation validation = validate(ova, descriptor.get(), event);
            if (validation.appliance() != null) {
                event = event.withAppliance(validation.appliance());
            }
            event = event.withChecks(validation.checks());
            if (disks != null && event.appliance() != null) {
                // the disks the descriptor names: read in the pass, or by ranges of the file as the transcode stage
                // reads the stored OVA; the same verdict on tables and grains that only a full read can judge
                event = event.withChecks(disks.finish(event, (entry, offset, length) ->
                        FileImageSource.range(ova, entry.offset() + offset, Math.min(length, entry.size() - offset))));
            }
        } else if (!verification.rejected()) {
            event = event.withChecks(List.of(CheckResult.fail("ovf.descriptor", name,
                    "the package has no .ovf descriptor as its first entry")));
        }
        return new Inspection(name, size, verification.tarIndex().sha256(), verification.signer(), event);
    }

    private Inspection inspectNormalised(Path file, PackageForm form) throws IOException {
        try (DiskImageReads.Pass disks = maxVirtualSize != null ? DiskImageReads.start(maxVirtualSize) : null) {
            return inspectNormalised(file, form, disks);
        }
    }

    private Inspection inspectNormalised(Path file, PackageForm form, DiskImageReads.Pass disks) throws IOException {
        String name = file.getFileName().toString();
        long size = Files.size(file);
        ImportEvent event = ImportEvent.arrived(LocalPackageFolder.ref(file), "inspect", Instant.now());
        PackageVerification verification;
        try (PackageSources.PlainTar plain = open(file, form)) {
            try {
                verification = verifier.verify(plain.name(), plain.stream(), disks);
            } catch (IOException e) {
                if (plain.rejection() == null) {
                    throw e;
                }
                verification = null;
            }
            if (plain.storeFailure() instanceof IOException failure) {
                throw failure;
            }
            if (plain.rejection() != null) {
                return rejected(name, size, event, plain.rejection());
            }
        } catch (PackageSourceException e) {
            return rejected(name, size, event, e);
        }
        event = event.withTarIndex(verification.tarIndex()).withManifest(verification.manifest())
                .withChecks(verification.checks());
        Optional<TarEntry> descriptor = verification.tarIndex().descriptor();
        if (descriptor.isPresent()) {
            DescriptorValidation validation = validate(descriptor.get(), event, () -> open(file, form).stream());
            if (validation.appliance() != null) {
                event = event.withAppliance(validation.appliance());
            }
            event = event.withChecks(validation.checks());
            if (disks != null && event.appliance() != null) {
                // an unpacked package's files are local files, read by ranges as a plain OVA's entries; a
                // compressed OVA can only be read forward again, from its start: what its pass did not read is said
                event = event.withChecks(disks.finish(event, form == PackageForm.UNPACKED ? unpackedRanges(file)
                        : null));
            }
        }
        return new Inspection(name, size, verification.tarIndex().sha256(), verification.signer(), event);
    }

    /** The files of the unpacked package of {@code descriptor}, by their names in its tar, from its folder only. */
    private static DiskImageReads.EntryRanges unpackedRanges(Path descriptor) throws IOException {
        LocalPackageFolder folder = new LocalPackageFolder(descriptor.toAbsolutePath().getParent());
        return (entry, offset, length) -> FileImageSource.range(folder.file(entry.name()), offset,
                Math.min(length, entry.size() - offset));
    }

    private PackageSources.PlainTar open(Path file, PackageForm form) throws IOException {
        if (form == PackageForm.UNPACKED) {
            Path folder = file.toAbsolutePath().getParent();
            return sources.unpacked(LocalPackageFolder.ref(file.toAbsolutePath()), new LocalPackageFolder(folder));
        }
        return sources.inflate(file.getFileName().toString(), Files.newInputStream(file));
    }

    private static Inspection rejected(String name, long size, ImportEvent event, PackageSourceException e) {
        return new Inspection(name, size, null, null, event.withChecks(List.of(CheckResult.fail(e.checkId(), e.file(),
                e.getMessage()))));
    }

    /** Reads a package's plain tar from its start. */
    @FunctionalInterface
    private interface PlainTarOpener {
        InputStream open() throws IOException;
    }

    /** The descriptor read back from the plain tar, a second read that stops at its end (it is the first entry). */
    private DescriptorValidation validate(TarEntry descriptor, ImportEvent event, PlainTarOpener plain)
            throws IOException {
        if (descriptor.size() > validator.maxBytes()) {
            return validator.validate(descriptor, InputStream.nullInputStream(), event);
        }
        try (InputStream tar = plain.open()) {
            tar.skipNBytes(descriptor.offset());
            byte[] xml = tar.readNBytes((int) descriptor.size());
            return validator.validate(descriptor, new ByteArrayInputStream(xml), event);
        }
    }

    private DescriptorValidation validate(Path ova, TarEntry descriptor, ImportEvent event) throws IOException {
        if (descriptor.size() > validator.maxBytes()) {
            return validator.validate(descriptor, InputStream.nullInputStream(), event);
        }
        // at most the parser's limit (16 MiB), the same bytes the stage reads with its ranged GET
        ByteBuffer xml = ByteBuffer.allocate((int) descriptor.size());
        try (FileChannel channel = FileChannel.open(ova, StandardOpenOption.READ)) {
            while (xml.hasRemaining() && channel.read(xml, descriptor.offset() + xml.position()) > 0) {
                // read until full: the walk found the entry whole, so the file holds it
            }
        }
        return validator.validate(descriptor, new ByteArrayInputStream(xml.array(), 0, xml.position()), event);
    }
}
