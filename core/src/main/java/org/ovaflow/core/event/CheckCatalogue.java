package org.ovaflow.core.event;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How serious each check's failure or warning is and what an operator can do about it, in one place: report.json
 * and {@code ovaflow inspect} give them beside every failed or warning check (as Forklift's concerns carry a
 * category and an assessment). docs/checks.md shows the same severity and remedy for every id, and
 * ChecksCatalogueTest keeps the two equal.
 */
public final class CheckCatalogue {

    /** critical: the package is rejected; warning: accepted, but worth a look; info: accepted, for the record. */
    public enum Severity {
        CRITICAL, WARNING, INFO;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param warnSeverity how serious the check's WARN is (its FAIL is always critical); null for a check that
     *                     never warns
     * @param remedy       one line an operator can act on; null for a check that only ever passes
     */
    public record Advice(Severity warnSeverity, String remedy) {
    }

    private static final Map<String, Advice> BY_ID = new LinkedHashMap<>();
    /** Families of the later stages' ids ({@code disk.qcow2.} for {@code disk.qcow2.l2-table}), longest first. */
    private static final Map<String, Advice> BY_FAMILY = new LinkedHashMap<>();

    static {
        // checksum stage
        fail("tar.readable", "Upload the OVA itself: a tar archive (ovftool, tar -cf, or a hypervisor's export), not another file.");
        fail("tar.truncated", "The upload is incomplete: copy the whole OVA again and compare its size with the original's.");
        fail("tar.entry-count", "Package only the descriptor, manifest, certificate and the files the descriptor references.");
        fail("tar.entry-type", "Re-create the archive with regular files only (tar --dereference, or export again with ovftool).");
        fail("tar.entry-name", "Re-create the archive with plain relative file names (no /, .., control characters).");
        fail("tar.duplicate-name", "Re-create the archive with each file once (tar appended twice: export again).");
        fail("tar.descriptor-first", "Re-create the archive with the .ovf as its first file (ovftool does; tar -cf x.ova x.ovf x.mf disks…).");
        pass("tar.structure");
        warn("tar.trailing-data", Severity.WARNING, "Check where the bytes after the archive come from; re-export if the OVA was not meant to carry them.");
        both("manifest.present", Severity.WARNING, "Ship a .mf manifest with the OVA (ovftool --manifest), or accept packages without one (ovaflow.validate.manifest=optional).");
        fail("manifest.syntax", "Regenerate the .mf as ovftool writes it: one SHA256(file)= hex line per file.");
        fail("manifest.entry-missing", "Add the file the manifest lists to the OVA, or regenerate the manifest for the files it holds.");
        fail("manifest.digest", "The file changed after the manifest was made: download or export the OVA again from its source.");
        warn("manifest.unlisted", Severity.WARNING, "Regenerate the manifest so it lists every file of the OVA.");
        fail("signature.present", "Sign the OVA (ovftool --privateKey), or accept unsigned packages (ovaflow.validate.signature=verify-if-present).");
        fail("signature.syntax", "Re-sign the OVA so its .cert holds one SHA256(x.mf)= signature line and the PEM certificates.");
        fail("signature.valid", "The manifest or signature was altered: get the OVA again from its vendor.");
        fail("signature.chain", "Add the vendor's CA certificate to the trust store (ovaflow.validate.trust-store), if you trust the vendor.");
        fail("signature.expiry", "Ask the vendor for an OVA signed with a certificate that is valid now.");
        fail("package.compression", "Compress the whole OVA again (gzip or xz) and upload it complete; or raise ovaflow.validate.max-package-size for a larger package.");
        fail("package.size", "Split the package, or raise ovaflow.validate.max-package-size if packages this large are expected.");
        fail("package.file-count", "Reference fewer files (larger chunks), or raise ovaflow.validate.max-package-files.");
        fail("disk.header", "Convert the disk to a self-contained image (qemu-img convert -O qcow2, or a streamOptimized VMDK) and export again.");
        // schema stage
        fail("ovf.descriptor", "Export the descriptor again: well-formed XML with an OVF Envelope, no DOCTYPE or XInclude.");
        fail("ovf.schema", "Fix the descriptor where the errors point (ovftool --schemaValidate shows the same), or export it again.");
        warn("ovf.unknown-section", Severity.INFO, "Nothing to do: the section is ignored; ask the producer if its content matters.");
        fail("ovf.file-id-unique", "Give each File of References its own ovf:id.");
        fail("ovf.disk-id-unique", "Give each Disk of the DiskSection its own ovf:diskId.");
        fail("ovf.disk-file-ref", "Make the Disk's ovf:fileRef name a File of References.");
        both("ovf.href-remote", Severity.WARNING, "Put the file inside the package and reference it by its name; remote files are never fetched.");
        warn("ovf.href-spelling", Severity.INFO, "Write the href as the file is named in the archive (ovaflow read it as that file).");
        fail("ovf.file-present", "Add the referenced file (every chunk) to the package, or remove its File from References.");
        fail("ovf.file-size", "Correct the File's ovf:size (or chunkSize) to the file's real size, or export again.");
        fail("ovf.compression", "Store the file uncompressed or with ovf:compression=\"gzip\".");
        pass("ovf.references");
        fail("manifest.coverage", "Regenerate the manifest so that it lists every file the descriptor references.");
        both("ovf.capacity", Severity.INFO, "Give each Disk a whole-number ovf:capacity (or a ${property} with a numeric default) within ovaflow.validate.max-capacity.");
        fail("ovf.disk-capacity", "Set the Disk's capacity to at least the disk image's virtual size (qemu-img info shows it).");
        warn("ovf.disk-format", Severity.WARNING, "Set the Disk's ovf:format to the image's real format.");
        fail("ovf.virtual-system", "Export the descriptor with its VirtualSystem (or VirtualSystemCollection).");
        fail("ovf.hardware-disk", "Make the disk drive's HostResource name a Disk (ovf:/disk/id) of the DiskSection.");
        fail("ovf.hardware-network", "Make the ethernet adapter's Connection name a Network of the NetworkSection.");
        fail("ovf.hardware-parent", "Make the Item's Parent name the InstanceID of a controller Item in its VirtualHardwareSection.");
        fail("ovf.cpu", "Give the virtual system 1 to 768 virtual CPUs in its default configuration.");
        fail("ovf.memory", "Give the virtual system between 1 MiB and 24 TiB of memory.");
        pass("ovf.hardware");
        // transcode stage: the disk readers' ids, by format
        family("disk.qcow2.", "Convert the disk with qemu-img convert -O qcow2 (no backing file, encryption or external data) and export again.");
        family("disk.vmdk.", "Convert the disk to a monolithic streamOptimized VMDK (qemu-img convert -O vmdk -o subformat=streamOptimized, or ovftool) and export again.");
        family("disk.vhd.", "Convert the disk to a fixed or dynamic VHD without a parent (qemu-img convert -O vpc), or to qcow2, and export again.");
        family("disk.gzip.", "Compress the disk file once with gzip, completely, or store it uncompressed.");
        family("disk.", "Export the disk again as a self-contained qcow2, streamOptimized VMDK, VHD or raw image.");
        // inspect only: a disk of a compressed package that needs ranges to be read to its end
        both("disk.read", Severity.INFO, "Inspect the plain .ova (gunzip or unxz it) or the unpacked package to have this disk read to its end; the transcode stage reads it in full.");
        // publish stage
        fail("catalog.reserved-name", "Rename the package's file appliance.json (the catalog entry's own file) and its href in the descriptor.");
        fail("catalog.version-conflict", "Publish under a new version (ProductSection Version or a product override), or set ovaflow.publish.on-conflict=replace.");
    }

