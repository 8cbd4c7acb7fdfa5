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
import java.util.Optional;
import java.util.Set;

/**
 * The transcode stage: every disk of the package read in place from the OVA (ranged GETs at the tar index's
 * offsets) and converted, in one read, into each configured target format, streamed up into
 * {@code <staging>/imports/<importId>/<target>/}; beside the disks, for each target, the package's descriptor
 * rewritten for the new files and a new SHA256 manifest. With the {@code original} target the package's own
 * files are staged unchanged as well (their manifest and signature stay valid).
 *
 * <p>A disk that is corrupt, hostile or of a format ovaflow cannot read rejects the import with the codec's
 * named check; anything else (the store failing) is thrown for the stage's retries.
 */
public final class TranscodeStage {

    public static final String NAME = "transcode";

    private static final Logger LOG = LoggerFactory.getLogger(TranscodeStage.class);

    private final ObjectStore store;
    private final String stagingBucket;
    private final TranscodeSettings settings;

    public TranscodeStage(ObjectStore store, String stagingBucket, TranscodeSettings settings) {
        this.store = store;
        this.stagingBucket = stagingBucket;
        this.settings = settings;
    }

    /** Where an import's staged files live: deterministic, so a re-run overwrites rather than duplicates. */
    public static String stagingPrefix(String importId) {
        return "imports/" + importId + "/";
    }

