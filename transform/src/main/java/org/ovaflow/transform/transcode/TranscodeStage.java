package org.ovaflow.transform.transcode;

import org.ovaflow.core.event.CatalogNames;
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
import org.ovaflow.core.thread.DaemonThreads;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.transform.profile.PlatformProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The transcode stage: every disk of the package read in place from the OVA (ranged GETs at the tar index's
 * offsets) and converted, in one read, into each configured target format, streamed up into
 * {@code <staging>/imports/<importId>/<target>/} (or, given a catalog location that holds them, straight into the
 * import's own folder of its catalog entry, {@code <entry>/<importId>/<target>/}); beside the disks, for each target, the package's descriptor
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

    /**
     * Where the copies of the original OVA and files run while the disks convert: a store across a network copies
     * them on its side (the threads only wait), one on loopback copies the OVA on its side too and the files through
     * this process, a GET streamed into a PUT with 6 MiB of buffers each (see {@code ObjectStore.copyRange}). Two at
     * a time, so that a package of many large files does not hold the buffers of all of them at once.
     */
    private static final int ORIGINAL_COPIES_AT_ONCE = 2;
    private static final ExecutorService ORIGINAL_COPIES =
            Executors.newFixedThreadPool(ORIGINAL_COPIES_AT_ONCE, DaemonThreads.named("transcode-original-copy"));

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

    /** The bucket the outputs go to: the catalog's when it holds them, else staging. */
    private String bucket() {
        return catalog != null && catalog.holdsOutputs() ? catalog.bucket() : stagingBucket;
    }

    /**
     * The import's own folder for its outputs: {@code <entry>/<importId>/} in the catalog (no other import writes
     * there, so a rejected or conflicting import never touches a published entry's files), else its staging folder.
     */
    private String prefix(ImportEvent event) {
        return catalog != null && catalog.holdsOutputs() ? catalog.importFolder(event)
                : stagingPrefix(event.importId());
    }

    public StageOutcome transcode(ImportEvent event) {
        // an event carrying other bytes than its descriptor's is poison: found before anything is written
        byte[] carriedDescriptor = event.tarIndex().carriedDescriptor().orElse(null);
        OvaBytes ova = OvaBytes.of(store, event.ova());
        String bucket = bucket();
        String prefix = prefix(event);
        ImportStaging staging = new ImportStaging(store, bucket, prefix, metrics, event, ova);
        List<CompletableFuture<StagedArtifact>> originals = new ArrayList<>();
        List<StagedArtifact> converted = List.of();
        try {
            if (catalog != null && catalog.holdsOutputs() && catalog.keepsOva()) {
                // first: the longest copy, the others' pace does not hold it back
                staging.keptOvaAlongside(ORIGINAL_COPIES, settings.keepOriginal()).ifPresent(originals::add);
            }
            if (settings.keepOriginal()) {
                for (TarEntry entry : event.tarIndex().entries()) {
                    originals.add(staging.unchangedAlongside(entry, ORIGINAL_COPIES));
                }
            }
            if (!settings.outputs().isEmpty()) {
                PackageConversion conversion = new PackageConversion(store, bucket, prefix, settings, catalog,
                        metrics, event, ova, staging, carriedDescriptor);
                try {
                    converted = conversion.run();
                } catch (InvalidDiskImageException e) {
                    settle(originals);
                    return reject(event, conversion.converting(), e);
                } catch (IOException e) {
                    throw new UncheckedIOException("transcoding " + event.source() + " failed", e);
                }
            }
        } catch (RuntimeException e) {
            settle(originals);
            throw e;
        }
        List<StagedArtifact> staged = new ArrayList<>();
        for (CompletableFuture<StagedArtifact> original : originals) {
            staged.add(stored(original));
        }
        staged.addAll(converted);
        // the descriptor's bytes go on as the original's artifact when carried at all: not twice
        return StageOutcome.forward(Topics.TRANSCODED, event.withArtifacts(staged)
                        .withTarIndex(event.tarIndex().withoutDescriptor()), StatusEvent.State.TRANSCODED,
                summary(staged));
    }

    /** An original file as the store copied it; the copy's failure is thrown here, as if it had been made here. */
    private static StagedArtifact stored(CompletableFuture<StagedArtifact> copy) {
        try {
            return copy.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the store copied an original file", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException failure ? failure
                    : new IllegalStateException("copying an original file failed", e.getCause());
        }
    }

    /**
     * Waits until every copy has ended, well or not, before the import's folder is cleared or the stage retries:
     * a copy that completed afterwards would leave an object behind.
     */
    private static void settle(List<CompletableFuture<StagedArtifact>> copies) {
        for (CompletableFuture<StagedArtifact> copy : copies) {
            try {
                copy.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException ignored) {
                // the import failed already: the failure being thrown or the rejection is what it reports
            }
        }
    }

    /** The import rejected for {@code file}'s disk: nothing it staged is left behind. */
    private StageOutcome reject(ImportEvent event, String file, InvalidDiskImageException e) {
        for (ObjectInfo leftover : store.list(bucket(), prefix(event))) {
            store.remove(bucket(), leftover.key());
        }
        return StageOutcome.reject(event.withChecks(List.of(CheckResult.fail(e.check(), file, e.getMessage()))));
    }

    private String summary(List<StagedArtifact> staged) {
        List<String> parts = new ArrayList<>();
        if (staged.stream().anyMatch(a -> CatalogNames.KEPT_OVA_ROLE.equals(a.role()))) {
            parts.add("original OVA kept");
        }
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
}
