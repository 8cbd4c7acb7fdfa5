package org.ovaflow.transform.transcode;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.disk.AllocationMap;
import org.ovaflow.disk.Conversion;
import org.ovaflow.disk.DiskImageReader;
import org.ovaflow.disk.DiskImageWriter;
import org.ovaflow.disk.DiskImages;
import org.ovaflow.disk.ImageSource;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.PackageFile;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.TargetFormat;
import org.ovaflow.transform.profile.ManifestAlgorithm;
import org.ovaflow.transform.profile.PlatformFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The conversion of one package into every output of the transcode stage: disks, other files, descriptors, manifests. */
final class PackageConversion {

    private static final Logger LOG = LoggerFactory.getLogger(TranscodeStage.class);

    private final ObjectStore store;
    /** Where the outputs go: the bucket, and the import's folder in it (staging's or its catalog entry's). */
    private final String bucket;
    private final String prefix;
    private final TranscodeSettings settings;
    private final StageMetrics metrics;
    private final ImportEvent event;
    private final OvaBytes ova;
    private final ImportStaging staging;
    /** The descriptor's bytes the event carries, checked by the stage; null when it carries none. */
    private final byte[] carriedDescriptor;
    private final ApplianceMetadata appliance;
    private final Map<String, TarEntry> entries = new LinkedHashMap<>();
    /** The file (as References names it) whose disk is being converted: what a rejection concerns. */
    private String converting;
    /** Files a disk's own format named and the conversion absorbed: VMDK flat extents. */
    private final Set<String> absorbed = new HashSet<>();
    private final List<TranscodeSettings.Output> outputs;
    private final Map<TranscodeSettings.Output, List<StagedArtifact>> byOutput = new LinkedHashMap<>();
    private final Map<TranscodeSettings.Output, Map<String, DescriptorRewriter.FileChange>> changes =
            new HashMap<>();
    private final Map<TranscodeSettings.Output, List<PlatformFiles.ConvertedDisk>> converted = new HashMap<>();
    /** SHA-1s of staged objects by key, for the outputs whose manifest is SHA1; null when none is. */
    private final Map<String, String> sha1s;
    private final OutputPackageFiles packageFiles;

    PackageConversion(ObjectStore store, String bucket, String prefix, TranscodeSettings settings,
                      CatalogLocation catalog, StageMetrics metrics, ImportEvent event, OvaBytes ova,
                      ImportStaging staging, byte[] carriedDescriptor) {
        this.store = store;
        this.bucket = bucket;
        this.prefix = prefix;
        this.settings = settings;
        this.metrics = metrics;
        this.event = event;
        this.ova = ova;
        this.staging = staging;
        this.carriedDescriptor = carriedDescriptor;
        this.appliance = event.appliance();
        this.outputs = settings.outputs();
        event.tarIndex().entries().forEach(e -> entries.put(e.name(), e));
        for (TranscodeSettings.Output output : outputs) {
            byOutput.put(output, new ArrayList<>());
            changes.put(output, new HashMap<>());
            converted.put(output, new ArrayList<>());
        }
        this.sha1s = outputs.stream().anyMatch(o -> manifestAlgorithm(o) == ManifestAlgorithm.SHA1)
                ? new HashMap<>() : null;
        this.packageFiles = new OutputPackageFiles(settings, catalog, event, staging, sha1s);
    }

    /** The file (as References names it) whose disk was being converted, null once the disks are done. */
    String converting() {
        return converting;
    }

    List<StagedArtifact> run() throws IOException {
        Set<String> taken = new HashSet<>();
        for (ApplianceMetadata.File file : appliance.files()) {
            Optional<ApplianceMetadata.Disk> disk = appliance.disks().stream()
                    .filter(d -> file.id().equals(d.fileRef())).findFirst();
            if (disk.isPresent()) {
                converting = file.href();
                convertDisk(file, disk.get(), uniqueName(file.href(), taken));
            }
        }
        converting = null;
        TarEntry descriptor = event.tarIndex().entries().get(0);
        for (ApplianceMetadata.File file : appliance.files()) {
            boolean isDisk = appliance.disks().stream().anyMatch(d -> file.id().equals(d.fileRef()));
            if (!isDisk && !absorbed.contains(file.href())) {
                for (TarEntry entry : entriesOf(file)) {
                    for (TranscodeSettings.Output output : outputs) {
                        byOutput.get(output).add(staging.unchanged(entry, output.folder(), sha1s));
                    }
                }
                if (entries.containsKey(file.href())) {
                    // the descriptor names it as the archive did (the schema stage resolved its spelling)
                    outputs.forEach(o -> changes.get(o).put(file.id(), DescriptorRewriter.FileChange.named(file.href())));
                }
            }
        }
        byte[] original = readDescriptor(descriptor);
        Set<String> absorbedIds = new HashSet<>();
        appliance.files().stream().filter(f -> absorbed.contains(f.href())).forEach(f -> absorbedIds.add(f.id()));
        List<StagedArtifact> all = new ArrayList<>();
        for (TranscodeSettings.Output output : outputs) {
            all.addAll(packageFiles.finish(output, byOutput.get(output), descriptor.name(), original,
                    changes.get(output), absorbedIds, converted.get(output)));
        }
        return all;
    }