    public StageOutcome transcode(ImportEvent event) {
        List<StagedArtifact> staged = new ArrayList<>();
        if (settings.keepOriginal()) {
            for (TarEntry entry : event.tarIndex().entries()) {
                staged.add(stageUnchanged(event, entry, null));
            }
        }
        if (!settings.targets().isEmpty()) {
            PackageConversion conversion = new PackageConversion(event);
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
        for (TargetFormat target : settings.targets()) {
            long disks = staged.stream().filter(a -> target.id().equals(a.target()) && "disk".equals(a.role())).count();
            parts.add(disks + (disks == 1 ? " disk" : " disks") + " converted to " + target.id());
        }
        return String.join(", ", parts);
    }

    /** One entry of the OVA copied as it is, under {@code target}'s folder (or the root for the original). */
    private StagedArtifact stageUnchanged(ImportEvent event, TarEntry entry, String target) {
        String name = target == null ? entry.name() : target + "/" + entry.name();
        String key = stagingPrefix(event.importId()) + name;
        MessageDigest sha256 = sha256();
        try (InputStream data = new DigestInputStream(store.readRange(event.ova(), entry.offset(), entry.size()),
                sha256)) {
            store.write(stagingBucket, key, data, entry.size(), contentType(entry.name()));
        } catch (IOException e) {
            throw new UncheckedIOException("staging " + entry.name() + " of " + event.source() + " failed", e);
        }
        String digest = HexFormat.of().formatHex(sha256.digest());
        if (entry.sha256() != null && !entry.sha256().equals(digest)) {
            // the OVA changed under us although the GET was pinned to its etag: never stage other bytes
            store.remove(stagingBucket, key);
            throw new IllegalStateException(entry.name() + " read back with sha256 " + digest + ", the checksum stage saw "
                    + entry.sha256());
        }
        StageMetrics.bytes(NAME, "in", entry.size());
        StageMetrics.bytes(NAME, "out", entry.size());
        return new StagedArtifact(role(entry.name(), event.appliance()), name, stagingBucket, key, entry.size(), digest,
                diskFormat(entry.name(), event.appliance()).orElse(null), target);
    }

    /** The conversion of one package into every target: disks, other files, descriptors, manifests. */
    private final class PackageConversion {

        private final ImportEvent event;
        private final ApplianceMetadata appliance;
        private final Map<String, TarEntry> entries = new LinkedHashMap<>();
        /** The file (as References names it) whose disk is being converted: what a rejection concerns. */
        private String converting;
        /** Files a disk's own format named and the conversion absorbed: VMDK flat extents. */
        private final Set<String> absorbed = new HashSet<>();
        private final Map<TargetFormat, List<StagedArtifact>> byTarget = new LinkedHashMap<>();
        private final Map<TargetFormat, Map<String, DescriptorRewriter.FileChange>> changes = new HashMap<>();

        PackageConversion(ImportEvent event) {
            this.event = event;
            this.appliance = event.appliance();
            event.tarIndex().entries().forEach(e -> entries.put(e.name(), e));
            for (TargetFormat target : settings.targets()) {
                byTarget.put(target, new ArrayList<>());
                changes.put(target, new HashMap<>());
            }
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
                        for (TargetFormat target : settings.targets()) {
                            byTarget.get(target).add(stageUnchanged(event, entry, target.id()));
                        }
                    }
                }
            }
            byte[] original = readDescriptor(descriptor);
            Set<String> absorbedIds = new HashSet<>();
            appliance.files().stream().filter(f -> absorbed.contains(f.href())).forEach(f -> absorbedIds.add(f.id()));
            List<StagedArtifact> all = new ArrayList<>();
            for (TargetFormat target : settings.targets()) {
                List<StagedArtifact> files = byTarget.get(target);
                byte[] rewritten = DescriptorRewriter.rewrite(original, changes.get(target), absorbedIds);
                StagedArtifact ovf = stageBytes(target, descriptor.name(), "descriptor", rewritten, "application/xml");
                files.add(0, ovf);
                files.add(stageBytes(target, manifestName(descriptor.name()), "manifest", manifest(files),
                        "text/plain"));
                all.addAll(files);
            }
            return all;
        }

        private void convertDisk(ApplianceMetadata.File file, ApplianceMetadata.Disk disk, String baseName)
                throws IOException {
            // bytes the manifest's digest verified need no second, weaker check (a VMDK grain's Adler-32)
            boolean verified = !entriesOf(file).isEmpty() && entriesOf(file).stream()
                    .allMatch(e -> event.manifest() != null && event.manifest().verified().containsKey(e.name()));
            ReadOptions options = new ReadOptions(settings.maxVirtualSize(), this::sibling, verified);
            List<UploadImageSink> sinks = new ArrayList<>();
            List<DiskImageWriter> writers = new ArrayList<>();
            try (ImageSource source = fileSource(file);
                 DiskImageReader reader = DiskImages.open(source, options)) {
                // a disk the descriptor declares larger than its image is that large on every platform
                long declared = disk.capacityBytes() == null ? 0 : disk.capacityBytes();
                options.checkVirtualSize("capacity", file.href() + " (the descriptor's capacity)",
                        Math.max(1, declared));
                long virtualSize = Math.max(reader.virtualSize(), declared);
                for (TargetFormat target : settings.targets()) {
                    String name = target.id() + "/" + baseName + "." + target.extension();
                    UploadImageSink sink = new UploadImageSink(store, stagingBucket,
                            stagingPrefix(event.importId()) + name, "application/octet-stream",
                            DiskImages.patchesHead(target));
                    sinks.add(sink);
                    writers.add(DiskImages.writer(target, virtualSize, sink, settings.roundVhdToMiB(),
                            baseName + "." + target.extension()));
                }
                long data = Conversion.copy(reader, writers);
                StageMetrics.bytes(NAME, "in", data);
                for (int i = 0; i < writers.size(); i++) {
                    TargetFormat target = settings.targets().get(i);
                    UploadImageSink sink = sinks.get(i);
                    String name = target.id() + "/" + baseName + "." + target.extension();
                    StageMetrics.bytes(NAME, "out", sink.result().size());
                    byTarget.get(target).add(new StagedArtifact("disk", name, stagingBucket, sink.result().key(),
                            sink.result().size(), sink.sha256Hex(), target.ovfFormat(), target.id()));
                    long outputSize = DiskImages.outputVirtualSize(target, virtualSize, settings.roundVhdToMiB());
                    Long capacity = disk.capacityBytes() != null && disk.capacityBytes() == outputSize ? null
                            : outputSize;
                    changes.get(target).put(file.id(), new DescriptorRewriter.FileChange(
                            baseName + "." + target.extension(), sink.result().size(), target.ovfFormat(), data,
                            capacity));
                }
                LOG.info("{}: {} ({} bytes of data, {} virtual) converted to {}", event.importId(), file.href(), data,
                        virtualSize, settings.targets());
            } finally {
                for (DiskImageWriter writer : writers) {
                    writer.close();
                }
                for (UploadImageSink sink : sinks) {
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
                    ? new OvaEntrySource(store, event.ova(), parts.get(0))
                    : new ChunkedFileSource(file.href(), parts.stream()
                    .map(e -> (ImageSource) new OvaEntrySource(store, event.ova(), e)).toList());
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
            return Optional.of(new OvaEntrySource(store, event.ova(), entry));
        }

        private StagedArtifact stageBytes(TargetFormat target, String fileName, String role, byte[] bytes,
                                          String contentType) {
            String name = target.id() + "/" + fileName;
            String key = stagingPrefix(event.importId()) + name;
            store.write(stagingBucket, key, bytes, contentType);
            return new StagedArtifact(role, name, stagingBucket, key, bytes.length, sha256Hex(bytes), null, target.id());
        }

        private byte[] readDescriptor(TarEntry descriptor) throws IOException {
            try (InputStream in = store.readRange(event.ova(), descriptor.offset(), descriptor.size())) {
                return in.readAllBytes();
            }
        }
    }

    /** {@code SHA256(name)= hex} for every file of a target, in the order the descriptor comes first. */
    static byte[] manifest(List<StagedArtifact> files) {
        StringBuilder lines = new StringBuilder();
        for (StagedArtifact file : files) {
            String name = file.name().substring(file.name().indexOf('/') + 1);
            lines.append("SHA256(").append(name).append(")= ").append(file.sha256()).append('\n');
        }
        return lines.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String manifestName(String descriptorName) {
        int dot = descriptorName.lastIndexOf('.');
        return (dot > 0 ? descriptorName.substring(0, dot) : descriptorName) + ".mf";
    }

    /** The disk's name without its extension, made unique among the package's converted disks. */
    static String uniqueName(String href, Set<String> taken) {
        String base = href;
        for (String suffix : List.of(".gz", ".vmdk", ".qcow2", ".vhd", ".img", ".raw")) {
            if (base.toLowerCase(Locale.ROOT).endsWith(suffix)) {
                base = base.substring(0, base.length() - suffix.length());
            }
        }
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

    private static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
