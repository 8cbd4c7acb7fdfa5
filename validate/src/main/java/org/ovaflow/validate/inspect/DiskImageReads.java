package org.ovaflow.validate.inspect;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.disk.DiskImageReader;
import org.ovaflow.disk.DiskImages;
import org.ovaflow.disk.ImageSource;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.PackageFile;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.validate.checksum.EntryTap;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every disk image of a package read to its end by the disk library's readers, the transcode stage's, writing
 * nothing: the verdict the transcode stage would give on the disks' structure, for {@code ovaflow inspect}, which
 * cannot otherwise see what only a full read finds (a grain table, L2 table or block pointing past the end of the
 * file, a grain that does not inflate). The files are found and opened as the stage opens them
 * ({@link PackageFile}): by the Disk's File, whole or in chunks, gunzipped when the descriptor says so, flat
 * extents from the package only.
 *
 * <p>One {@link Pass} per package. A file read forward by its reader (a streamOptimized VMDK, a gzip-compressed
 * file, which the stage too can only read forward) is read while the package's one streaming pass goes by
 * ({@link Pass#open}), on a thread of its own; the others, and chunked files, after the pass by ranges of the
 * package's files ({@link Pass#finish}), when it has them.
 */
public final class DiskImageReads {

    /** The check a disk image passes when it reads to its end; a refusal carries the reader's own check id. */
    public static final String CHECK = "disk.read";

    /** Byte ranges of a package's files, by their tar entries (a local OVA's, or an unpacked package's files). */
    @FunctionalInterface
    public interface EntryRanges {
        /** At most {@code length} bytes from {@code offset} of {@code entry}'s data. */
        InputStream open(TarEntry entry, long offset, long length) throws IOException;
    }

    private static final byte[] SPARSE_MAGIC = {'K', 'D', 'M', 'V'};
    /** The sparse extent header's flags: bit 16, grains compressed (streamOptimized). */
    private static final int COMPRESSED_GRAINS = 1 << 16;

    private DiskImageReads() {
    }

    /** The reads of one package's disks, with the transcode stage's limit on virtual sizes. */
    public static Pass start(long maxVirtualSize) {
        return new Pass(maxVirtualSize);
    }

    /** One package's disks: fed in its streaming pass, judged after it. Close it: it stops what still reads. */
    public static final class Pass implements EntryTap, AutoCloseable {
        private final long maxVirtualSize;
        /** The reads started in the pass, by entry name (the first entry of a name, as the stage reads). */
        private final Map<String, StreamedDiskRead> streamed = new LinkedHashMap<>();

        private Pass(long maxVirtualSize) {
            this.maxVirtualSize = maxVirtualSize;
        }

        /**
         * A read of the entry {@code name} whose first bytes are {@code head[0, length)}, fed with all its bytes
         * in order, when its reader reads forward: a streamOptimized VMDK, or a gzip stream (as the stage reads
         * it: inflated, forward only). Null for the other entries, and for chunks ({@code name.000000000}), whose
         * file is whole only in the stage's reading.
         *
         * @param listedInManifest the manifest, read before, lists the entry: its digest is the check of its bytes
         *                         (as in the stage, which skips the grains' Adler-32 of verified files)
         */
        @Override
        public EntryTap.Sink open(String name, long size, byte[] head, int length, boolean listedInManifest) {
            boolean gzip = length >= 2 && head[0] == 0x1f && head[1] == (byte) 0x8b;
            if (streamed.containsKey(name) || name.matches(".*\\.\\d{9}")
                    || !(gzip || streamOptimized(head, length))) {
                return null;
            }
            StreamedDiskRead read = new StreamedDiskRead(name, size, new ReadOptions(maxVirtualSize,
                    sibling -> Optional.empty(), listedInManifest), gzip);
            streamed.put(name, read);
            return read;
        }

        /**
         * One check per disk file of {@code event}'s appliance: {@link #CHECK} PASS, or a FAIL with the id the
         * transcode stage would reject it with ({@code disk.vmdk.grain-table}, …); a file the pass did not read
         * is read by {@code ranges}, or, without them (a compressed package), has a {@link #CHECK} WARN saying so.
         * Files the package does not hold are left to the schema stage's {@code ovf.file-present}.
         */
        public List<CheckResult> finish(ImportEvent event, EntryRanges ranges) throws IOException {
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
                List<TarEntry> parts = PackageFile.partNames(file.href(), entries::containsKey).stream()
                        .map(entries::get).toList();
                if (parts.isEmpty()) {
                    continue;
                }
                // bytes the manifest's digest verified need no second, weaker check (a VMDK grain's Adler-32), as
                // in the stage
                boolean verified = event.manifest() != null
                        && parts.stream().allMatch(e -> event.manifest().verified().containsKey(e.name()));
                CheckResult inPass = streamedVerdict(file, parts, verified);
                if (inPass != null) {
                    checks.add(inPass);
                } else if (ranges != null) {
                    ReadOptions options = new ReadOptions(maxVirtualSize, name -> {
                        TarEntry sibling = entries.get(name);
                        return sibling == null || sibling == descriptor ? Optional.empty()
                                : Optional.of(entrySource(ranges, sibling));
                    }, verified);
                    checks.add(read(source(ranges, file, parts), file.href(), options));
                } else {
                    checks.add(CheckResult.warn(CHECK, file.href(), "not read to its end: its format is read by "
                            + "going back to its tables, which a package compressed as a whole cannot serve without "
                            + "inflating it again; the transcode stage reads it in full (inspect the plain .ova or "
                            + "the unpacked package to have it read here)"));
                }
            }
            return checks;
        }

        /**
         * The verdict of the read done in the pass, when it is the stage's: the file is one entry read to its end
         * in the pass, inflated when (and only when) the stage inflates it, and with the same check of its grains.
         */
        private CheckResult streamedVerdict(ApplianceMetadata.File file, List<TarEntry> parts, boolean verified)
                throws IOException {
            StreamedDiskRead read = parts.size() == 1 && parts.get(0).name().equals(file.href())
                    ? streamed.get(file.href()) : null;
            if (read == null) {
                return null;
            }
            CheckResult verdict = read.verdict();
            if (verdict == null || ("gzip".equalsIgnoreCase(file.compression()) && !read.gzipped())) {
                return null;
            }
            if (verdict.failed() && verified && !read.digestVerified()) {
                // the grains' Adler-32 was checked before the manifest (later in the package) verified the file,
                // and the stage does not check it: only a read without it is the stage's verdict
                return null;
            }
            return verdict;
        }

        /** Stops the reads still going (the pass ended before their files did) and waits for them. */
        @Override
        public void close() {
            for (StreamedDiskRead read : streamed.values()) {
                read.abort();
            }
            for (StreamedDiskRead read : streamed.values()) {
                try {
                    read.verdict();
                } catch (IOException | RuntimeException e) {
                    // the pass failed already, which is what is reported
                }
            }
        }
    }

    private static boolean streamOptimized(byte[] head, int length) {
        if (length < 12 || !java.util.Arrays.equals(head, 0, 4, SPARSE_MAGIC, 0, 4)) {
            return false;
        }
        int flags = (head[8] & 0xff) | (head[9] & 0xff) << 8 | (head[10] & 0xff) << 16 | (head[11] & 0xff) << 24;
        return (flags & COMPRESSED_GRAINS) != 0;
    }

    private static CheckResult read(ImageSource source, String href, ReadOptions options) throws IOException {
        try (source; DiskImageReader reader = DiskImages.open(source, options)) {
            if (reader.anyDataIsValid()) {
                // reading a raw image again finds nothing: the pass already read every byte of the package
                return CheckResult.pass(CHECK, href, "a raw image, whose every " + reader.virtualSize()
                        + " bytes are a disk as the transcode stage reads it: its size checked, its data not read "
                        + "again");
            }
            return readToEnd(reader, href, "after the streaming pass, by ranges of its file");
        } catch (InvalidDiskImageException e) {
            return CheckResult.fail(e.check(), href, e.getMessage());
        }
    }

    /** Reads {@code reader} to its end: {@link #CHECK} PASS, saying {@code how}; a refusal is thrown. */
    static CheckResult readToEnd(DiskImageReader reader, String href, String how) throws IOException {
        long data = 0;
        for (DiskImageReader.Chunk chunk = reader.next(); chunk != null; chunk = reader.next()) {
            data += chunk.length();
        }
        return CheckResult.pass(CHECK, href, "read to its end as the transcode stage reads it (" + how + "): "
                + reader.virtualSize() + " bytes of virtual size, " + data + " of them stored");
    }

    private static ImageSource source(EntryRanges ova, ApplianceMetadata.File file, List<TarEntry> parts) {
        return PackageFile.source(file.href(), parts.stream().map(e -> entrySource(ova, e)).toList(),
                "gzip".equalsIgnoreCase(file.compression()));
    }

    /** One entry of the package, by ranges of its data. */
    private static ImageSource entrySource(EntryRanges ova, TarEntry entry) {
        return PackageFile.entry(entry.name(), 0, entry.size(), (offset, length) -> ova.open(entry, offset, length));
    }
}