    private void convertDisk(ApplianceMetadata.File file, ApplianceMetadata.Disk disk, String baseName)
            throws IOException {
        // bytes the manifest's digest verified need no second, weaker check (a VMDK grain's Adler-32)
        boolean verified = !entriesOf(file).isEmpty() && entriesOf(file).stream()
                .allMatch(e -> event.manifest() != null && event.manifest().verified().containsKey(e.name()));
        ReadOptions options = new ReadOptions(settings.maxVirtualSize(), this::sibling, verified);
        // one writer for each distinct kind of image: outputs wanting the same one get a server-side copy
        Map<DiskKind, TranscodeSettings.Output> writtenBy = new LinkedHashMap<>();
        outputs.forEach(o -> writtenBy.putIfAbsent(DiskKind.of(o), o));
        Map<DiskKind, UploadImageSink> sinks = new LinkedHashMap<>();
        List<DiskImageWriter> writers = new ArrayList<>();
        try (ImageSource source = fileSource(file);
             DiskImageReader reader = DiskImages.open(source, options)) {
            // a disk the descriptor declares larger than its image is that large on every platform
            long declared = disk.capacityBytes() == null ? 0 : disk.capacityBytes();
            options.checkVirtualSize("capacity", file.href() + " (the descriptor's capacity)",
                    Math.max(1, declared));
            long virtualSize = Math.max(reader.virtualSize(), declared);
            AllocationMap allocation = plannable(writtenBy.keySet(), source) ? reader.allocation().orElse(null) : null;
            for (Map.Entry<DiskKind, TranscodeSettings.Output> kind : writtenBy.entrySet()) {
                TargetFormat format = kind.getKey().format();
                String fileName = baseName + "." + format.extension();
                boolean sha1 = sha1s != null && outputs.stream()
                        .anyMatch(o -> DiskKind.of(o).equals(kind.getKey()) && manifestAlgorithm(o) == ManifestAlgorithm.SHA1);
                UploadImageSink sink = new UploadImageSink(store, bucket,
                        prefix + kind.getValue().folder() + "/" + fileName,
                        "application/octet-stream", DiskImages.patchesHead(format), sha1);
                sinks.put(kind.getKey(), sink);
                writers.add(DiskImages.writer(format, virtualSize, sink, kind.getKey().roundToMiB(), fileName,
                        allocation));
            }
            long data = Conversion.copy(reader, writers);
            metrics.bytes(TranscodeStage.NAME, "in", data);
            for (TranscodeSettings.Output output : outputs) {
                DiskKind kind = DiskKind.of(output);
                UploadImageSink sink = sinks.get(kind);
                String fileName = baseName + "." + output.format().extension();
                String name = output.folder() + "/" + fileName;
                String key = prefix + name;
                ObjectInfo staged;
                if (writtenBy.get(kind) == output) {
                    metrics.bytes(TranscodeStage.NAME, "out", sink.result().size());
                    staged = sink.result();
                } else {
                    staged = store.copy(bucket, sink.result().key(), sink.result().size(),
                            sink.result().etag(), bucket, key);
                }
                if (sha1s != null && sink.sha1Hex() != null) {
                    sha1s.put(key, sink.sha1Hex());
                }
                byOutput.get(output).add(new StagedArtifact("disk", name, bucket, key, sink.result().size(),
                        sink.sha256Hex(), output.format().ovfFormat(), output.folder(), staged.etag()));
                long outputSize = DiskImages.outputVirtualSize(output.format(), virtualSize, output.roundToMiB());
                Long capacity = disk.capacityBytes() != null && disk.capacityBytes() == outputSize ? null
                        : outputSize;
                changes.get(output).put(file.id(), new DescriptorRewriter.FileChange(fileName,
                        sink.result().size(), output.format().ovfFormat(), data, capacity));
                converted.get(output).add(new PlatformFiles.ConvertedDisk(fileName, file.id(), outputSize));
            }
            LOG.info("{}: {} ({} bytes of data, {} virtual) converted to {}", event.importId(), file.href(), data,
                    virtualSize, outputs.stream().map(TranscodeSettings.Output::folder).toList());
        } finally {
            for (DiskImageWriter writer : writers) {
                writer.close();
            }
            for (UploadImageSink sink : sinks.values()) {
                sink.close();
            }
        }
    }

