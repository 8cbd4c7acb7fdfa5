package org.ovaflow.validate.disk;

import org.ovaflow.core.event.CheckResult;
import org.ovaflow.disk.DiskFormat;
import org.ovaflow.disk.DiskHeader;
import org.ovaflow.disk.DiskReference;
import org.ovaflow.disk.Sizes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checksum stage's verdict on the headers its probe read ({@code disk.header}): a disk that names files
 * outside the package (host files, parents, backing and data files), a format ovaflow cannot import, or a header
 * that cannot be trusted rejects the package. Files with no disk header (raw data, ISOs, nvram) pass.
 */
public final class DiskHeaderChecks {

    public static final String ID = "disk.header";

    private DiskHeaderChecks() {
    }

    /**
     * @param headers what the probe found, by tar entry name, in tar order
     * @param files   the names of every regular file in the archive
     */
    public static List<CheckResult> check(Map<String, DiskHeader> headers, Set<String> files) {
        List<CheckResult> checks = new ArrayList<>();
        List<String> disks = new ArrayList<>();
        headers.forEach((name, header) -> {
            String what = header.format().description() + (header.gzip() ? " (gzip-compressed)" : "");
            if (header.defect() != null) {
                checks.add(CheckResult.fail(ID, name, (header.format() == DiskFormat.RAW ? "holds "
                        : "looks like " + what + " but has ") + header.defect()));
                return;
            }
            if (!header.format().importable()) {
                checks.add(CheckResult.fail(ID, name, "is " + what + ", a format ovaflow cannot import (it imports "
                        + "VMDK, qcow2, VHD and raw disks); convert it first"));
                return;
            }
            for (DiskReference reference : header.references()) {
                String refused = refusal(reference, name, files);
                if (refused != null) {
                    checks.add(CheckResult.fail(ID, name, reference.describe() + ": " + refused));
                }
            }
            if (header.gzip() && header.format() == DiskFormat.RAW) {
                disks.add(name + " (gzip-compressed raw data: size unknown, as the end, where a fixed VHD keeps its "
                        + "footer, is not inflated)");
            } else if (header.format() != DiskFormat.RAW && header.format() != DiskFormat.ISO) {
                disks.add(name + " (" + header.format().id() + (header.virtualSize() != null
                        ? ", " + Sizes.readable(header.virtualSize()) : "") + (header.gzip() ? ", gzip-compressed" : "")
                        + ")");
            }
        });
        if (checks.isEmpty() && !headers.isEmpty()) {
            checks.add(CheckResult.pass(ID, null, headers.size() + " file(s) probed, none names a file outside the "
                    + "package" + (disks.isEmpty() ? "" : ": " + String.join(", ", disks.subList(0,
                    Math.min(disks.size(), 8))) + (disks.size() > 8 ? ", …" : ""))));
        }
        return checks;
    }

    /** Why the header may not name this file, null when it may. */
    private static String refusal(DiskReference reference, String self, Set<String> files) {
        return switch (reference.kind()) {
            case VMDK_EXTENT -> {
                String target = reference.target();
                if (target.isEmpty() || target.contains("/") || target.contains("\\") || target.contains(":")
                        || target.equals("..") || target.equals(".")) {
                    yield "an extent must be another file of this package, named without a path";
                }
                if (reference.embedded()) {
                    yield null; // a sparse extent's own descriptor names the sparse file itself
                }
                if (target.equals(self)) {
                    yield "a descriptor file cannot be its own extent";
                }
                yield files.contains(target) ? null : "the package holds no file of that name";
            }
            case VMDK_PARENT, VHD_PARENT -> "a differencing disk is incomplete without its parent, which is not part "
                    + "of an OVA; flatten it first";
            case QCOW2_BACKING_FILE -> "an overlay is incomplete without its backing file, which is outside the "
                    + "package; flatten it first (qemu-img convert)";
            case QCOW2_DATA_FILE -> "the image keeps its data in a file outside the package; make it self-contained "
                    + "first (qemu-img convert)";
        };
    }
}
