package org.ovaflow.transform.profile;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.disk.TargetFormat;
import org.w3c.dom.Document;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The files a platform reads beside the package: Glance's image properties, EC2's disk-container list. */
public final class PlatformFiles {

    private static final long GIB = 1L << 30;

    /** CIM_OperatingSystem OSType values (DSP0243 annex, CIM schema) of Windows releases, 3.x to Server 2022. */
    private static final Set<Integer> WINDOWS = Set.of(15, 16, 17, 18, 19, 58, 63, 67, 69, 70, 71, 72, 73, 74, 75, 76,
            77, 103, 105, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123);

    /** Those of Linux distributions (LINUX, RHEL, SUSE, SLES, Ubuntu, Debian, CentOS, Oracle Linux, ...). */
    private static final Set<Integer> LINUX = Set.of(36, 79, 80, 82, 83, 84, 85, 87, 89, 90, 91, 92, 93, 94, 95, 96,
            97, 98, 99, 100, 101, 106, 107, 108, 109);

    /** The NIC models of OVF descriptors as nova's {@code hw_vif_model} names them (libvirt and VMware drivers). */
    private static final Map<String, String> VIF_MODELS = Map.of("e1000", "e1000", "e1000e", "e1000e",
            "vmxnet3", "vmxnet3", "pcnet32", "pcnet", "am79c973", "pcnet", "am79c970a", "pcnet", "virtio", "virtio",
            "virtio-net", "virtio", "rtl8139", "rtl8139", "ne2k_pci", "ne2k_pci");

    /** The disk buses of the metadata as nova's {@code hw_disk_bus} names them. */
    private static final Map<String, String> DISK_BUSES = Map.of("ide", "ide", "scsi", "scsi", "sata", "sata");

    private PlatformFiles() {
    }

    /** What is known of one converted disk: its published name and the drive that uses it. */
    public record ConvertedDisk(String fileName, String fileId, long virtualSize) {
    }

    /**
     * The body of Glance's {@code POST /v2/images} for one qcow2 disk: name, formats, the minimum disk (GiB,
     * rounded up) and memory (MiB), and the hardware properties nova reads (os_type, hw_disk_bus, hw_vif_model),
     * each only when the descriptor says it.
     */
    public static byte[] glanceImage(ApplianceMetadata appliance, Document descriptor, ConvertedDisk disk) {
        Map<String, Object> image = new LinkedHashMap<>();
        image.put("name", imageName(appliance, disk));
        image.put("disk_format", "qcow2");
        image.put("container_format", "bare");
        image.put("min_disk", (disk.virtualSize() + GIB - 1) / GIB);
        Optional<ApplianceMetadata.VirtualSystem> system = systemOf(appliance, disk);
        system.map(ApplianceMetadata.VirtualSystem::memoryMiB).ifPresent(mib -> image.put("min_ram", mib));
        system.map(PlatformFiles::osType).ifPresent(os -> image.put("os_type", os));
        drive(appliance, disk).map(ApplianceMetadata.VirtualDisk::controller).map(DISK_BUSES::get)
                .ifPresent(bus -> image.put("hw_disk_bus", bus));
        PlatformHardware.firstNicModel(descriptor).map(VIF_MODELS::get).ifPresent(m -> image.put("hw_vif_model", m));
        return EventCodec.toPrettyJson(image);
    }

    /**
     * The {@code --disk-containers} file of {@code aws ec2 import-image}: every disk, the boot disk first, in the
     * bucket and under the keys the catalog publishes them.
     */
    public static byte[] awsDiskContainers(ApplianceMetadata appliance, List<ConvertedDisk> disks, TargetFormat format,
                                           String bucket, String folder) {
        List<Map<String, Object>> containers = disks.stream().map(disk -> {
            Map<String, Object> container = new LinkedHashMap<>();
            container.put("Description", imageName(appliance, disk));
            container.put("Format", format == TargetFormat.RAW ? "raw" : "vmdk");
            container.put("UserBucket", Map.of("S3Bucket", bucket, "S3Key", folder + disk.fileName()));
            return container;
        }).toList();
        return EventCodec.toPrettyJson(containers);
    }

    private static String imageName(ApplianceMetadata appliance, ConvertedDisk disk) {
        String product = firstText(appliance.product(), appliance.name(), "appliance");
        return product + (appliance.version() == null ? "" : " " + appliance.version()) + " (" + disk.fileName() + ")";
    }

    /** nova's os_type (linux or windows) from the OS id, else from its description; null when neither says. */
    private static String osType(ApplianceMetadata.VirtualSystem system) {
        Integer id = system.osId();
        String description = system.osDescription() == null ? "" : system.osDescription().toLowerCase(Locale.ROOT);
        if ((id != null && WINDOWS.contains(id)) || description.contains("windows")) {
            return "windows";
        }
        if ((id != null && LINUX.contains(id))
                || description.matches(".*(linux|ubuntu|debian|centos|red ?hat|rhel|suse|fedora|photon).*")) {
            return "linux";
        }
        return null;
    }

    private static Optional<ApplianceMetadata.VirtualDisk> drive(ApplianceMetadata appliance, ConvertedDisk disk) {
        return appliance.virtualSystems().stream().flatMap(s -> s.disks().stream())
                .filter(d -> disk.fileId().equals(d.fileRef())).findFirst();
    }

    private static Optional<ApplianceMetadata.VirtualSystem> systemOf(ApplianceMetadata appliance, ConvertedDisk disk) {
        return appliance.virtualSystems().stream()
                .filter(s -> s.disks().stream().anyMatch(d -> disk.fileId().equals(d.fileRef())))
                .findFirst().or(() -> appliance.virtualSystems().stream().findFirst());
    }

    private static String firstText(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null && !candidate.isBlank()) {
                return candidate.trim();
            }
        }
        return null;
    }
}
