package org.ovaflow.transform.transcode;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.transform.disk.Conversion;
import org.ovaflow.transform.disk.DiskImageReader;
import org.ovaflow.transform.disk.DiskImageWriter;
import org.ovaflow.transform.disk.DiskImages;
import org.ovaflow.transform.disk.GzipImageSource;
import org.ovaflow.transform.disk.ImageSource;
import org.ovaflow.transform.disk.InvalidDiskImageException;
import org.ovaflow.transform.disk.ReadOptions;
import org.ovaflow.transform.disk.TargetFormat;
import org.ovaflow.transform.profile.ManifestAlgorithm;
import org.ovaflow.transform.profile.ManifestSigner;
import org.ovaflow.transform.profile.PlatformFiles;
import org.ovaflow.transform.profile.PlatformProfile;
import org.w3c.dom.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The transcode stage: every disk of the package read in place from the OVA (ranged GETs at the tar index's
 * offsets) and converted, in one read, into each configured target format, streamed up into
 * {@code <staging>/imports/<importId>/<target>/}; beside the disks, for each target, the package's descriptor
 * rewritten for the new files and a new SHA256 manifest. With the {@code original} target the package's own
 * files are staged unchanged as well (their manifest and signature stay valid). Small files (descriptors,
 * manifests) travel in the event instead of staging, as long as there is room ({@link StagedArtifact#content}).
 *
 * <p>A disk that is corrupt, hostile or of a format ovaflow cannot read rejects the import with the codec's
 * named check; anything else (the store failing) is thrown for the stage's retries.
 */
public final class TranscodeStage {

    public static final String NAME = "transcode";

    /**
     * Every check this stage can reject an import for: the {@link InvalidDiskImageException} ids of the disk
     * readers and of this stage ({@code disk.<format>.virtual-size} for each format ReadOptions checks). Their
     * ovaflow_rejects_total series start at 0; RejectingChecksTest holds the list to the code.
     */
    public static final Set<String> REJECTING_CHECKS = Set.of(
            "disk.capacity.virtual-size", "disk.extent", "disk.file", "disk.format.unsupported", "disk.gzip.corrupt",
            "disk.gzip.nested", "disk.qcow2.backing-file", "disk.qcow2.cluster-bits", "disk.qcow2.compressed-cluster",
            "disk.qcow2.compression-type", "disk.qcow2.corrupt", "disk.qcow2.data-cluster", "disk.qcow2.encrypted",
            "disk.qcow2.extended-l2", "disk.qcow2.external-data-file", "disk.qcow2.header",
            "disk.qcow2.incompatible-feature", "disk.qcow2.l1-size", "disk.qcow2.l1-table", "disk.qcow2.l2-table",
            "disk.qcow2.magic", "disk.qcow2.refcount-table", "disk.qcow2.truncated", "disk.qcow2.version",
            "disk.qcow2.virtual-size", "disk.random-access", "disk.raw.truncated", "disk.raw.virtual-size",
            "disk.vhd.bat", "disk.vhd.block-size", "disk.vhd.checksum", "disk.vhd.differencing", "disk.vhd.disk-type",
            "disk.vhd.footer", "disk.vhd.header", "disk.vhd.table-size", "disk.vhd.too-large", "disk.vhd.truncated",
            "disk.vhd.virtual-size", "disk.vmdk.descriptor", "disk.vmdk.extent", "disk.vmdk.extent-file",
            "disk.vmdk.grain-bomb", "disk.vmdk.grain-data", "disk.vmdk.grain-directory", "disk.vmdk.grain-lba",
            "disk.vmdk.grain-offset", "disk.vmdk.grain-order", "disk.vmdk.grain-size", "disk.vmdk.grain-table",
            "disk.vmdk.grain-table-entries", "disk.vmdk.header", "disk.vmdk.magic", "disk.vmdk.marker",
            "disk.vmdk.parent", "disk.vmdk.too-long", "disk.vmdk.truncated", "disk.vmdk.unsupported",
            "disk.vmdk.virtual-size");

    private static final Logger LOG = LoggerFactory.getLogger(TranscodeStage.class);

    private final ObjectStore store;
    private final String stagingBucket;
    private final TranscodeSettings settings;
    private final CatalogLocation catalog;
    private final StageMetrics metrics;

    public TranscodeStage(ObjectStore store, String stagingBucket, TranscodeSettings settings, StageMetrics metrics) {
        this(store, stagingBucket, settings, null, metrics);
    }

    /** @param catalog where publication will put the files, for the aws profile; may be null without it */
    public TranscodeStage(ObjectStore store, String stagingBucket, TranscodeSettings settings, CatalogLocation catalog,
                          StageMetrics metrics) {
        if (catalog == null && settings.profiles().contains(PlatformProfile.AWS)) {
            throw new IllegalArgumentException("the aws profile needs the catalog's location");
        }
        this.store = store;
        this.stagingBucket = stagingBucket;
        this.settings = settings;
        this.catalog = catalog;
        this.metrics = metrics;
    }

    /** Where an import's staged files live: deterministic, so a re-run overwrites rather than duplicates. */
    public static String stagingPrefix(String importId) {
        return "imports/" + importId + "/";
    }

    public StageOutcome transcode(ImportEvent event) {
        List<StagedArtifact> staged = new ArrayList<>();
        OvaBytes ova = OvaBytes.of(store, event.ova());
        CarryingRoom room = new CarryingRoom();
        if (settings.keepOriginal()) {
            for (TarEntry entry : event.tarIndex().entries()) {
                staged.add(stageUnchanged(event, ova, entry, null, null, room));
            }
        }
        if (!settings.outputs().isEmpty()) {
            PackageConversion conversion = new PackageConversion(event, ova, room);
            try {
                staged.addAll(conversion.run());
            } catch (InvalidDiskImageException e) {
                return reject(event, conversion.converting, e);
            } catch (IOException e) {
                throw new UncheckedIOException("transcoding " + event.source() + " failed", e);
            }
        }
        return StageOutcome.forward(Topics.TRANSCODED, event.withArtifacts(staged), StatusEvent.State.TRANSCODED,
                summary(staged));
    }

    /** The import rejected for {@code file}'s disk: nothing it staged is left behind. */
    private StageOutcome reject(ImportEvent event, String file, InvalidDiskImageException e) {
        for (ObjectInfo leftover : store.list(stagingBucket, stagingPrefix(event.importId()))) {
            store.remove(stagingBucket, leftover.key());
        }
        return StageOutcome.reject(event.withChecks(List.of(CheckResult.fail(e.check(), file, e.getMessage()))));
    }

    private String summary(List<StagedArtifact> staged) {
        List<String> parts = new ArrayList<>();
        if (settings.keepOriginal()) {
            parts.add("original files staged unchanged");
        }
        for (TranscodeSettings.Output output : settings.outputs()) {
            long disks = staged.stream().filter(a -> output.folder().equals(a.target()) && "disk".equals(a.role()))
                    .count();
            parts.add(disks + (disks == 1 ? " disk" : " disks") + (output.profile() == null ? " converted to "
                    : " published for ") + output.folder());
        }
        return String.join(", ", parts);
    }

    /**
     * What an event may still carry of its files' bytes ({@link StagedArtifact#content}) rather than staging them:
     * files up to {@link StagedArtifact#CARRIED_MAX}, {@link StagedArtifact#CARRIED_PER_EVENT} in all.
     */
    private static final class CarryingRoom {

        private long left = StagedArtifact.CARRIED_PER_EVENT;

        /** Whether a file of {@code size} bytes is carried; if so, the room it takes is taken. */
        boolean take(long size) {
            if (size > StagedArtifact.CARRIED_MAX || size > left) {
                return false;
            }
            left -= size;
            return true;
        }
    }

    /**
     * One entry of the OVA copied as it is, under {@code folder} (or the root for the original), staged or carried
     * in the event as {@code room} allows; its SHA-1 put into {@code sha1s} when that is not null.
     */
    private StagedArtifact stageUnchanged(ImportEvent event, OvaBytes ova, TarEntry entry, String folder,
                                          Map<String, String> sha1s, CarryingRoom room) {
        String name = folder == null ? entry.name() : folder + "/" + entry.name();
        String key = stagingPrefix(event.importId()) + name;
        String role = role(entry.name(), event.appliance());
        String format = diskFormat(entry.name(), event.appliance()).orElse(null);
        MessageDigest sha256 = digest("SHA-256");
        MessageDigest sha1 = digest("SHA-1");
        InputStream range = new DigestInputStream(ova.range(entry.offset(), entry.size()), sha256);
        byte[] carried = null;
        ObjectInfo stored = null;
        try (InputStream data = sha1s == null ? range : new DigestInputStream(range, sha1)) {
            // a disk is staged whatever its size: publication copies disks on the server
            if (!"disk".equals(role) && room.take(entry.size())) {
                carried = data.readNBytes((int) entry.size());
                if (carried.length != entry.size()) {
                    throw new IOException("the OVA ended after " + carried.length + " of the " + entry.size()
                            + " bytes of " + entry.name());
                }
            } else {
                stored = store.write(stagingBucket, key, data, entry.size(), contentType(entry.name()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("staging " + entry.name() + " of " + event.source() + " failed", e);
        }
        String digest = HexFormat.of().formatHex(sha256.digest());
        if (entry.sha256() != null && !entry.sha256().equals(digest)) {
            // the OVA changed under us although the GET was pinned to its etag: never stage other bytes
            if (stored != null) {
                store.remove(stagingBucket, key);
            }
            throw new IllegalStateException(entry.name() + " read back with sha256 " + digest + ", the checksum stage saw "
                    + entry.sha256());
        }
        if (sha1s != null) {
            sha1s.put(key, HexFormat.of().formatHex(sha1.digest()));
        }
        metrics.bytes(NAME, "in", entry.size());
        metrics.bytes(NAME, "out", entry.size());
        return carried != null
                ? StagedArtifact.carried(role, name, stagingBucket, key, digest, format, folder,
                contentType(entry.name()), carried)
                : new StagedArtifact(role, name, stagingBucket, key, entry.size(), digest, format, folder, stored.etag());
    }

    /** The conversion of one package into every output: disks, other files, descriptors, manifests. */
    private final class PackageConversion {

        private final ImportEvent event;
        private final OvaBytes ova;
        private final ApplianceMetadata appliance;
        private final Map<String, TarEntry> entries = new LinkedHashMap<>();
        /** The file (as References names it) whose disk is being converted: what a rejection concerns. */
        private String converting;
        /** Files a disk's own format named and the conversion absorbed: VMDK flat extents. */
        private final Set<String> absorbed = new HashSet<>();
        private final List<TranscodeSettings.Output> outputs = settings.outputs();
        private final Map<TranscodeSettings.Output, List<StagedArtifact>> byOutput = new LinkedHashMap<>();
        private final Map<TranscodeSettings.Output, Map<String, DescriptorRewriter.FileChange>> changes =
                new HashMap<>();
        private final Map<TranscodeSettings.Output, List<PlatformFiles.ConvertedDisk>> converted = new HashMap<>();
        /** SHA-1s of staged objects by key, for the outputs whose manifest is SHA1; null when none is. */
        private final Map<String, String> sha1s;
        private final CarryingRoom room;

        PackageConversion(ImportEvent event, OvaBytes ova, CarryingRoom room) {
            this.event = event;
            this.ova = ova;
            this.room = room;
            this.appliance = event.appliance();
            event.tarIndex().entries().forEach(e -> entries.put(e.name(), e));
            for (TranscodeSettings.Output output : outputs) {
                byOutput.put(output, new ArrayList<>());
                changes.put(output, new HashMap<>());
                converted.put(output, new ArrayList<>());
            }
            this.sha1s = outputs.stream().anyMatch(o -> manifestAlgorithm(o) == ManifestAlgorithm.SHA1)
                    ? new HashMap<>() : null;
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
                            byOutput.get(output).add(stageUnchanged(event, ova, entry, output.folder(), sha1s, room));
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
                all.addAll(finishOutput(output, descriptor.name(), original, absorbedIds));
            }
            return all;
        }

        /** The output's descriptor, manifest, signature and platform files beside its disks and files. */
        private List<StagedArtifact> finishOutput(TranscodeSettings.Output output, String descriptorName,
                                                  byte[] original, Set<String> absorbedIds) throws IOException {
            List<StagedArtifact> files = byOutput.get(output);
            PlatformProfile profile = output.profile();
            byte[] rewritten = profile == null
                    ? DescriptorRewriter.rewrite(original, changes.get(output), absorbedIds)
                    : DescriptorRewriter.rewrite(original, changes.get(output), absorbedIds, document -> {
                        List<String> dropped = profile.adaptDescriptor(document, settings.profileSettings());
                        if (!dropped.isEmpty()) {
                            LOG.info("{}: the {} descriptor leaves out what OVF 1.x lacks: {}", event.importId(),
                                    profile.id(), dropped);
                        }
                    });
            files.add(0, stageBytes(output, descriptorName, "descriptor", rewritten, "application/xml"));
            ManifestAlgorithm algorithm = manifestAlgorithm(output);
            String manifestName = manifestName(descriptorName);
            byte[] manifest = manifest(files, algorithm, sha1s);
            files.add(stageBytes(output, manifestName, "manifest", manifest, "text/plain"));
            ManifestSigner signer = settings.profileSettings().vmwareSigner();
            if (profile == PlatformProfile.VMWARE && signer != null) {
                files.add(stageBytes(output, certificateName(descriptorName), "certificate",
                        signer.certificateFile(manifestName, manifest, algorithm), "text/plain"));
            }
            if (profile == PlatformProfile.OPENSTACK) {
                Document adapted = DescriptorRewriter.parse(rewritten);
                for (PlatformFiles.ConvertedDisk disk : converted.get(output)) {
                    files.add(stageBytes(output, disk.fileName() + ".glance.json", "platform",
                            PlatformFiles.glanceImage(appliance, adapted, disk), "application/json"));
                }
            } else if (profile == PlatformProfile.AWS) {
                String bucket = Objects.requireNonNullElse(settings.profileSettings().awsBucket(), catalog.bucket());
                files.add(stageBytes(output, "disk-containers.json", "platform", PlatformFiles.awsDiskContainers(
                        appliance, converted.get(output), output.format(), bucket,
                        catalog.folder().apply(event) + output.folder() + "/"), "application/json"));
            }
            return files;
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
                for (Map.Entry<DiskKind, TranscodeSettings.Output> kind : writtenBy.entrySet()) {
                    TargetFormat format = kind.getKey().format();
                    String fileName = baseName + "." + format.extension();
                    boolean sha1 = sha1s != null && outputs.stream()
                            .anyMatch(o -> DiskKind.of(o).equals(kind.getKey()) && manifestAlgorithm(o) == ManifestAlgorithm.SHA1);
                    UploadImageSink sink = new UploadImageSink(store, stagingBucket,
                            stagingPrefix(event.importId()) + kind.getValue().folder() + "/" + fileName,
                            "application/octet-stream", DiskImages.patchesHead(format), sha1);
                    sinks.put(kind.getKey(), sink);
                    writers.add(DiskImages.writer(format, virtualSize, sink, kind.getKey().roundToMiB(), fileName));
                }
                long data = Conversion.copy(reader, writers);
                metrics.bytes(NAME, "in", data);
                for (TranscodeSettings.Output output : outputs) {
                    DiskKind kind = DiskKind.of(output);
                    UploadImageSink sink = sinks.get(kind);
                    String fileName = baseName + "." + output.format().extension();
                    String name = output.folder() + "/" + fileName;
                    String key = stagingPrefix(event.importId()) + name;
                    ObjectInfo staged;
                    if (writtenBy.get(kind) == output) {
                        metrics.bytes(NAME, "out", sink.result().size());
                        staged = sink.result();
                    } else {
                        staged = store.copy(stagingBucket, sink.result().key(), sink.result().size(),
                                sink.result().etag(), stagingBucket, key);
                    }
                    if (sha1s != null && sink.sha1Hex() != null) {
                        sha1s.put(key, sink.sha1Hex());
                    }
                    byOutput.get(output).add(new StagedArtifact("disk", name, stagingBucket, key, sink.result().size(),
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

        /** The file as one stream of bytes: its chunks joined, its gzip undone. */
        private ImageSource fileSource(ApplianceMetadata.File file) throws InvalidDiskImageException {
            List<TarEntry> parts = entriesOf(file);
            if (parts.isEmpty()) {
                throw new InvalidDiskImageException("disk.file", file.href() + " is named by the descriptor but not "
                        + "in the package");
            }
            ImageSource source = parts.size() == 1 && parts.get(0).name().equals(file.href())
                    ? new OvaEntrySource(ova, parts.get(0))
                    : new ChunkedFileSource(file.href(), parts.stream()
                    .map(e -> (ImageSource) new OvaEntrySource(ova, e)).toList());
            return "gzip".equalsIgnoreCase(file.compression()) ? new GzipImageSource(source) : source;
        }

        /** The tar entries holding the file: itself, or its chunks {@code href.000000000, …} in order. */
        private List<TarEntry> entriesOf(ApplianceMetadata.File file) {
            TarEntry whole = entries.get(file.href());
            if (whole != null) {
                return List.of(whole);
            }
            List<TarEntry> chunks = new ArrayList<>();
            for (int i = 0; entries.containsKey(String.format(Locale.ROOT, "%s.%09d", file.href(), i)); i++) {
                chunks.add(entries.get(String.format(Locale.ROOT, "%s.%09d", file.href(), i)));
            }
            return chunks;
        }

        /** Another file of the package a disk names (a VMDK's flat extent): from the OVA only, by exact name. */
        private Optional<ImageSource> sibling(String name) {
            TarEntry entry = entries.get(name);
            if (entry == null || entry == event.tarIndex().entries().get(0)) {
                return Optional.empty();
            }
            absorbed.add(name);
            return Optional.of(new OvaEntrySource(ova, entry));
        }

        /** A file the conversion made, carried in the event when there is room, else staged. */
        private StagedArtifact stageBytes(TranscodeSettings.Output output, String fileName, String role, byte[] bytes,
                                          String contentType) {
            String name = output.folder() + "/" + fileName;
            String key = stagingPrefix(event.importId()) + name;
            String sha256 = hex(digest("SHA-256").digest(bytes));
            if (sha1s != null) {
                sha1s.put(key, hex(digest("SHA-1").digest(bytes)));
            }
            if (room.take(bytes.length)) {
                return StagedArtifact.carried(role, name, stagingBucket, key, sha256, null, output.folder(),
                        contentType, bytes);
            }
            ObjectInfo stored = store.write(stagingBucket, key, bytes, contentType);
            return new StagedArtifact(role, name, stagingBucket, key, bytes.length, sha256, null, output.folder(),
                    stored.etag());
        }

        private byte[] readDescriptor(TarEntry descriptor) throws IOException {
            try (InputStream in = ova.range(descriptor.offset(), descriptor.size())) {
                return in.readAllBytes();
            }
        }
    }

    /** What makes two outputs' images byte-identical: their format and rounding. */
    private record DiskKind(TargetFormat format, boolean roundToMiB) {
        static DiskKind of(TranscodeSettings.Output output) {
            return new DiskKind(output.format(), output.roundToMiB());
        }
    }

    private ManifestAlgorithm manifestAlgorithm(TranscodeSettings.Output output) {
        return output.profile() == PlatformProfile.VMWARE ? settings.profileSettings().vmwareManifest()
                : ManifestAlgorithm.SHA256;
    }

    /** {@code SHA256(name)= hex} (or SHA1) for every file of an output, the descriptor first. */
    static byte[] manifest(List<StagedArtifact> files, ManifestAlgorithm algorithm, Map<String, String> sha1s) {
        StringBuilder lines = new StringBuilder();
        for (StagedArtifact file : files) {
            String name = file.name().substring(file.name().indexOf('/') + 1);
            String digest = algorithm == ManifestAlgorithm.SHA1 ? sha1s.get(file.key()) : file.sha256();
            lines.append(algorithm.manifestName()).append('(').append(name).append(")= ").append(digest).append('\n');
        }
        return lines.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String manifestName(String descriptorName) {
        return stem(descriptorName) + ".mf";
    }

    static String certificateName(String descriptorName) {
        return stem(descriptorName) + ".cert";
    }

    private static String stem(String descriptorName) {
        int dot = descriptorName.lastIndexOf('.');
        return dot > 0 ? descriptorName.substring(0, dot) : descriptorName;
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

    static String role(String name, ApplianceMetadata appliance) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".ovf")) {
            return "descriptor";
        } else if (lower.endsWith(".mf")) {
            return "manifest";
        } else if (lower.endsWith(".cert")) {
            return "certificate";
        }
        return diskFormat(name, appliance).isPresent() ? "disk" : "file";
    }

    /** The format the DiskSection declares for the file {@code name}, if a Disk refers to it. */
    static Optional<String> diskFormat(String name, ApplianceMetadata appliance) {
        if (appliance == null) {
            return Optional.empty();
        }
        return appliance.files().stream().filter(f -> name.equals(f.href())).findFirst()
                .flatMap(file -> appliance.disks().stream().filter(d -> file.id().equals(d.fileRef())).findFirst())
                .map(disk -> disk.format() == null ? "unknown" : disk.format());
    }

    private static String contentType(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".ovf")) {
            return "application/xml";
        } else if (lower.endsWith(".mf") || lower.endsWith(".cert")) {
            return "text/plain";
        }
        return "application/octet-stream";
    }

    private static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " missing from the JDK", e);
        }
    }
}
