package org.ovaflow.validate.ovf;

import org.ovaflow.core.event.ApplianceMetadata;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a VirtualHardwareSection gives a VirtualSystem under the default deployment option: CPU count, memory,
 * its disk drives (with the disk and controller behind each) and the networks its adapters connect to.
 */
record VirtualHardwareSummary(String virtualSystemType, Integer cpus, Long memoryMiB, int diskItems, int nicItems,
                              List<ApplianceMetadata.VirtualDisk> disks, List<String> networks) {

    private static final long BYTES_PER_MIB = 1L << 20;

    static final VirtualHardwareSummary NONE = new VirtualHardwareSummary(null, null, null, 0, 0, List.of(), List.of());

    /**
     * Summarises one VirtualHardwareSection as deployed with the default option: Items of other options and
     * min/max bounds are skipped, and an Item made for the default option replaces the unconditional Item with the
     * same InstanceID (DSP0243 9.5), which is how producers write "1 CPU unless you pick the big profile".
     *
     * @param disks the DiskSection's Disks by diskId, to describe the disk behind each drive
     * @param files the References' Files by id, for drives whose HostResource names a File
     */
    static VirtualHardwareSummary of(OvfElement section, DeploymentOptions options,
                                     Map<String, ApplianceMetadata.Disk> disks, Set<String> files) {
        String virtualSystemType = section.firstChild("System").map(s -> s.settingText("VirtualSystemType")).orElse(null);
        // OVF 2 splits Items into StorageItem and EthernetPortItem; they carry the same ResourceType codes.
        List<OvfElement> candidates = section.children("Item", "StorageItem", "EthernetPortItem").stream()
                .filter(item -> !isRangeBound(item.attribute("bound")))
                .filter(item -> options.includesDefault(item.attribute("configuration")))
                .toList();
        Set<String> overridden = candidates.stream()
                .filter(item -> item.attribute("configuration") != null)
                .map(VirtualHardwareSummary::instanceId)
                .filter(Objects::nonNull)
                .collect(Collectors.toSet());
        List<OvfElement> items = candidates.stream()
                .filter(item -> item.attribute("configuration") != null || !overridden.contains(instanceId(item)))
                .toList();

        Integer cpus = null;
        Long memoryMiB = null;
        boolean cpusSeen = false;
        boolean memorySeen = false;
        int diskItems = 0;
        int nicItems = 0;
        List<ApplianceMetadata.VirtualDisk> drives = new ArrayList<>();
        Map<String, OvfElement> byInstanceId = new HashMap<>();
        items.forEach(item -> {
            String id = instanceId(item);
            if (id != null) {
                byInstanceId.putIfAbsent(id, item);
            }
        });
        Set<String> networks = new LinkedHashSet<>();
        for (OvfElement item : items) {
            Integer resourceType = resourceType(item);
            if (resourceType == null) {
                continue;
            }
            switch (resourceType) {
                case HardwareItem.PROCESSOR -> {
                    if (!cpusSeen) {
                        cpusSeen = true;
                        cpus = OvfElement.parseInteger(item.settingText("VirtualQuantity"));
                    }
                }
                case HardwareItem.MEMORY -> {
                    if (!memorySeen) {
                        memorySeen = true;
                        memoryMiB = memoryMiB(item);
                    }
                }
                case HardwareItem.DISK_DRIVE -> {
                    diskItems++;
                    drives.add(drive(item, byInstanceId, disks, files));
                }
                case HardwareItem.ETHERNET_ADAPTER -> {
                    nicItems++;
                    networks.addAll(item.settingTexts("Connection"));
                }
                default -> {
                }
            }
        }
        return new VirtualHardwareSummary(virtualSystemType, cpus, memoryMiB, diskItems, nicItems, drives,
                List.copyOf(networks));
    }

    /** Every Item of the section as written, for the checks that follow Parent, HostResource and Connection. */
    static List<HardwareItem> itemsAsWritten(OvfElement section) {
        return section.children("Item", "StorageItem", "EthernetPortItem").stream()
                .map(item -> new HardwareItem(instanceId(item), resourceType(item), item.settingText("Parent"),
                        item.settingTexts("HostResource"), item.settingTexts("Connection")))
                .toList();
    }

    /** A disk drive: the Disk (or File) its first resolvable HostResource names, and its Parent controller. */
    private static ApplianceMetadata.VirtualDisk drive(OvfElement item, Map<String, OvfElement> items,
                                                       Map<String, ApplianceMetadata.Disk> disks, Set<String> files) {
        ApplianceMetadata.Disk disk = null;
        String fileRef = null;
        for (String text : item.settingTexts("HostResource")) {
            HostResource resource = HostResource.parse(text);
            if (resource.kind() == HostResource.Kind.DISK && disks.containsKey(resource.id())) {
                disk = disks.get(resource.id());
                fileRef = disk.fileRef();
                break;
            }
            if (resource.kind() == HostResource.Kind.FILE && files.contains(resource.id())) {
                fileRef = resource.id();
                break;
            }
        }
        String parent = item.settingText("Parent");
        OvfElement parentItem = parent == null ? null : items.get(parent);
        StorageController controller = parentItem == null ? null
                : StorageController.of(resourceType(parentItem), parentItem.settingText("ResourceSubType"));
        return new ApplianceMetadata.VirtualDisk(
                disk == null ? null : disk.diskId(),
                fileRef,
                disk == null ? null : disk.capacityBytes(),
                disk == null ? null : disk.format(),
                controller == null ? null : controller.bus(),
                controller == null ? null : controller.model());
    }

    /**
     * VirtualQuantity × AllocationUnits in MiB. A memory Item without AllocationUnits says nothing about its size
     * (CIM has no default unit for memory), so that yields null rather than a guess of bytes.
     */
    private static Long memoryMiB(OvfElement item) {
        String units = item.settingText("AllocationUnits");
        if (units == null) {
            return null;
        }
        Long bytes = AllocationUnits.toBytes(OvfElement.parseLong(item.settingText("VirtualQuantity")), units);
        return bytes == null ? null : bytes / BYTES_PER_MIB;
    }

    private static Integer resourceType(OvfElement item) {
        return OvfElement.parseInteger(item.settingText("ResourceType"));
    }

    /** OVF 0.9-era producers spell it InstanceId. */
    private static String instanceId(OvfElement item) {
        String id = item.settingText("InstanceID");
        return id != null ? id : item.settingText("InstanceId");
    }

    private static boolean isRangeBound(String bound) {
        return bound != null && ("min".equals(bound.trim()) || "max".equals(bound.trim()));
    }
}
