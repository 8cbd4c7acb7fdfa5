package org.ovaflow.validate.schema;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.DiskImage;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.event.TarIndex;
import org.ovaflow.disk.DiskFormat;
import org.ovaflow.disk.Sizes;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * What the descriptor declares of each disk against what the disk image's own header says, as the checksum stage
 * read it: the declared capacity must hold the image ({@code ovf.disk-capacity}), and the format URI should name
 * the format the image is in ({@code ovf.disk-format}, a warning).
 */
public final class DiskImageChecks {

    static final String CAPACITY = "ovf.disk-capacity";
    static final String FORMAT = "ovf.disk-format";

    private DiskImageChecks() {
    }

    public static List<CheckResult> check(String descriptorName, ApplianceMetadata appliance, TarIndex tar) {
        List<CheckResult> checks = new ArrayList<>();
        int compared = 0;
        List<String> unknown = new ArrayList<>();
        for (ApplianceMetadata.Disk disk : appliance.disks()) {
            Optional<ApplianceMetadata.File> file = appliance.files().stream()
                    .filter(f -> f.id() != null && f.id().equals(disk.fileRef())).findFirst();
            if (file.isEmpty() || file.get().href() == null) {
                continue; // a disk without a file (blank) or a dangling fileRef, which DescriptorChecks reports
            }
            String href = file.get().href();
            boolean chunked = file.get().chunkSize() != null;
            Optional<TarEntry> entry = tar.find(chunked ? href + ".000000000" : href);
            if (entry.isEmpty() || entry.get().image() == null) {
                continue;
            }
            DiskImage image = entry.get().image();
            DiskFormat format = DiskFormat.of(image.format());
            boolean gzip = "gzip".equalsIgnoreCase(file.get().compression());
            Long virtualSize = chunked && format == DiskFormat.RAW && !gzip ? Long.valueOf(chunksSize(tar, href))
                    : image.virtualSize();
            String formatCheck = formatMismatch(disk.format(), format, gzip);
            if (formatCheck != null) {
                checks.add(CheckResult.warn(FORMAT, href, "Disk '" + disk.diskId() + "': " + formatCheck));
            }
            if (virtualSize == null || disk.capacityBytes() == null) {
                unknown.add(href + (virtualSize == null ? (gzip ? " (gzip-compressed " + format.description()
                        + ": its size is not read without inflating it all)" : " (" + format.description()
                        + ": its header gives no size)") : " (capacity not a number)"));
                continue;
            }
            compared++;
            if (disk.capacityBytes() < virtualSize) {
                checks.add(CheckResult.fail(CAPACITY, href, "Disk '" + disk.diskId() + "' declares "
                        + Sizes.readable(disk.capacityBytes()) + ", " + href + (format == DiskFormat.RAW
                        ? " holds " + Sizes.readable(virtualSize) + " of raw data"
                        : "'s header says " + Sizes.readable(virtualSize))
                        + ": the capacity must hold the whole image"));
            }
        }
        if (checks.stream().noneMatch(c -> c.id().equals(CAPACITY)) && (compared > 0 || !unknown.isEmpty())) {
            checks.add(CheckResult.pass(CAPACITY, descriptorName, compared + " disk(s) declare a capacity that holds "
                    + "their image" + (unknown.isEmpty() ? "" : "; not compared: " + String.join(", ", unknown))));
        }
        return checks;
    }

    /** A raw disk stored in chunks is as large as its chunks together. */
    private static long chunksSize(TarIndex tar, String href) {
        Pattern chunk = Pattern.compile(Pattern.quote(href) + "\\.\\d{9}");
        return tar.entries().stream().filter(e -> chunk.matcher(e.name()).matches()).mapToLong(TarEntry::size).sum();
    }

    /** How the format URI and the header disagree, null when they agree or the URI is one not known here. */
    private static String formatMismatch(String uri, DiskFormat header, boolean gzip) {
        if (uri == null || header == null || (gzip && header == DiskFormat.RAW)) {
            return null; // a gzip-compressed fixed VHD reads as raw: its footer is at the end, not inflated
        }
        String lower = uri.toLowerCase(Locale.ROOT);
        String says;
        Predicate<DiskFormat> matches;
        if (lower.contains("vmdk")) {
            if (lower.endsWith("#streamoptimized")) {
                says = "a streamOptimized VMDK";
                matches = f -> f == DiskFormat.VMDK_STREAM_OPTIMIZED;
            } else if (lower.endsWith("#monolithicsparse") || lower.endsWith("#sparse")) {
                says = "a sparse VMDK";
                matches = f -> f == DiskFormat.VMDK_MONOLITHIC_SPARSE || f == DiskFormat.VMDK_STREAM_OPTIMIZED;
            } else {
                says = "a VMDK";
                matches = DiskFormat::isVmdk;
            }
        } else if (lower.contains("qcow")) {
            says = "a qcow2 image";
            matches = f -> f == DiskFormat.QCOW2;
        } else if (lower.contains("bb676673") || lower.contains("linkid=137171") || lower.endsWith(".vhd")
                || lower.contains("/vhd")) {
            says = "a VHD";
            matches = DiskFormat::isVhd;
        } else if (lower.equals("http://en.wikipedia.org/wiki/byte") || lower.equals("https://en.wikipedia.org/wiki/byte")) {
            says = "raw data";
            matches = f -> f == DiskFormat.RAW;
        } else {
            return null;
        }
        String shown = uri.length() <= 120 ? uri : uri.substring(0, 120) + "…";
        return matches.test(header) ? null : "the format URI says " + says + " (" + shown + "), the header is "
                + header.description();
    }
}
