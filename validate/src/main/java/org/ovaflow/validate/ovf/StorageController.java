package org.ovaflow.validate.ovf;

import java.util.Locale;

/**
 * The controller a disk hangs on, named the same whoever wrote the descriptor: VMware writes a SATA controller as
 * ResourceType 20 "vmware.sata.ahci", VirtualBox as 20 "AHCI"; both read as bus sata, model ahci.
 *
 * @param bus   ide, scsi, fc, iscsi, ib, sata, nvme or other
 * @param model the ResourceSubType in lower case, vendor prefixes dropped; null when the Item has none
 */
record StorageController(String bus, String model) {

    /** CIM ResourceType values of storage controllers (CIM_ResourceAllocationSettingData). */
    private static final int IDE = 5;
    private static final int PARALLEL_SCSI = 6;
    private static final int FIBRE_CHANNEL = 7;
    private static final int ISCSI = 8;
    private static final int INFINIBAND = 9;
    /** "Other storage device": VMware and VirtualBox use it for SATA, VMware for NVMe; the subtype tells. */
    private static final int OTHER_STORAGE = 20;

    static StorageController of(Integer resourceType, String subType) {
        String model = model(subType);
        String bus = switch (resourceType == null ? -1 : resourceType) {
            case IDE -> "ide";
            case PARALLEL_SCSI -> "scsi";
            case FIBRE_CHANNEL -> "fc";
            case ISCSI -> "iscsi";
            case INFINIBAND -> "ib";
            case OTHER_STORAGE -> model == null ? "other"
                    : model.contains("ahci") || model.contains("sata") ? "sata"
                    : model.contains("nvme") ? "nvme" : "other";
            default -> "other";
        };
        return new StorageController(bus, model);
    }

    private static String model(String subType) {
        if (subType == null || subType.isBlank()) {
            return null;
        }
        String model = subType.trim().toLowerCase(Locale.ROOT);
        return switch (model) {
            case "vmware.sata.ahci" -> "ahci";
            case "vmware.nvme.controller" -> "nvme";
            default -> model;
        };
    }
}
