package org.ovaflow.transform.profile;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.disk.TargetFormat;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ovaflow.transform.profile.Ovf1EnvelopeTest.fixture;

/** Glance's image body and EC2's disk-container list, from the appliance's metadata and hardware. */
class PlatformFilesTest {

    private static final long GIB = 1L << 30;

    @Test
    void aGlanceImageSaysWhatTheHardwareSays() throws Exception {
        ApplianceMetadata appliance = appliance(94, null, "scsi");
        JsonNode image = EventCodec.JSON.readTree(PlatformFiles.glanceImage(appliance,
                fixture("dialects/virtualbox.ovf"), new PlatformFiles.ConvertedDisk("disk1.qcow2", "file1", GIB + 1)));

        assertThat(image.get("name").asText()).isEqualTo("Widget 2.4 (disk1.qcow2)");
        assertThat(image.get("disk_format").asText()).isEqualTo("qcow2");
        assertThat(image.get("container_format").asText()).isEqualTo("bare");
        assertThat(image.get("min_disk").asLong()).as("GiB, rounded up").isEqualTo(2);
        assertThat(image.get("min_ram").asLong()).isEqualTo(2048);
        assertThat(image.get("os_type").asText()).isEqualTo("linux");
        assertThat(image.get("hw_disk_bus").asText()).isEqualTo("scsi");
        assertThat(image.get("hw_vif_model").asText()).isEqualTo("e1000");
    }

    @Test
    void whatTheDescriptorDoesNotSayIsLeftToNova() throws Exception {
        JsonNode windows = EventCodec.JSON.readTree(PlatformFiles.glanceImage(appliance(1, "Microsoft Windows Server 2019",
                "nvme"), fixture("dialects/vmware.ovf"), new PlatformFiles.ConvertedDisk("d.qcow2", "file1", GIB)));
        assertThat(windows.get("os_type").asText()).isEqualTo("windows");
        assertThat(windows.has("hw_disk_bus")).as("nova has no nvme bus").isFalse();
        assertThat(windows.get("hw_vif_model").asText()).isEqualTo("vmxnet3");

        JsonNode unknown = EventCodec.JSON.readTree(PlatformFiles.glanceImage(appliance(1, null, null),
                fixture("packages/multi-vm.ovf"), new PlatformFiles.ConvertedDisk("d.qcow2", "other", GIB)));
        assertThat(unknown.has("os_type")).isFalse();
        assertThat(unknown.has("hw_disk_bus")).isFalse();
    }

    @Test
    void theDiskContainersNameThePublishedDisksBootDiskFirst() throws Exception {
        JsonNode containers = EventCodec.JSON.readTree(PlatformFiles.awsDiskContainers(appliance(94, null, "scsi"),
                List.of(new PlatformFiles.ConvertedDisk("system.vmdk", "file1", GIB),
                        new PlatformFiles.ConvertedDisk("data.vmdk", "file2", GIB)),
                TargetFormat.VMDK, "images", "acme/widget/2.4/aws/"));

        assertThat(containers).hasSize(2);
        assertThat(containers.get(0).get("Format").asText()).isEqualTo("vmdk");
        assertThat(containers.get(0).get("Description").asText()).isEqualTo("Widget 2.4 (system.vmdk)");
        assertThat(containers.get(0).get("UserBucket").get("S3Bucket").asText()).isEqualTo("images");
        assertThat(containers.get(1).get("UserBucket").get("S3Key").asText()).isEqualTo("acme/widget/2.4/aws/data.vmdk");
        assertThat(EventCodec.JSON.readTree(PlatformFiles.awsDiskContainers(appliance(94, null, "scsi"),
                List.of(new PlatformFiles.ConvertedDisk("system.img", "file1", GIB)), TargetFormat.RAW, "b", ""))
                .get(0).get("Format").asText()).isEqualTo("raw");
    }

    private static ApplianceMetadata appliance(int osId, String osDescription, String bus) {
        ApplianceMetadata.VirtualSystem system = new ApplianceMetadata.VirtualSystem("widget", "widget", null,
                "Widget", "Acme", "2.4", osId, osDescription, "vmx-13", 2, 2048L, 1, 1, null, null, null, null, null,
                List.of(new ApplianceMetadata.VirtualDisk("vmdisk1", "file1", GIB, null, bus, null)), List.of());
        return new ApplianceMetadata("1.x", "Acme", "Widget", "2.4", null, null, "widget", List.of(system), List.of(),
                List.of(), List.of(), List.of(), null, false);
    }
}