    private CheckCatalogue() {
    }

    /** The advice for a check id: its own, else its family's; empty for an id ovaflow does not report. */
    public static Optional<Advice> advice(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Advice own = BY_ID.get(id);
        if (own != null) {
            return Optional.of(own);
        }
        return BY_FAMILY.entrySet().stream().filter(f -> id.startsWith(f.getKey())).map(Map.Entry::getValue)
                .findFirst();
    }

    /** How serious a check's outcome is: critical when it failed; its warning severity when it warned; null if passed. */
    public static Severity severity(CheckResult check) {
        return switch (check.status()) {
            case FAIL -> Severity.CRITICAL;
            case WARN -> advice(check.id()).map(Advice::warnSeverity).orElse(Severity.WARNING);
            case PASS -> null;
        };
    }

    /** What an operator can do about a check that failed or warned; null when the catalogue has no advice. */
    public static String remedy(CheckResult check) {
        return advice(check.id()).map(Advice::remedy).orElse(null);
    }

    /** Every id with advice of its own, in the catalogue's order. */
    public static Map<String, Advice> ids() {
        return Map.copyOf(BY_ID);
    }

    /** Every family prefix ({@code disk.qcow2.}) with its advice. */
    public static Map<String, Advice> families() {
        return Map.copyOf(BY_FAMILY);
    }

    private static void fail(String id, String remedy) {
        BY_ID.put(id, new Advice(null, remedy));
    }

    private static void warn(String id, Severity severity, String remedy) {
        BY_ID.put(id, new Advice(severity, remedy));
    }

    private static void both(String id, Severity warnSeverity, String remedy) {
        BY_ID.put(id, new Advice(warnSeverity, remedy));
    }

    private static void pass(String id) {
        BY_ID.put(id, new Advice(null, null));
    }

    private static void family(String prefix, String remedy) {
        BY_FAMILY.put(prefix, new Advice(null, remedy));
    }
}
