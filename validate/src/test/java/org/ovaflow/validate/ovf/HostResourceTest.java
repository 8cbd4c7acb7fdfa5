package org.ovaflow.validate.ovf;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** HostResource spellings of DSP0243, OVF 0.9 producers and hand-made descriptors, and controllers by bus. */
class HostResourceTest {

    @ParameterizedTest
    @CsvSource({
            "ovf:/disk/vmdisk1, DISK, vmdisk1",
            "/disk/vmdisk1, DISK, vmdisk1",
            "ovf://disk/vmdisk1, DISK, vmdisk1",
            "ovf:disk/vmdisk1, DISK, vmdisk1",
            "OVF:/Disk/vmdisk1, DISK, vmdisk1",
            "ovf:/file/file1, FILE, file1",
            "/file/iso-1, FILE, iso-1",
            "nonexistent.vmdk, OTHER, nonexistent.vmdk",
            "disk/vmdisk1, OTHER, disk/vmdisk1",
            "/dev/cdrom, OTHER, /dev/cdrom"})
    void readsWhatTheHostResourceNames(String text, HostResource.Kind kind, String id) {
        assertThat(HostResource.parse(text)).isEqualTo(new HostResource(kind, id));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
            "5, PIIX4, ide, piix4",
            "5, null, ide, null",
            "6, lsilogic, scsi, lsilogic",
            "6, LsiLogicSas, scsi, lsilogicsas",
            "6, VirtualSCSI, scsi, virtualscsi",
            "20, vmware.sata.ahci, sata, ahci",
            "20, AHCI, sata, ahci",
            "20, vmware.nvme.controller, nvme, nvme",
            "20, null, other, null",
            "7, null, fc, null",
            "1, null, other, null"})
    void namesControllersByBusWhoeverWroteThem(int resourceType, String subType, String bus, String model) {
        assertThat(StorageController.of(resourceType, subType)).isEqualTo(new StorageController(bus, model));
    }
}
