package org.ovaflow.validate.ovf;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a VirtualHardwareSection gives a VirtualSystem under the default deployment option: CPU count, memory,
 * and how many disk and network adapter Items it declares.
 */
record VirtualHardwareSummary(String virtualSystemType, Integer cpus, Long memoryMiB, int diskItems, int nicItems) {

    /** CIM ResourceType values (DSP0243 / CIM_ResourceAllocationSettingData). */
    private static final int PROCESSOR = 3;
    private static final int MEMORY = 4;
    private static final int ETHERNET_ADAPTER = 10;
    private static final int DISK_DRIVE = 17;

    private static final long BYTES_PER_MIB = 1L << 20;

    static final VirtualHardwareSummary NONE = new VirtualHardwareSummary(null, null, null, 0, 0);

    /**
     * Summarises one VirtualHardwareSection as deployed with the default option: Items of other options and
     * min/max bounds are skipped, and an Item made for the default option replaces the unconditional Item with the
     * same InstanceID (DSP0243 9.5), which is how producers write "1 CPU unless you pick the big profile".
     */
    static VirtualHardwareSummary of(OvfElement section, DeploymentOptions options) {
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
        for (OvfElement item : items) {
            Integer resourceType = OvfElement.parseInteger(item.settingText("ResourceType"));
            if (resourceType == null) {
                continue;
            }
            switch (resourceType) {
                case PROCESSOR -> {
                    if (!cpusSeen) {
                        cpusSeen = true;
                        cpus = OvfElement.parseInteger(item.settingText("VirtualQuantity"));
                    }
                }
                case MEMORY -> {
                    if (!memorySeen) {
                        memorySeen = true;
                        memoryMiB = memoryMiB(item);
                    }
                }
                case DISK_DRIVE -> diskItems++;
                case ETHERNET_ADAPTER -> nicItems++;
                default -> {
                }
            }
        }
        return new VirtualHardwareSummary(virtualSystemType, cpus, memoryMiB, diskItems, nicItems);
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

    /** OVF 0.9-era producers spell it InstanceId. */
    private static String instanceId(OvfElement item) {
        String id = item.settingText("InstanceID");
        return id != null ? id : item.settingText("InstanceId");
    }

    private static boolean isRangeBound(String bound) {
        return bound != null && ("min".equals(bound.trim()) || "max".equals(bound.trim()));
    }
}
