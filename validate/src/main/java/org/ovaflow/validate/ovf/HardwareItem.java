package org.ovaflow.validate.ovf;

import java.util.List;

/**
 * One Item (or OVF 2 StorageItem / EthernetPortItem) of a VirtualHardwareSection as written, whatever its
 * configuration or bound, for the checks that follow its references.
 *
 * @param instanceId    its InstanceID (InstanceId in OVF 0.9), null when missing
 * @param resourceType  its CIM ResourceType, null when missing or not a number
 * @param parent        the InstanceID its Parent names, null when it has none
 * @param hostResources its non-blank HostResource texts
 * @param connections   its non-blank Connection texts (the networks an ethernet adapter joins)
 */
public record HardwareItem(String instanceId, Integer resourceType, String parent, List<String> hostResources,
                           List<String> connections) {

    /** CIM ResourceType values (DSP0243 / CIM_ResourceAllocationSettingData) that the checks look at. */
    public static final int PROCESSOR = 3;
    public static final int MEMORY = 4;
    public static final int ETHERNET_ADAPTER = 10;
    public static final int DISK_DRIVE = 17;

    public HardwareItem {
        hostResources = List.copyOf(hostResources);
        connections = List.copyOf(connections);
    }
}
