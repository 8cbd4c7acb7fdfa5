package org.ovaflow.transform.transcode;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.transform.disk.DiskImageReader;
import org.ovaflow.transform.disk.DiskImages;
import org.ovaflow.transform.disk.GzipImageSource;
import org.ovaflow.transform.disk.ImageSource;
import org.ovaflow.transform.disk.InvalidDiskImageException;
import org.ovaflow.transform.disk.ReadOptions;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Every disk image of a package read to its end by the transcode stage's readers, writing nothing: the verdict
 * the transcode stage would give on the disks, for {@code ovaflow inspect}, which checks a local file with the
 * validate stages' code and cannot otherwise see what only a full read finds (a grain table, L2 table or block
 * pointing past the end of the file, a grain that does not inflate). The files are found and opened as the stage
 * opens them: by the Disk's File, whole or in chunks, gunzipped when the descriptor says so, flat extents from
 * the package only.
 */
public final class PackageDiskReads {

    /** The check a disk image passes when it reads to its end; a refusal carries the reader's own check id. */
    public static final String CHECK = "disk.read";

    /** Byte ranges of the plain OVA (a local file for inspect). */
    @FunctionalInterface
    public interface OvaRanges {
        /** At most {@code length} bytes from {@code offset} of the OVA. */
        InputStream open(long offset, long length) throws IOException;
    }

    private PackageDiskReads() {
    }

    /**
     * One check per disk file of {@code event}'s appliance: {@link #CHECK} PASS, or a FAIL with the id the transcode
     * stage would reject it with ({@code disk.vmdk.grain-table}, …). Files the package does not hold are left to
     * the schema stage's {@code ovf.file-present}.
     */
    public static List<CheckResult> readAll(OvaRanges ova, ImportEvent event, long maxVirtualSize)
            throws IOException {
        ApplianceMetadata appliance = event.appliance();
        if (appliance == null || event.tarIndex() == null) {
            return List.of();
        }
        Map<String, TarEntry> entries = new LinkedHashMap<>();
        event.tarIndex().entries().forEach(e -> entries.putIfAbsent(e.name(), e));
        TarEntry descriptor = event.tarIndex().entries().isEmpty() ? null : event.tarIndex().entries().get(0);
        List<CheckResult> checks = new ArrayList<>();
        for (ApplianceMetadata.File file : appliance.files()) {
            if (appliance.disks().stream().noneMatch(d -> file.id().equals(d.fileRef()))) {
                continue;
            }
            List<TarEntry> parts = entriesOf(entries, file);
            if (parts.isEmpty()) {
                continue;
            }
            // bytes the manifest's digest verified need no second, weaker check (a VMDK grain's Adler-32), as in the stage
            boolean verified = event.manifest() != null
                    && parts.stream().allMatch(e -> event.manifest().verified().containsKey(e.name()));
            ReadOptions options = new ReadOptions(maxVirtualSize, name -> {
                TarEntry sibling = entries.get(name);
                return sibling == null || sibling == descriptor ? Optional.empty()
                        : Optional.of(new EntrySource(ova, sibling));
            }, verified);
            checks.add(read(source(ova, file, parts), file.href(), options));
        }
        return checks;
    }

    private static CheckResult read(ImageSource source, String href, ReadOptions options) throws IOException {
        try (source; DiskImageReader reader = DiskImages.open(source, options)) {
            long data = 0;
            for (DiskImageReader.Chunk chunk = reader.next(); chunk != null; chunk = reader.next()) {
                data += chunk.length();
            }
            return CheckResult.pass(CHECK, href, "read to its end as the transcode stage reads it: "
                    + reader.virtualSize() + " bytes of virtual size, " + data + " of them stored");
        } catch (InvalidDiskImageException e) {
            return CheckResult.fail(e.check(), href, e.getMessage());
        }
    }

    private static ImageSource source(OvaRanges ova, ApplianceMetadata.File file, List<TarEntry> parts) {
        ImageSource source = parts.size() == 1 && parts.get(0).name().equals(file.href())
                ? new EntrySource(ova, parts.get(0))
                : new ChunkedFileSource(file.href(), parts.stream()
                .map(e -> (ImageSource) new EntrySource(ova, e)).toList());
        return "gzip".equalsIgnoreCase(file.compression()) ? new GzipImageSource(source) : source;
    }

    /** The tar entries holding the file: itself, or its chunks {@code href.000000000, …} in order. */
    private static List<TarEntry> entriesOf(Map<String, TarEntry> entries, ApplianceMetadata.File file) {
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

    /** One entry of the OVA, by ranges of the OVA. */
    private record EntrySource(OvaRanges ova, TarEntry entry) implements ImageSource {
        @Override
        public long size() {
            return entry.size();
        }

        @Override
        public String name() {
            return entry.name();
        }

        @Override
        public InputStream open(long offset, long length) throws IOException {
            long within = Math.max(0, Math.min(length, entry.size() - offset));
            return ova.open(entry.offset() + offset, within);
        }
    }
}
