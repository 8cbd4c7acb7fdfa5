package org.ovaflow.validate.schema;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.validate.ovf.HardwareItem;
import org.ovaflow.validate.ovf.HardwareSection;
import org.ovaflow.validate.ovf.HostResource;
import org.ovaflow.validate.ovf.OvfDescriptor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The virtual hardware against the rest of the descriptor: the disks, files and networks its Items name exist,
 * every Parent is an Item of the same section, and each system's CPUs and memory are in a range a hypervisor
 * can give. References are checked in every configuration; CPUs and memory in the default one.
 */
final class HardwareChecks {

    /** vSphere 8's maximum virtual CPUs per VM, the largest any mainstream hypervisor offers. */
    static final int MAX_CPUS = 768;

    /** vSphere 8's maximum memory per VM, 24 TiB, in MiB. */
    static final long MAX_MEMORY_MIB = 24L << 20;

    private HardwareChecks() {
    }

    static List<CheckResult> check(String descriptorName, OvfDescriptor descriptor) {
        ApplianceMetadata appliance = descriptor.appliance();
        Set<String> diskIds = new HashSet<>();
        appliance.disks().forEach(disk -> diskIds.add(disk.diskId()));
        Set<String> fileIds = new HashSet<>();
        appliance.files().forEach(file -> fileIds.add(file.id()));
        Set<String> networks = new HashSet<>(appliance.networks());

        List<CheckResult> checks = new ArrayList<>();
        int items = 0;
        for (HardwareSection section : descriptor.hardware()) {
            Set<String> instanceIds = new HashSet<>();
            section.items().stream().map(HardwareItem::instanceId).filter(Objects::nonNull).forEach(instanceIds::add);
            for (HardwareItem item : section.items()) {
                items++;
                String where = "VirtualSystem '" + section.virtualSystemId() + "', "
                        + (item.instanceId() == null ? "an Item without InstanceID" : "Item " + item.instanceId());
                hostResources(descriptorName, where, item, diskIds, fileIds, checks);
                if (item.resourceType() != null && item.resourceType() == HardwareItem.ETHERNET_ADAPTER) {
                    for (String connection : item.connections()) {
                        if (!networks.contains(connection)) {
                            checks.add(CheckResult.fail("ovf.hardware-network", descriptorName, where
                                    + " connects to network '" + connection + "', which the NetworkSection does not"
                                    + " declare (it declares " + names(networks) + ")"));
                        }
                    }
                }
                if (item.parent() != null && !instanceIds.contains(item.parent())) {
                    checks.add(CheckResult.fail("ovf.hardware-parent", descriptorName, where + " has Parent "
                            + item.parent() + ", which is no InstanceID of its VirtualHardwareSection"));
                }
            }
        }
        for (ApplianceMetadata.VirtualSystem system : appliance.virtualSystems()) {
            sizes(descriptorName, system, checks);
        }
        if (appliance.virtualSystems().isEmpty()) {
            checks.add(CheckResult.fail("ovf.virtual-system", descriptorName, "the descriptor holds no VirtualSystem"));
        }
        if (checks.stream().noneMatch(CheckResult::failed)) {
            checks.add(CheckResult.pass("ovf.hardware", descriptorName, appliance.virtualSystems().size()
                    + " virtual system(s), " + items + " hardware item(s): disks, files, networks and parents they"
                    + " name exist; CPUs and memory in range"));
        }
        return checks;
    }

    /**
     * A disk drive must be backed by a Disk or a File; any Item naming {@code ovf:/disk/…} or {@code ovf:/file/…}
     * must name one that exists. Other host resources (a CD drive's host device) are the deployer's business.
     */
    private static void hostResources(String descriptorName, String where, HardwareItem item, Set<String> diskIds,
                                      Set<String> fileIds, List<CheckResult> checks) {
        boolean namesDiskOrFile = false;
        for (String text : item.hostResources()) {
            HostResource resource = HostResource.parse(text);
            if (resource.kind() == HostResource.Kind.OTHER) {
                continue;
            }
            namesDiskOrFile = true;
            boolean disk = resource.kind() == HostResource.Kind.DISK;
            if (!(disk ? diskIds : fileIds).contains(resource.id())) {
                checks.add(CheckResult.fail("ovf.hardware-disk", descriptorName, where + " has HostResource '" + text
                        + "', but " + (disk ? "the DiskSection declares no Disk '" : "References declares no File '")
                        + resource.id() + "'"));
            }
        }
        boolean diskDrive = item.resourceType() != null && item.resourceType() == HardwareItem.DISK_DRIVE;
        if (diskDrive && !namesDiskOrFile) {
            checks.add(CheckResult.fail("ovf.hardware-disk", descriptorName, where + " is a disk drive whose "
                    + "HostResource " + (item.hostResources().isEmpty() ? "is missing"
                    : "'" + item.hostResources().get(0) + "' names no Disk or File")
                    + "; expected ovf:/disk/<diskId> or ovf:/file/<fileId>"));
        }
    }

    private static void sizes(String descriptorName, ApplianceMetadata.VirtualSystem system,
                              List<CheckResult> checks) {
        String which = "VirtualSystem '" + system.id() + "'";
        if (system.cpus() != null && (system.cpus() < 1 || system.cpus() > MAX_CPUS)) {
            checks.add(CheckResult.fail("ovf.cpu", descriptorName, which + " asks for " + system.cpus()
                    + " virtual CPUs; expected 1 to " + MAX_CPUS + " (vSphere 8's maximum per VM)"));
        }
        if (system.memoryMiB() != null && (system.memoryMiB() < 1 || system.memoryMiB() > MAX_MEMORY_MIB)) {
            checks.add(CheckResult.fail("ovf.memory", descriptorName, which + " asks for " + system.memoryMiB()
                    + " MiB of memory; expected 1 MiB to 24 TiB (" + MAX_MEMORY_MIB
                    + " MiB, vSphere 8's maximum per VM)"));
        }
    }

    private static String names(Set<String> networks) {
        return networks.isEmpty() ? "none" : "'" + String.join("', '", networks.stream().sorted().toList()) + "'";
    }
}