    /**
     * Whether the source's tables are worth reading ahead (a ranged GET or two): for a qcow2 output larger than
     * one part, which, planned, goes up hashed on the way and in one PUT where the store allows, instead of in
     * parts joined by the store and then read back to be hashed. A smaller one goes in one PUT either way.
     */
    private static boolean plannable(Set<DiskKind> kinds, ImageSource source) {
        return kinds.stream().anyMatch(k -> k.format() == TargetFormat.QCOW2)
                && source.size() > UploadImageSink.PART_SIZE;
    }

    /** The file as one stream of bytes: its chunks joined, its gzip undone. */
    private ImageSource fileSource(ApplianceMetadata.File file) throws InvalidDiskImageException {
        List<TarEntry> parts = entriesOf(file);
        if (parts.isEmpty()) {
            throw new InvalidDiskImageException("disk.file", file.href() + " is named by the descriptor but not "
                    + "in the package");
        }
        return PackageFile.source(file.href(), parts.stream().map(this::entrySource).toList(),
                "gzip".equalsIgnoreCase(file.compression()));
    }

    /** The tar entries holding the file: itself, or its chunks in order, as inspect finds them too. */
    private List<TarEntry> entriesOf(ApplianceMetadata.File file) {
        return PackageFile.partNames(file.href(), entries::containsKey).stream().map(entries::get).toList();
    }

    /** Another file of the package a disk names (a VMDK's flat extent): from the OVA only, by exact name. */
    private Optional<ImageSource> sibling(String name) {
        TarEntry entry = entries.get(name);
        if (entry == null || entry == event.tarIndex().entries().get(0)) {
            return Optional.empty();
        }
        absorbed.add(name);
        return Optional.of(entrySource(entry));
    }

    /**
     * One file of the OVA in the store, read in place at the offsets the checksum stage's tar index recorded (by
     * ranged GETs pinned to the OVA's etag, see {@link OvaBytes}): nothing is extracted or copied first.
     */
    private ImageSource entrySource(TarEntry entry) {
        return PackageFile.entry(entry.name(), entry.offset(), entry.size(), ova::range);
    }

    /** The descriptor's bytes: carried in the event by the checksum stage when small, else read from the OVA. */
    private byte[] readDescriptor(TarEntry descriptor) throws IOException {
        if (carriedDescriptor != null) {
            return carriedDescriptor;
        }
        try (InputStream in = ova.range(descriptor.offset(), descriptor.size())) {
            return in.readAllBytes();
        }
    }

    private ManifestAlgorithm manifestAlgorithm(TranscodeSettings.Output output) {
        return OutputPackageFiles.manifestAlgorithm(output, settings);
    }

    /**
     * The disk's name without its extension, made unique among the package's converted disks; characters an href
     * would have to percent-encode (spaces, non-ASCII) become '-', so the name and the href are one string.
     */
    static String uniqueName(String href, Set<String> taken) {
        String base = href;
        for (String suffix : List.of(".gz", ".vmdk", ".qcow2", ".vhd", ".img", ".raw")) {
            if (base.toLowerCase(Locale.ROOT).endsWith(suffix)) {
                base = base.substring(0, base.length() - suffix.length());
            }
        }
        base = base.replaceAll("[^A-Za-z0-9._-]", "-");
        String unique = base;
        for (int i = 2; !taken.add(unique); i++) {
            unique = base + "-" + i;
        }
        return unique;
    }

    /** What makes two outputs' images byte-identical: their format and rounding. */
    private record DiskKind(TargetFormat format, boolean roundToMiB) {
        static DiskKind of(TranscodeSettings.Output output) {
            return new DiskKind(output.format(), output.roundToMiB());
        }
    }
}
